// Tests of the discrete-event kernel: ordering, interrupts, cancellation, sub-steps.
#include "core/des.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/rng.h"

namespace nightsim::des {
namespace {

using Log = std::vector<std::string>;

Process Say(Simulation& sim, Log& log, Tick delay, std::string what) {
  co_await sim.Timeout(delay);
  log.push_back(std::to_string(sim.now()) + ":" + what);
}

TEST(DesTest, EventsAtTheSameTickRunByPriorityThenInsertionOrder) {
  Simulation sim;
  Log log;
  sim.Start(Say(sim, log, 10, "b"), "b", /*priority=*/1);
  sim.Start(Say(sim, log, 10, "a1"), "a1", /*priority=*/0);
  sim.Start(Say(sim, log, 10, "c"), "c", /*priority=*/1);
  sim.Start(Say(sim, log, 10, "a2"), "a2", /*priority=*/0);
  sim.Start(Say(sim, log, 5, "early"), "early", /*priority=*/9);
  sim.Run();
  EXPECT_EQ(log, (Log{"5:early", "10:a1", "10:a2", "10:b", "10:c"}));
}

TEST(DesTest, CallbacksAndProcessesShareOneOrder) {
  Simulation sim;
  Log log;
  sim.Schedule(7, [&] { log.push_back("cb7"); });
  sim.Start(Say(sim, log, 7, "p7"));
  sim.Schedule(7, [&] { log.push_back("cb7-late"); });
  sim.Run();
  // The process's first resume (t=0) is queued before; its timeout to 7 is queued
  // after both callbacks, so at t=7 the callbacks run first.
  EXPECT_EQ(log, (Log{"cb7", "cb7-late", "7:p7"}));
}

Process Sleeper(Simulation& sim, Log& log) {
  Wake w = co_await sim.Timeout(100);
  if (w.interrupted()) {
    log.push_back(std::to_string(sim.now()) + ":woken by " + w.interrupt->cause);
    co_await sim.Timeout(5);
    log.push_back(std::to_string(sim.now()) + ":back");
  } else {
    log.push_back(std::to_string(sim.now()) + ":slept through");
  }
}

TEST(DesTest, AnInterruptWakesAWaitingProcessEarlyAndItsOldTimeoutNeverFires) {
  Simulation sim;
  Log log;
  ProcessHandle h = sim.Start(Sleeper(sim, log));
  sim.Schedule(30, [&] { EXPECT_TRUE(h.Interrupt("alarm")); });
  sim.Run();
  EXPECT_EQ(log, (Log{"30:woken by alarm", "35:back"}));
  EXPECT_TRUE(h.done());
}

TEST(DesTest, WithoutInterruptTheTimeoutCompletesNormally) {
  Simulation sim;
  Log log;
  sim.Start(Sleeper(sim, log));
  sim.Run();
  EXPECT_EQ(log, (Log{"100:slept through"}));
}

TEST(DesTest, InterruptingAFinishedOrUnstartedProcessIsRefused) {
  Simulation sim;
  Log log;
  ProcessHandle later = sim.StartAt(50, Say(sim, log, 1, "x"));
  EXPECT_FALSE(later.Interrupt("too early"));  // not started yet
  sim.Run();
  EXPECT_TRUE(later.done());
  EXPECT_FALSE(later.Interrupt("too late"));
  EXPECT_EQ(log, (Log{"51:x"}));
}

TEST(DesTest, AnInterruptAndATimeoutAtTheSameTickDeliverExactlyOneWake) {
  Simulation sim;
  Log log;
  ProcessHandle h = sim.Start(Sleeper(sim, log));
  // The timeout entry (queued at t=0) precedes this callback's interrupt at t=100.
  sim.Schedule(100, [&] { h.Interrupt("same tick"); });
  sim.Run();
  EXPECT_EQ(log, (Log{"100:slept through"}));
}

TEST(DesTest, ACancelledProcessNeverRunsAgain) {
  Simulation sim;
  Log log;
  ProcessHandle h = sim.Start(Say(sim, log, 20, "should not happen"));
  sim.Schedule(10, [&] { h.Cancel(); });
  sim.Run();
  EXPECT_TRUE(log.empty());
  EXPECT_TRUE(h.done());
  EXPECT_FALSE(h.Interrupt("after cancel"));
}

TEST(DesTest, CancellingBeforeTheStartMeansTheBodyNeverRuns) {
  Simulation sim;
  Log log;
  ProcessHandle h = sim.StartAt(10, Say(sim, log, 0, "never"));
  h.Cancel();
  sim.Run();
  EXPECT_TRUE(log.empty());
}

Process SleepsInBouts(Simulation& sim, Log& log) {
  for (int bout = 0; bout < 3; ++bout) {
    Wake w = co_await sim.Timeout(100);
    if (w.interrupted()) {
      log.push_back(std::to_string(sim.now()) + ":woken by " + w.interrupt->cause);
      co_return;
    }
    log.push_back(std::to_string(sim.now()) + ":bout ends");
  }
}

TEST(DesTest, AnInterruptAtTheTickABoutEndsReachesTheNextWaitInsteadOfBeingLost) {
  Simulation sim;
  Log log;
  ProcessHandle h = sim.Start(SleepsInBouts(sim, log));
  // The bout's timeout (queued first) runs first at t=100; the alarm must still land.
  sim.Schedule(100, [&] { EXPECT_TRUE(h.Interrupt("alarm")); });
  sim.Run();
  EXPECT_EQ(log, (Log{"100:bout ends", "100:woken by alarm"}));
}

Process EndsEarly(Simulation& sim, Log& log, bool stop) {
  co_await sim.Timeout(1);
  if (stop) co_return;
  co_await sim.Timeout(1);
  log.push_back("ran to the end");
}

Process WaitsFor(Simulation& sim, Log& log, ProcessHandle other) {
  co_await other.finished().Wait();
  log.push_back(std::to_string(sim.now()) + ":other finished");
}

TEST(DesTest, AProcessThatEndsEarlySignalsItsWaiters) {
  Simulation sim;
  Log log;
  ProcessHandle early = sim.Start(EndsEarly(sim, log, true));
  sim.Start(WaitsFor(sim, log, early));
  sim.Run();
  EXPECT_EQ(log, (Log{"1:other finished"}));
}

TEST(DesTest, CancellingAlsoSignalsWaiters) {
  Simulation sim;
  Log log;
  ProcessHandle victim = sim.Start(Say(sim, log, 100, "never"));
  sim.Start(WaitsFor(sim, log, victim));
  sim.Schedule(40, [&] { victim.Cancel(); });
  sim.Run();
  EXPECT_EQ(log, (Log{"40:other finished"}));
}

Process EventWaiter(Simulation& sim, Log& log, Event ev, std::string who) {
  Wake w = co_await ev.Wait();
  log.push_back(std::to_string(sim.now()) + ":" + who + (w.interrupted() ? " interrupted" : " saw event"));
}

TEST(DesTest, AnEventWakesItsWaitersInWaitingOrderAndLaterWaitsPassStraightThrough) {
  Simulation sim;
  Log log;
  Event lights_out = sim.MakeEvent();
  sim.Start(EventWaiter(sim, log, lights_out, "first"));
  ProcessHandle second = sim.Start(EventWaiter(sim, log, lights_out, "second"));
  sim.Start(EventWaiter(sim, log, lights_out, "third"));
  sim.Schedule(5, [&] { second.Interrupt("phone call"); });
  sim.Schedule(9, [&] { lights_out.Trigger(); });
  sim.StartAt(12, EventWaiter(sim, log, lights_out, "late"));
  sim.Run();
  EXPECT_EQ(log, (Log{"5:second interrupted", "9:first saw event", "9:third saw event", "12:late saw event"}));
}

Process RestroomTrip(Simulation& sim, Log& log) {
  log.push_back(std::to_string(sim.now()) + ":leave bed");
  co_await sim.Timeout(300);
  log.push_back(std::to_string(sim.now()) + ":back in bed");
}

Process NightWithSubSteps(Simulation& sim, Log& log) {
  for (int cycle = 0; cycle < 3; ++cycle) {
    Wake w = co_await sim.Timeout(1000);
    if (w.interrupted()) co_await RestroomTrip(sim, log);
  }
  log.push_back(std::to_string(sim.now()) + ":night over");
}

TEST(DesTest, SubStepsReadLikeTheStoryAndShareTheCallersIdentity) {
  Simulation sim;
  Log log;
  ProcessHandle person = sim.Start(NightWithSubSteps(sim, log));
  sim.Schedule(500, [&] { person.Interrupt("bladder"); });
  sim.Run();
  EXPECT_EQ(log, (Log{"500:leave bed", "800:back in bed", "2800:night over"}));
}

Process Nested(Simulation& sim, Log& log) {
  Wake w = co_await sim.Timeout(1000);  // interrupted while inside the sub-step
  log.push_back(std::to_string(sim.now()) + (w.interrupted() ? ":inner interrupted" : ":inner done"));
}

Process Outer(Simulation& sim, Log& log) {
  co_await Nested(sim, log);
  log.push_back(std::to_string(sim.now()) + ":outer continues");
}

TEST(DesTest, AnInterruptReachesTheInnermostWaitingSubStep) {
  Simulation sim;
  Log log;
  ProcessHandle h = sim.Start(Outer(sim, log));
  sim.Schedule(10, [&] { h.Interrupt("alarm"); });
  sim.Run();
  EXPECT_EQ(log, (Log{"10:inner interrupted", "10:outer continues"}));
}

Process Throws(Simulation& sim) {
  co_await sim.Timeout(3);
  throw std::runtime_error("broken invariant");
}

TEST(DesTest, AnExceptionInAProcessReachesTheCallerOfStep) {
  Simulation sim;
  sim.Start(Throws(sim));
  EXPECT_THROW(sim.Run(), std::runtime_error);
}

TEST(DesTest, RunUntilStopsAtTheBoundaryAndResumesLater) {
  Simulation sim;
  Log log;
  sim.Start(Say(sim, log, 10, "a"));
  sim.Start(Say(sim, log, 20, "b"));
  sim.RunUntil(10);
  EXPECT_EQ(sim.now(), 10);
  EXPECT_EQ(log, (Log{"10:a"}));
  sim.RunUntil(15);
  EXPECT_EQ(sim.now(), 15);
  EXPECT_EQ(log.size(), 1u);
  sim.Run();
  EXPECT_EQ(log, (Log{"10:a", "20:b"}));
}

Process Fidget(Simulation& sim, Log& log, RandomStream rng, std::string name) {
  for (int i = 0; i < 50; ++i) {
    co_await sim.Timeout(static_cast<Tick>(rng.UniformInt(20)));  // many exact ties on purpose
    log.push_back(std::to_string(sim.now()) + ":" + name);
  }
}

Log ManyProcesses(std::uint64_t seed) {
  Simulation sim;
  Log log;
  std::vector<ProcessHandle> handles;
  for (int p = 0; p < 200; ++p) {
    const std::string name = "p" + std::to_string(p);
    handles.push_back(sim.Start(Fidget(sim, log, RandomStream(seed, name, "fidget"), name), name, p % 3));
  }
  RandomStream chaos(seed, "test", "interrupts");
  for (int i = 0; i < 300; ++i) {
    const auto target = chaos.UniformInt(handles.size());
    sim.Schedule(static_cast<Tick>(chaos.UniformInt(400)), [&handles, target] { handles[target].Interrupt("x"); });
  }
  sim.Run();
  return log;
}

TEST(DesTest, ARunWithManyProcessesIsDeterministic) {
  const Log a = ManyProcesses(7);
  const Log b = ManyProcesses(7);
  EXPECT_EQ(a.size(), 200u * 50u);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, ManyProcesses(8));
}

}  // namespace
}  // namespace nightsim::des
