// Faults as schedule decisions (issue 12): the faults family found with its
// fault kind and clean without it, synchronised twins clean with every kind,
// schedule lines, replay, divergence on a hand-edited fault line, and the
// minimiser keeping exactly the faults a finding needs.
#include <gtest/gtest.h>

#include "ipcrace/minimize.hpp"
#include "ipcrace/oracles.hpp"
#include "ipcrace/rng.hpp"
#include "ipcrace/schedule.hpp"
#include "support/support.hpp"

namespace ipcrace {
namespace {

using test::Quick;

const char* const kRacy[] = {"faults.short_read.racy", "faults.eintr_write.racy", "faults.killed_holder.racy"};
const char* const kSync[] = {"faults.short_read.looped", "faults.eintr_write.retried", "faults.killed_holder.robust"};

uint64_t clean_runs() { return uint64_t(test::env_int("IPCRACE_FAULTS_CLEAN_RUNS", 300)); }

class FaultsRacy : public ::testing::TestWithParam<std::tuple<const char*, ActorMode>> {};

TEST_P(FaultsRacy, FoundWithItsFaultCleanWithout) {
  const auto [name, mode] = GetParam();
  const TargetInfo& t = test::target(name);
  ASSERT_FALSE(t.faults.empty());
  for (const char* strategy : {"pct", "random"}) {
    Quick q;
    q.strategy = strategy;
    q.mode = mode;
    q.runs = uint64_t(t.budget_runs);
    q.stop_at_first = true;
    CampaignResult r = test::campaign(name, q);
    ASSERT_TRUE(r.first) << name << " " << strategy << ": " << test::describe(r);
    EXPECT_GE(r.first->fault_steps(), 1) << format_schedule(*r.first);
    q.faults = 0;  // --faults none: every interleaving is fine
    q.stop_at_first = false;
    r = test::campaign(name, q);
    EXPECT_EQ(r.findings, 0u) << name << " " << strategy << " without faults: " << test::describe(r);
  }
}

class FaultsSync : public ::testing::TestWithParam<std::tuple<const char*, ActorMode>> {};

TEST_P(FaultsSync, CleanWithEveryFaultKind) {
  const auto [name, mode] = GetParam();
  for (const char* strategy : {"pct", "random"}) {
    for (int budget : {1, 3}) {
      Quick q;
      q.strategy = strategy;
      q.mode = mode;
      q.runs = clean_runs() / 2;
      q.faults = kAllFaults;
      q.fault_budget = budget;
      CampaignResult r = test::campaign(name, q);
      EXPECT_EQ(r.findings, 0u) << name << " " << strategy << " budget " << budget << ": " << test::describe(r);
    }
  }
}

std::string param_name(const ::testing::TestParamInfo<std::tuple<const char*, ActorMode>>& i) {
  return test::test_name(std::get<0>(i.param)) + "_" + actor_mode_name(std::get<1>(i.param));
}

INSTANTIATE_TEST_SUITE_P(Faults, FaultsRacy,
                         ::testing::Combine(::testing::ValuesIn(kRacy),
                                            ::testing::Values(ActorMode::processes, ActorMode::threads)),
                         param_name);
INSTANTIATE_TEST_SUITE_P(Faults, FaultsSync,
                         ::testing::Combine(::testing::ValuesIn(kSync),
                                            ::testing::Values(ActorMode::processes, ActorMode::threads)),
                         param_name);

Schedule short_read_finding() {
  Quick q;
  q.runs = 200;
  q.stop_at_first = true;
  CampaignResult r = test::campaign("faults.short_read.racy", q);
  if (!r.first) throw std::runtime_error("faults.short_read.racy: no finding in 200 runs");
  return *r.first;
}

TEST(FaultSchedule, LinesRoundTripAndVersionOneStillParses) {
  Schedule s = short_read_finding();
  const std::string text = format_schedule(s);
  EXPECT_NE(text.find("ipcrace-schedule 2\n"), std::string::npos);
  EXPECT_NE(text.find("\nfaults short\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nfault short\n"), std::string::npos) << text;
  std::string err;
  auto back = parse_schedule(text, &err);
  ASSERT_TRUE(back) << err;
  EXPECT_EQ(back->steps, s.steps);
  EXPECT_EQ(back->faults, s.faults);
  EXPECT_EQ(back->fault_budget, s.fault_budget);
  auto v1 = parse_schedule("ipcrace-schedule 1\ntarget shm.counter.racy\nstep 0 shm_load 0 x\nend\n", &err);
  ASSERT_TRUE(v1) << err;
  EXPECT_EQ(v1->faults, 0u);
  for (const char* bad : {"ipcrace-schedule 2\ntarget t\nfault short\nend\n",
                          "ipcrace-schedule 2\ntarget t\nstep 0 read 0 x\nfault sideways\nend\n",
                          "ipcrace-schedule 2\ntarget t\nstep 0 read 0 x\nfault short\nfault eintr\nend\n",
                          "ipcrace-schedule 2\ntarget t\nfaults short,bogus\nend\n"})
    EXPECT_FALSE(parse_schedule(bad, &err)) << bad;
}

TEST(FaultReplay, FindingsWithFaultsReplayEveryTime) {
  for (const char* name : kRacy)
    for (ActorMode mode : {ActorMode::processes, ActorMode::threads}) {
      Quick q;
      q.mode = mode;
      q.runs = 300;
      q.stop_at_first = true;
      CampaignResult r = test::campaign(name, q);
      ASSERT_TRUE(r.first) << name;
      const int times = int(test::env_int("IPCRACE_FAULTS_REPLAYS", 100));
      for (int i = 0; i < times; ++i) {
        RunResult rr = test::replay(*r.first, mode);
        ASSERT_FALSE(rr.diverged) << name << " replay " << i << ": " << rr.divergence;
        ASSERT_EQ(rr.kind, r.first->finding) << name << " replay " << i << ": " << rr.message;
        ASSERT_EQ(rr.message, r.first->message);
      }
    }
}

TEST(FaultReplay, HandEditedFaultLineIsADivergenceNeverASilentPass) {
  const Schedule s = short_read_finding();
  size_t at = 0;
  while (at < s.steps.size() && s.steps[at].fault == FaultKind::none) ++at;
  ASSERT_LT(at, s.steps.size());
  // Another kind than the run could have there: a divergence at that step.
  Schedule edited = s;
  edited.steps[at].fault = FaultKind::eintr;
  RunResult r = test::replay(edited, s.mode);
  EXPECT_TRUE(r.diverged);
  EXPECT_NE(r.divergence.find("fault 'eintr'"), std::string::npos) << r.divergence;
  // The fault removed: the run goes another way (divergence) or ends
  // without the finding; never the recorded finding reported as reproduced.
  edited = s;
  edited.steps[at].fault = FaultKind::none;
  r = test::replay(edited, s.mode);
  EXPECT_TRUE(r.diverged || r.kind != s.finding) << r.message;
  // A fault moved onto a step whose op cannot fail.
  edited = s;
  edited.steps[at].fault = FaultKind::none;
  edited.steps[0].fault = FaultKind::kill;
  r = test::replay(edited, s.mode);
  EXPECT_TRUE(r.diverged);
}

TEST(FaultMinimize, KeepsExactlyTheFaultItNeeds) {
  for (const char* name : kRacy) {
    Quick q;
    q.runs = 300;
    q.stop_at_first = true;
    q.fault_budget = 3;  // more faults than the bug needs: the minimiser drops the rest
    q.faults = kAllFaults;
    CampaignResult r = test::campaign(name, q);
    ASSERT_TRUE(r.first) << name;
    MinimizeOptions o;
    o.max_runs = 300;
    o.cpu = test::test_cpu();
    MinimizeResult m = minimize_schedule(*r.first, o);
    EXPECT_EQ(m.schedule.fault_steps(), 1) << name << ":\n" << format_schedule(m.schedule);
    RunResult rr = test::replay(m.schedule, m.schedule.mode);
    EXPECT_FALSE(rr.diverged) << rr.divergence;
    EXPECT_EQ(rr.kind, r.first->finding);
  }
}

// A killed actor's death is expected (TargetInfo::may_die), so the run goes
// on: the finding of the racy twin is the survivors' deadlock, not a crash,
// and the kill is the fault its minimised schedule keeps.
TEST(FaultKill, ExpectedDeathIsNoCrashAndSurvivorsAreJudged) {
  for (ActorMode mode : {ActorMode::processes, ActorMode::threads}) {
    Quick q;
    q.mode = mode;
    q.runs = 300;
    q.stop_at_first = true;
    CampaignResult r = test::campaign("faults.killed_holder.racy", q);
    ASSERT_TRUE(r.first) << actor_mode_name(mode);
    EXPECT_EQ(r.first->finding, FindingKind::deadlock) << r.first->message;
    bool killed = false;
    for (const auto& st : r.first->steps) killed |= st.fault == FaultKind::kill;
    EXPECT_TRUE(killed) << format_schedule(*r.first);
  }
}

}  // namespace
}  // namespace ipcrace

