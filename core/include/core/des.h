#pragma once
/// \file
/// A small discrete-event kernel in the style of SimPy, on C++20 coroutines.
///
/// Time is an integer Tick. Scheduled work sits in one heap ordered by
/// (time, priority, insertion id), so simultaneous events always run in one fixed
/// order. A process is a coroutine returning `Process`; it waits with
/// `co_await sim.Timeout(d)` or `co_await event.Wait()`, both of which yield a
/// `Wake` that says whether the wait ended normally or by an interrupt. A process
/// may `co_await` another `Process` as a sub-step (it then shares the caller's
/// identity: an interrupt reaches whichever of them is waiting).
///
///   des::Process Sleeper(des::Simulation& sim) {
///     co_await sim.Timeout(MinutesToTicks(20));          // read in bed
///     if (auto w = co_await sim.Timeout(MinutesToTicks(90)); w.interrupted())
///       co_await GoToRestroom(sim);                       // woken by an interrupt
///   }

#include <coroutine>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <queue>
#include <string>
#include <utility>
#include <vector>

#include "core/ticks.h"

namespace nightsim::des {

class Simulation;

/// Why a waiting process was woken early.
struct Interrupt {
  std::string cause;
};

/// The result of a wait: empty on a normal wake, the interrupt otherwise.
struct Wake {
  std::optional<Interrupt> interrupt;
  bool interrupted() const { return interrupt.has_value(); }
};

namespace detail {
struct ProcessState;
struct EventState;
}  // namespace detail

/// Coroutine type of a process (or of a sub-step awaited by a process).
class Process {
 public:
  struct promise_type;
  using Handle = std::coroutine_handle<promise_type>;

  struct promise_type {
    detail::ProcessState* state{nullptr};    // the top-level process this frame runs for
    std::coroutine_handle<> continuation;    // caller frame when awaited as a sub-step
    std::exception_ptr error;

    Process get_return_object() { return Process(Handle::from_promise(*this)); }
    std::suspend_always initial_suspend() noexcept { return {}; }
    struct FinalAwaiter {
      bool await_ready() noexcept { return false; }
      std::coroutine_handle<> await_suspend(Handle h) noexcept;
      void await_resume() noexcept {}
    };
    FinalAwaiter final_suspend() noexcept { return {}; }
    void return_void() {}
    void unhandled_exception() { error = std::current_exception(); }
  };

  Process(Process&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
  Process& operator=(Process&&) = delete;
  Process(const Process&) = delete;
  ~Process() {
    if (handle_) handle_.destroy();
  }

  /// Awaiting a Process runs it as a sub-step of the caller; rethrows its exception.
  struct SubStepAwaiter {
    Handle child;
    bool await_ready() noexcept { return false; }
    std::coroutine_handle<> await_suspend(Handle parent) noexcept {
      child.promise().state = parent.promise().state;
      child.promise().continuation = parent;
      return child;
    }
    void await_resume() {
      if (child.promise().error) std::rethrow_exception(child.promise().error);
    }
  };
  SubStepAwaiter operator co_await() && noexcept { return SubStepAwaiter{handle_}; }

 private:
  friend class Simulation;
  explicit Process(Handle h) : handle_(h) {}
  Handle release() { return std::exchange(handle_, {}); }
  Handle handle_;
};

/// A one-shot event that processes can wait on. Copies share the same event.
class Event {
 public:
  /// Wakes every process waiting now, in the order they started waiting; later
  /// waits complete immediately. Triggering twice is a no-op.
  void Trigger();
  bool triggered() const;

  struct Awaiter {
    std::shared_ptr<detail::EventState> event;
    detail::ProcessState* state{nullptr};
    bool await_ready() const noexcept;
    void await_suspend(Process::Handle h);
    Wake await_resume();
  };
  /// `co_await event.Wait()`: resumes when triggered (or interrupted).
  Awaiter Wait() const { return Awaiter{state_}; }

