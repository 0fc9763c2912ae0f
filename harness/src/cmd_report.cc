// `nightsim report NIGHT.h5|SWEEP_DIR -o FILE.html`: one self-contained HTML page
// (figures inlined as PNG data URIs) about a night file or a sweep's output folder.
// The figures are drawn by the Python module python/nightsim_report (matplotlib);
// this command checks the input first, so a missing, truncated or foreign file gets
// nightsim's own message and exit code 2 without starting Python, then runs the
// module on a temporary name that is renamed only when the page is complete.

#include <fmt/core.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <stdexcept>

#include "core/errors.h"
#include "command_line.h"
#include "harness/atomic_file.h"
#include "harness/cli.h"
#include "harness/commands.h"
#include "harness/night_reader.h"
#include "sweep_detail.h"

extern char** environ;

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace nightsim::harness {
namespace {

// The interpreter Debian's python3-matplotlib/-h5py/-numpy install into; a pyenv or
// venv python3 earlier on PATH usually lacks them, so PATH is not searched.
constexpr const char* kDefaultPython = "/usr/bin/python3";

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : fallback;
}

// The folder holding nightsim_report/ and nightsim_data/: $NIGHTSIM_PYTHON_DIR, else
// the checkout's python/ (as DefaultModelsDir() finds models/).
std::string PythonDir() { return EnvOr("NIGHTSIM_PYTHON_DIR", std::string(NIGHTSIM_CHECKOUT_DIR) + "/python"); }

[[noreturn]] void Bad(const std::string& file, const std::string& message) {
  throw InputError(InputProblem{file, 0, 0, "", message});
}

// Throws InputError unless `dir` holds a sweep aggregate with a nights list.
void CheckSweepDir(const std::string& dir) {
  const std::string aggregate = (fs::path(dir) / "aggregate.json").string();
  std::error_code ec;
  if (!fs::is_regular_file(aggregate, ec)) {
    Bad(dir, "a folder without aggregate.json: not the --out folder of a finished `nightsim sweep` (or `merge`)");
  }
  const YAML::Node doc = detail::ReadJsonFile(aggregate);
  if (!doc.IsMap() || !doc["nights"] || !doc["nights"].IsSequence()) {
    Bad(aggregate, "not a sweep aggregate (unreadable JSON or no \"nights\" list)");
  }
}

// Throws InputError (naming the file and the object) unless `path` is a complete
// night file: the tables the report draws must all read.
void CheckNightFile(const std::string& path) {
  const NightReader night(path);
  (void)night.Truth();
  (void)night.Estimates();
  (void)night.Alarms();
  (void)night.Metrics();
}

// Runs `argv` with PYTHONPATH led by `python_dir`; returns its exit status (128 +
// signal when killed). stdout/stderr are inherited so Python's messages reach the user.
int RunPython(const std::vector<std::string>& argv, const std::string& python_dir) {
  std::vector<std::string> env_text;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::strncmp(*e, "PYTHONPATH=", 11) != 0 && std::strncmp(*e, "MPLBACKEND=", 11) != 0) env_text.push_back(*e);
  }
  const std::string old_path = EnvOr("PYTHONPATH", "");
  env_text.push_back("PYTHONPATH=" + python_dir + (old_path.empty() ? "" : ":" + old_path));
  env_text.push_back("MPLBACKEND=Agg");  // never try a display
  std::vector<char*> envp, args;
  for (auto& s : env_text) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_copy = argv;
  for (auto& s : argv_copy) args.push_back(s.data());
  args.push_back(nullptr);
  pid_t pid = 0;
  if (const int rc = ::posix_spawn(&pid, args[0], nullptr, nullptr, args.data(), envp.data()); rc != 0) {
    throw std::runtime_error(fmt::format("report: cannot start {}: {}", argv[0], std::strerror(rc)));
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw std::runtime_error(fmt::format("report: waiting for {}: {}", argv[0], std::strerror(errno)));
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

}  // namespace

