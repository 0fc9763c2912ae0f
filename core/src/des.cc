#include "core/des.h"

#include <stdexcept>

namespace nightsim::des {

std::coroutine_handle<> Process::promise_type::FinalAwaiter::await_suspend(Handle h) noexcept {
  auto& promise = h.promise();
  if (promise.continuation) return promise.continuation;  // back to the awaiting caller
  if (promise.state != nullptr) promise.state->sim->Finish(promise.state);
  return std::noop_coroutine();
}

// ---- Event -----------------------------------------------------------------

void Event::Trigger() {
  auto& e = *state_;
  if (e.triggered) return;
  e.triggered = true;
  for (const auto& w : e.waiters) {
    if (!w.state->done && w.state->generation == w.generation) e.sim->PushResume(e.sim->now(), e.priority, w.state);
  }
  e.waiters.clear();
}

bool Event::triggered() const { return state_->triggered; }

bool Event::Awaiter::await_ready() const noexcept { return event->triggered; }

void Event::Awaiter::await_suspend(Process::Handle h) {
  state = h.promise().state;
  state->waiting = h;
  event->waiters.push_back({state, state->generation});
}

Wake Event::Awaiter::await_resume() {
  if (state == nullptr) return {};
  return Wake{std::exchange(state->delivered, std::nullopt)};
}

// ---- ProcessHandle -----------------------------------------------------------

bool ProcessHandle::done() const { return state_ == nullptr || state_->done; }

bool ProcessHandle::Interrupt(std::string cause) {
  if (state_ == nullptr || state_->done || !state_->started || !state_->waiting) return false;
  state_->sim->PushResume(state_->sim->now(), state_->priority, state_, des::Interrupt{std::move(cause)});
  return true;
}

void ProcessHandle::Cancel() {
  if (state_ == nullptr || state_->done) return;
  const bool running = state_->started && !state_->waiting;
  ++state_->generation;  // every queued wake-up of this process is now stale
  if (!running && state_->root) {
    state_->root.destroy();
    state_->root = {};
  }
  state_->waiting = {};
  state_->sim->Finish(state_);
}

Event ProcessHandle::finished() const { return Event(state_->finished); }

const std::string& ProcessHandle::name() const { return state_->name; }

// ---- Simulation --------------------------------------------------------------

Simulation::~Simulation() {
  for (auto& p : processes_) {
    if (p->root) p->root.destroy();
  }
}

ProcessHandle Simulation::Start(Process process, std::string name, int priority) {
  return StartAt(now_, std::move(process), std::move(name), priority);
}

ProcessHandle Simulation::StartAt(Tick at, Process process, std::string name, int priority) {
  if (at < now_) throw std::invalid_argument("des: cannot start a process in the past");
  auto state = std::make_unique<detail::ProcessState>();
  state->sim = this;
  state->name = std::move(name);
  state->priority = priority;
  state->root = process.release();
  state->root.promise().state = state.get();
  state->waiting = state->root;
  state->finished = std::make_shared<detail::EventState>();
  state->finished->sim = this;
  state->finished->priority = priority;
  detail::ProcessState* raw = state.get();
  processes_.push_back(std::move(state));
  PushResume(at, priority, raw);
  return ProcessHandle(raw);
}

void Simulation::TimeoutAwaiter::await_suspend(Process::Handle h) {
  state = h.promise().state;
  state->waiting = h;
  if (!state->done) sim->PushResume(at, state->priority, state);
}

Wake Simulation::TimeoutAwaiter::await_resume() { return Wake{std::exchange(state->delivered, std::nullopt)}; }

Event Simulation::MakeEvent(int priority) {
  auto e = std::make_shared<detail::EventState>();
  e->sim = this;
  e->priority = priority;
  return Event(std::move(e));
}

void Simulation::Schedule(Tick at, std::function<void()> fn, int priority) {
  if (at < now_) throw std::invalid_argument("des: cannot schedule in the past");
  queue_.push(Entry{at, priority, next_seq_++, nullptr, 0, std::nullopt, std::move(fn)});
}

void Simulation::PushResume(Tick at, int priority, detail::ProcessState* s, std::optional<Interrupt> interrupt) {
  queue_.push(Entry{at, priority, next_seq_++, s, s->generation, std::move(interrupt), {}});
}

bool Simulation::DropStale() {
  while (!queue_.empty()) {
    const Entry& top = queue_.top();
    if (top.state == nullptr) return true;
    // An interrupt is never lost to a wake-up at the same tick: it reaches whatever
    // wait the process is in when it runs (SimPy semantics). Only a finished process
    // drops it.
    if (top.interrupt && !top.state->done && top.state->waiting) return true;
    if (!top.interrupt && !top.state->done && top.state->generation == top.generation) return true;
    queue_.pop();
  }
  return false;
}

bool Simulation::Step() {
  if (!DropStale()) return false;
  // priority_queue::top is const; the entry is popped right after, so moving is safe.
  Entry entry = std::move(const_cast<Entry&>(queue_.top()));
  queue_.pop();
  now_ = entry.time;
  if (entry.state == nullptr) {
    entry.callback();
    return true;
  }
  entry.state->delivered = std::move(entry.interrupt);
  Resume(entry.state);
  return true;
}

void Simulation::RunUntil(Tick end) {
  while (DropStale() && queue_.top().time <= end) Step();
  if (now_ < end) now_ = end;
}

void Simulation::Run() {
  while (Step()) {
  }
}

void Simulation::Resume(detail::ProcessState* s) {
  s->started = true;
  ++s->generation;
  std::coroutine_handle<> h = std::exchange(s->waiting, {});
  h.resume();
  if (s->done && s->root) {
    std::exception_ptr error = s->root.promise().error;
    s->root.destroy();
    s->root = {};
    if (error) std::rethrow_exception(error);
  }
}

void Simulation::Finish(detail::ProcessState* s) {
  s->done = true;
  Event(s->finished).Trigger();
}

}  // namespace nightsim::des