 private:
  friend class Simulation;
  friend class ProcessHandle;
  explicit Event(std::shared_ptr<detail::EventState> s) : state_(std::move(s)) {}
  std::shared_ptr<detail::EventState> state_;
};

/// A handle to a started process.
class ProcessHandle {
 public:
  ProcessHandle() = default;
  /// True once the process has returned or been cancelled.
  bool done() const;
  /// Wakes the process from its current wait with `cause`, now. If the process is
  /// woken by something else at this same tick first, the interrupt reaches its next
  /// wait instead; it is never lost while the process lives. Returns false when the
  /// process is not waiting (already done, or not yet started).
  bool Interrupt(std::string cause);
  /// Stops the process for good: it is never resumed again and its frame is freed.
  void Cancel();
  /// Triggered when the process returns or is cancelled.
  Event finished() const;
  const std::string& name() const;

 private:
  friend class Simulation;
  explicit ProcessHandle(detail::ProcessState* s) : state_(s) {}
  detail::ProcessState* state_{nullptr};
};

namespace detail {
struct ProcessState {
  Simulation* sim{nullptr};
  std::string name;
  int priority{0};
  Process::Handle root;
  std::coroutine_handle<> waiting;  // innermost frame suspended in a wait
  std::uint64_t generation{0};      // bumped on every resume: stale queue entries are skipped
  std::optional<Interrupt> delivered;
  bool started{false};
  bool done{false};
  std::shared_ptr<EventState> finished;
};
struct EventState {
  Simulation* sim{nullptr};
  int priority{0};
  bool triggered{false};
  struct Waiter {
    ProcessState* state;
    std::uint64_t generation;
  };
  std::vector<Waiter> waiters;
};
}  // namespace detail

/// The simulation clock and its event heap.
class Simulation {
 public:
  Simulation() = default;
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;
  ~Simulation();

  /// Current simulation time.
  Tick now() const { return now_; }

  /// Starts `process` at `at` (default: now). Lower `priority` runs first among
  /// entries at the same tick; insertion order breaks remaining ties.
  ProcessHandle Start(Process process, std::string name = {}, int priority = 0);
  ProcessHandle StartAt(Tick at, Process process, std::string name = {}, int priority = 0);

  struct TimeoutAwaiter {
    Simulation* sim;
    Tick at;
    detail::ProcessState* state{nullptr};
    bool await_ready() const noexcept { return false; }
    void await_suspend(Process::Handle h);
    Wake await_resume();
  };
  /// `co_await sim.Timeout(d)`: resumes after `delay` ticks (>= 0) unless interrupted;
  /// the wake-up runs with the process's priority.
  TimeoutAwaiter Timeout(Tick delay) { return TimeoutAwaiter{this, now_ + delay}; }
  /// `co_await sim.Until(t)`: resumes at absolute time max(t, now) unless interrupted.
  TimeoutAwaiter Until(Tick at) { return TimeoutAwaiter{this, at < now_ ? now_ : at}; }

  /// A new untriggered event; its waiters resume with `priority`.
  Event MakeEvent(int priority = 0);

  /// Runs `fn` at `at` (>= now).
  void Schedule(Tick at, std::function<void()> fn, int priority = 0);

  /// Runs the next live entry. Returns false when nothing is left.
  bool Step();
  /// Runs every entry with time <= `end`, then sets now to `end` (if later).
  void RunUntil(Tick end);
  /// Runs until the heap is empty.
  void Run();
  /// Live and stale entries still in the heap.
  std::size_t pending() const { return queue_.size(); }

 private:
  friend class ProcessHandle;
  friend class Event;
  friend struct Process::promise_type::FinalAwaiter;

  struct Entry {
    Tick time;
    int priority;
    std::uint64_t seq;
    detail::ProcessState* state;  // null for plain callbacks
    std::uint64_t generation;
    std::optional<Interrupt> interrupt;
    std::function<void()> callback;
  };
  struct Later {
    bool operator()(const Entry& a, const Entry& b) const {
      if (a.time != b.time) return a.time > b.time;
      if (a.priority != b.priority) return a.priority > b.priority;
      return a.seq > b.seq;
    }
  };

  void PushResume(Tick at, int priority, detail::ProcessState* s, std::optional<Interrupt> interrupt = {});
  bool DropStale();
  void Resume(detail::ProcessState* s);
  void Finish(detail::ProcessState* s);

  Tick now_{0};
  std::uint64_t next_seq_{0};
  std::priority_queue<Entry, std::vector<Entry>, Later> queue_;
  std::vector<std::unique_ptr<detail::ProcessState>> processes_;
};

}  // namespace nightsim::des
