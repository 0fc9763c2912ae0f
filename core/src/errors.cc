#include "core/errors.h"

namespace nightsim {

std::string InputProblem::Format() const {
  // Appends only: GCC 12 at -O3 warns (-Wrestrict, a false positive) on operator+ chains.
  std::string out = file;
  if (line > 0) {
    out += ':';
    out += std::to_string(line);
    if (column > 0) {
      out += ':';
      out += std::to_string(column);
    }
  }
  if (!out.empty()) out += ": ";
  if (!key.empty()) {
    out += key;
    out += ": ";
  }
  out += message;
  return out;
}

namespace {
std::string Join(const std::vector<InputProblem>& problems) {
  std::string out;
  for (const auto& p : problems) {
    if (!out.empty()) out += "\n";
    out += p.Format();
  }
  return out;
}
}  // namespace

InputError::InputError(std::vector<InputProblem> problems)
    : std::runtime_error(Join(problems)), problems_(std::move(problems)) {}

}  // namespace nightsim
