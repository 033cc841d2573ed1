// Minimisation: a minimised schedule keeps the finding kind, replays strictly
// 100 out of 100 times, and has no more preemptions than the original; the
// shared counter's lost update needs exactly one preemption.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "harness/minimize_helpers.hpp"

namespace ipcrace {
namespace {

using namespace mintest;

TEST(Minimize, CounterLostUpdateNeedsExactlyOnePreemption) {
  Schedule orig = pct_finding(test::target("shm.counter.racy"), 1, /*race=*/false);
  MinimizeResult m = minimize_schedule(orig, quick_options());
  EXPECT_EQ(m.schedule.finding, FindingKind::assertion);
  EXPECT_EQ(m.after.preemptions, 1) << format_schedule(m.schedule);
  EXPECT_LE(m.after.steps, m.before.steps);
  // The workload shrinks to the smallest that still loses an update.
  EXPECT_EQ(m.schedule.params.get("actors"), 2);
  EXPECT_EQ(m.schedule.params.get("ops", 1), 1);
  expect_reproduces(m.schedule, 100);
}

TEST(Minimize, KeepsTheWorkloadWhenAsked) {
  Schedule orig = pct_finding(test::target("shm.counter.racy"), 2, /*race=*/false);
  MinimizeOptions o = quick_options();
  o.workload = false;
  MinimizeResult m = minimize_schedule(orig, o);
  EXPECT_EQ(m.schedule.params, orig.params);
  EXPECT_EQ(m.after.preemptions, 1);
  expect_reproduces(m.schedule, 10);
}

TEST(Minimize, RejectsACleanSchedule) {
  test::Quick q;
  q.runs = 1;
  q.strategy = "random";
  Engine e(test::target("shm.counter.mutex"), {}, RunConfig{});
  auto st = make_strategy(StrategyOptions{.name = "random"});
  st->new_run(0);
  RunResult r = e.run(*st, 1);
  ASSERT_FALSE(r.found());
  Schedule s = schedule_from_run("shm.counter.mutex", e.params(), ActorMode::processes, "random", 1, 0, 1, r);
  EXPECT_THROW(minimize_schedule(s, quick_options()), std::invalid_argument);
}

TEST(Minimize, RejectsAScheduleThatDoesNotReproduce) {
  Schedule orig = pct_finding(test::target("shm.counter.racy"), 1);
  // Claim another outcome than the one the decisions give.
  orig.finding = FindingKind::deadlock;
  EXPECT_THROW(minimize_schedule(orig, quick_options()), std::runtime_error);
}

}  // namespace
}  // namespace ipcrace
