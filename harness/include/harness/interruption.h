#pragma once
/// \file
/// What the batch commands (`sweep`, `generate`) share to survive being stopped:
/// a first SIGINT/SIGTERM asks them to finish the nights under way and stop, and a
/// rerun clears the temporaries a killed run (kill -9) left behind.

#include <string>

namespace nightsim::harness {

/// While alive, the first SIGINT or SIGTERM sets StopRequested() and restores the
/// default action, so a second one ends the process at once. The previous handlers
/// are restored on destruction (tests run commands in-process). One at a time.
class StopSignals {
 public:
  StopSignals();
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;
  /// True once a stop signal arrived during this object's life.
  static bool StopRequested();

 private:
  void (*old_int_)(int);
  void (*old_term_)(int);
};

/// Removes the hidden temporaries of AtomicFile (".<name>.tmp-<pid>-<n>") in `dir`
/// whose process is gone (a killed run of this host). Temporaries of live processes,
/// such as a concurrent shard on a shared folder, are kept. Never throws.
void RemoveStaleTemporaries(const std::string& dir);

}  // namespace nightsim::harness
