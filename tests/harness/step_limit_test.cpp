// Issue 13, item 14: every setting that changes a run is recorded in the
// schedule file and honoured by replay and minimize (step limit, watchdog,
// besides mode, race, faults, fault budget and parameters), and a target may
// declare its own step limit, which every run of it honours.
#include <gtest/gtest.h>

#include "harness/minimize_helpers.hpp"
#include "ipcrace/fuzz_input.hpp"

namespace ipcrace {
namespace {

TEST(StepLimit, SettingsAreRecordedAndRead) {
  Schedule s;
  s.target = "shm.counter.racy";
  s.step_limit = 2000000;
  s.watchdog_ms = 750;
  s.race = true;
  s.faults = fault_bit(FaultKind::short_io);
  s.fault_budget = 3;
  s.mode = ActorMode::threads;
  s.params.set("actors", 3);
  std::string err;
  auto back = parse_schedule(format_schedule(s), &err);
  ASSERT_TRUE(back) << err;
  EXPECT_EQ(back->step_limit, 2000000);
  EXPECT_EQ(back->watchdog_ms, 750);
  const RunConfig cfg = replay_config(*back);
  EXPECT_EQ(cfg.step_limit, 2000000);
  EXPECT_EQ(cfg.watchdog_ms, 750);
  EXPECT_TRUE(cfg.race);
  EXPECT_EQ(cfg.faults, s.faults);
  EXPECT_EQ(cfg.fault_budget, 3);
  EXPECT_EQ(cfg.mode, ActorMode::threads);
  // A file without the lines had the defaults of its time.
  auto old = parse_schedule("ipcrace-schedule 2\ntarget t\nend\n", &err);
  ASSERT_TRUE(old) << err;
  EXPECT_EQ(old->step_limit, 20000);
  EXPECT_EQ(old->watchdog_ms, 3000);
}

// The engine's run of test.long is 30,000 steps: past the default limit
// (20,000), within its own (100,000). Campaigns, plain engines and fuzz
// inputs all honour it.
TEST(StepLimit, TargetsOwnLimitIsHonoured) {
  for (ActorMode mode : {ActorMode::processes, ActorMode::threads}) {
    test::Quick q;
    q.strategy = "random";
    q.runs = 2;
    q.mode = mode;
    CampaignResult r = test::campaign("test.long", q);
    EXPECT_EQ(r.findings, 0u) << actor_mode_name(mode) << ": " << (r.first ? r.first->message : "");
  }
  RunConfig cfg;
  cfg.cpu = test::test_cpu();
  EXPECT_EQ(Engine(test::target("test.long"), {}, cfg).config().step_limit, 100000);
  const Schedule fuzzed = fuzz_input_schedule(test::target("test.long"), nullptr, 0, cfg);
  EXPECT_EQ(fuzzed.finding, FindingKind::none) << fuzzed.message;
  EXPECT_EQ(fuzzed.step_limit, 100000);
  // A larger --step-limit still wins.
  cfg.step_limit = 500000;
  EXPECT_EQ(Engine(test::target("test.long"), {}, cfg).config().step_limit, 500000);
}

// A finding of a long workload (shm.counter.racy, 2 x 8,000 increments:
// 32,000 steps) made with a raised step limit replays, and minimises.
TEST(StepLimit, LongFindingReplaysAndMinimises) {
  CampaignOptions o;
  o.strategy.name = "pct";
  o.strategy.seed = 1;
  o.runs = 20;
  o.stop_at_first = true;
  o.run.race = false;
  o.run.step_limit = 2000000;
  o.run.cpu = test::test_cpu();
  o.overrides.set("ops", 8000);
  CampaignResult c = run_campaign(test::target("shm.counter.racy"), o);
  ASSERT_TRUE(c.first) << "no lost update in 20 pct runs of 32,000 steps";
  ASSERT_GT(c.first->steps.size(), 20000u);
  std::string err;
  auto s = parse_schedule(format_schedule(*c.first), &err);
  ASSERT_TRUE(s) << err;
  EXPECT_EQ(s->step_limit, 2000000);
  mintest::expect_reproduces(*s, 1);
  // It minimises (before: "the schedule does not reproduce its finding",
  // each run cut at 20,000 steps); the budget bounds how far.
  MinimizeOptions mo = mintest::quick_options();
  mo.max_seconds = 8;
  MinimizeResult m = minimize_schedule(*s, mo);
  EXPECT_EQ(m.schedule.finding, FindingKind::assertion);
  EXPECT_EQ(m.schedule.step_limit, 2000000);
  EXPECT_EQ(m.before.steps, c.first->steps.size());
  EXPECT_LE(m.after.steps, m.before.steps);
  EXPECT_LE(m.after.preemptions, m.before.preemptions);
  mintest::expect_reproduces(m.schedule, 3);
}

}  // namespace
}  // namespace ipcrace