int CmdReport(const std::vector<std::string>& args) {
  po::options_description options("options");
  std::string input, out;
  options.add_options()
      ("help,h", "show this help")
      ("out,o", po::value(&out), "the HTML page to write (its folder is created if missing)");
  const po::variables_map vm = ParseCommandLine(args, options, {{"input", &input}});
  if (vm.count("help")) {
    fmt::print(
        "usage: nightsim report NIGHT.h5 -o night.html\n"
        "       nightsim report SWEEP_DIR -o sweep.html\n\n"
        "Writes one self-contained HTML page (figures inlined, nothing fetched) to open\n"
        "from disk. For a night file (`run --out`, `generate`): truth vs pipeline\n"
        "hypnogram, who the pipeline followed coloured by the true body, presence and\n"
        "intent bands, the alarm moment, a range–time map of the radar data (range or\n"
        "raw frames; the stream's distance at stream level; a note when no frames were\n"
        "exported), respiration snippets truth vs radar, and the metrics. For a sweep's\n"
        "--out folder: metric distributions per scenario, Bland–Altman plots of the\n"
        "sleep measures, the pooled confusion matrix, metrics vs each swept parameter and\n"
        "the paired factor effects with their bootstrap CIs.\n\n"
        "Drawn by python/nightsim_report with {} (python3-matplotlib, python3-h5py);\n"
        "NIGHTSIM_PYTHON overrides the interpreter, NIGHTSIM_PYTHON_DIR the module folder\n"
        "(default {}). A missing, truncated or foreign input: exit 2, nothing written.\n\n",
        kDefaultPython, PythonDir());
    std::cout << options << "\n";
    return kExitOk;
  }
  std::vector<InputProblem> problems;
  if (input.empty()) problems.push_back({"", 0, 0, "INPUT", "a night file (.h5) or a sweep output folder is required"});
  if (out.empty()) problems.push_back({"", 0, 0, "--out", "the HTML file to write is required (-o FILE.html)"});
  if (!problems.empty()) throw InputError(std::move(problems));
  std::error_code ec;
  if (!fs::exists(input, ec)) Bad(input, "no such file or folder");
  if (fs::is_directory(out, ec)) Bad(out, "--out is a folder; expected the HTML file to write");
  if (fs::exists(out, ec) && fs::equivalent(input, out, ec)) Bad(out, "--out is the input itself; it would be replaced");
  const bool sweep = fs::is_directory(input, ec);
  if (sweep) CheckSweepDir(input);
  else CheckNightFile(input);

  const std::string python = EnvOr("NIGHTSIM_PYTHON", kDefaultPython);
  const std::string python_dir = PythonDir();
  if (::access(python.c_str(), X_OK) != 0) {
    throw std::runtime_error(fmt::format("report: no Python interpreter at {} (apt-get install python3 "
                                         "python3-matplotlib python3-h5py, or set NIGHTSIM_PYTHON)", python));
  }
  if (!fs::is_regular_file(fs::path(python_dir) / "nightsim_report" / "__init__.py", ec)) {
    throw std::runtime_error(fmt::format("report: no nightsim_report module in {} (set NIGHTSIM_PYTHON_DIR to the "
                                         "checkout's python/ folder)", python_dir));
  }
  const fs::path out_path = fs::absolute(out);
  fs::create_directories(out_path.parent_path());
  AtomicFile file(out_path.string());  // removed unless committed: nothing half-written stays
  const int rc = RunPython({python, "-m", "nightsim_report", sweep ? "sweep" : "night", input, file.temp_path()},
                           python_dir);
  if (rc == kExitBadInput) {
    // The module found a problem the checks above do not look for; it printed it.
    return kExitBadInput;
  }
  if (rc != 0) {
    throw std::runtime_error(fmt::format("report: {} -m nightsim_report failed with exit code {} (its messages are "
                                         "above); nothing written to {}", python, rc, out));
  }
  file.Commit();
  fmt::print("report: {}\n", out);
  return kExitOk;
}

}  // namespace nightsim::harness
