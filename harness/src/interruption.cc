#include "harness/interruption.h"

#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <filesystem>

#include "scenario_detail.h"

namespace nightsim::harness {
namespace {

volatile std::sig_atomic_t g_stop = 0;

extern "C" void OnStopSignal(int sig) {
  g_stop = 1;
  std::signal(sig, SIG_DFL);
}

}  // namespace

StopSignals::StopSignals() {
  g_stop = 0;
  old_int_ = std::signal(SIGINT, OnStopSignal);
  old_term_ = std::signal(SIGTERM, OnStopSignal);
}

StopSignals::~StopSignals() {
  std::signal(SIGINT, old_int_);
  std::signal(SIGTERM, old_term_);
}

bool StopSignals::StopRequested() { return g_stop != 0; }

void RemoveStaleTemporaries(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    const auto mark = name.find(".tmp-");
    if (name.empty() || name[0] != '.' || mark == std::string::npos) continue;
    const std::string rest = name.substr(mark + 5);
    const auto pid = detail::ParseInteger(rest.substr(0, rest.find('-')));
    if (!pid || *pid <= 0) continue;
    if (::kill(static_cast<pid_t>(*pid), 0) != 0 && errno == ESRCH) fs::remove(entry.path(), ec);
  }
}

}  // namespace nightsim::harness