namespace ipcrace {
namespace {

History hist(std::initializer_list<HistoryEvent> evs) {
  History h;
  for (const auto& e : evs) h.add(e);
  return h;
}
HistoryEvent inv(int p, const char* op, Value v) { return {p, EventType::invoke, op, "", std::move(v)}; }
HistoryEvent done(int p, EventType t, Value v = {}) { return {p, t, "", "", std::move(v)}; }

// A failed cas constrains the history: its compare ran and did not hold.
TEST(FaultLinearizability, FailedCasWhoseCompareHeldIsNotLinearizable) {
  auto m = make_model("cas-register");
  // write 0, then (sequentially) cas 0 -> 1 fails: the compare held.
  History bad = hist({inv(0, "write", Value::of({0})), done(0, EventType::ok), inv(1, "cas", Value::of({0, 1})),
                      done(1, EventType::fail)});
  EXPECT_EQ(check_linearizable(bad, *m).verdict, Linearizable::no);
  // cas 5 -> 1 fails after write 0: fine.
  History good = hist({inv(0, "write", Value::of({0})), done(0, EventType::ok), inv(1, "cas", Value::of({5, 1})),
                       done(1, EventType::fail)});
  EXPECT_EQ(check_linearizable(good, *m).verdict, Linearizable::yes);
  // cas 0 -> 1 fails concurrently with write 5: it may run after the write.
  History overlap = hist({inv(0, "write", Value::of({0})), done(0, EventType::ok), inv(1, "cas", Value::of({0, 1})),
                          inv(0, "write", Value::of({5})), done(1, EventType::fail), done(0, EventType::ok)});
  EXPECT_EQ(check_linearizable(overlap, *m).verdict, Linearizable::yes);
}

// Recorded histories of faults.killed_holder.robust: actor 0's `add` open
// when it was killed is info; every such run is clean (linearizable), and in
// some of them the dead actor's increment took effect, so the same history
// with that op declared failed (not applied) is not linearizable.
TEST(FaultLinearizability, KilledActorsOpsAreIndeterminateInRecordedHistories) {
  for (ActorMode mode : {ActorMode::processes, ActorMode::threads}) {
    RunConfig cfg;
    cfg.mode = mode;
    cfg.cpu = test::test_cpu();
    Engine e(test::target("faults.killed_holder.robust"), {}, cfg);
    auto st = make_strategy(StrategyOptions{.name = "random", .seed = 7});
    auto m = make_model("counter");
    int killed_open = 0, applied = 0;
    for (uint64_t i = 0; i < 300 && applied == 0; ++i) {
      st->new_run(i);
      RunResult r = e.run(*st, run_seed(7, i));
      ASSERT_FALSE(r.found()) << r.message;
      bool killed = false;
      for (const auto& s : r.trace) killed |= s.fault == FaultKind::kill;
      std::vector<Operation> ops;
      std::string err;
      ASSERT_TRUE(r.history.operations(&ops, &err)) << err;
      bool open = false;
      for (const auto& op : ops) open |= op.process == 0 && op.indeterminate();
      if (!killed || !open) continue;
      ++killed_open;
      History as_failed = r.history;
      as_failed.add(HistoryEvent{0, EventType::fail, "", "", {}});
      if (check_linearizable(as_failed, *m).verdict == Linearizable::no) ++applied;
    }
    EXPECT_GT(killed_open, 0) << actor_mode_name(mode);
    EXPECT_GT(applied, 0) << actor_mode_name(mode) << ": no run where the killed actor's add took effect";
  }
}

}  // namespace
}  // namespace ipcrace
