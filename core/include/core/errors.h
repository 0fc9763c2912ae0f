#pragma once
/// \file
/// Bad input from a user (a scenario, a sweep, a predictions file …). The CLI turns
/// it into the messages it carries and exit code 2; nothing is written.

#include <stdexcept>
#include <string>
#include <vector>

namespace nightsim {

/// One problem in an input file: where it is and what was expected.
struct InputProblem {
  std::string file;
  int line{0};      ///< 1-based; 0 when unknown
  int column{0};    ///< 1-based; 0 when unknown
  std::string key;  ///< key path, e.g. "people[0].schedule.bedtime"
  std::string message;
  /// "file:line:column: key: message" (parts that are unknown are left out).
  std::string Format() const;
};

/// Thrown for bad input; carries every problem found, not just the first.
class InputError : public std::runtime_error {
 public:
  explicit InputError(std::vector<InputProblem> problems);
  explicit InputError(InputProblem problem) : InputError(std::vector<InputProblem>{std::move(problem)}) {}
  const std::vector<InputProblem>& problems() const { return problems_; }

 private:
  std::vector<InputProblem> problems_;
};

}  // namespace nightsim
