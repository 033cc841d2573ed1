// Known outcomes and detection paths: the racy counter is found, the mutex
// counter survives, dfs is exhaustive, and each failure mode gives its kind.
#include <gtest/gtest.h>

#include <map>

#include "support/support.hpp"

namespace ipcrace {
namespace {

TEST(KnownOutcomes, DfsFindsTheRaceAndCountsSchedules) {
  test::Quick q;
  q.strategy = "dfs";
  q.runs = 100000;
  auto r = test::campaign("shm.counter.racy", q);
  EXPECT_GT(r.findings, 0u);
  EXPECT_TRUE(r.exhausted) << r.strategy_summary;
  EXPECT_NE(r.strategy_summary.find("schedules explored"), std::string::npos);
  EXPECT_GT(r.runs, 1u);
}

TEST(KnownOutcomes, DfsExploresTheWholeBoundedSpaceOfTheMutexCounter) {
  test::Quick q;
  q.strategy = "dfs";
  q.runs = 100000;
  q.params.set("ops", 1);
  auto r = test::campaign("shm.counter.mutex", q);
  EXPECT_EQ(r.findings, 0u);
  EXPECT_TRUE(r.exhausted) << r.strategy_summary;
  EXPECT_NE(r.strategy_summary.find("complete"), std::string::npos) << r.strategy_summary;
  // Sleep sets prune: fewer schedules than the unreduced interleavings of
  // 2 actors x 4 ops (C(8,4) = 70) with bound 2.
  EXPECT_LT(r.runs, 70u);
  EXPECT_GE(r.runs - r.pruned, 2u);
}

// The preemption bound limits what dfs can see: with bound 0 the lost update
// (which needs one preemption) is never found, and the space is complete.
TEST(KnownOutcomes, DfsBoundZeroCannotPreempt) {
  CampaignOptions o;
  o.strategy.name = "dfs";
  o.strategy.preemption_bound = 0;
  o.runs = 10000;
  o.run.cpu = test::test_cpu();
  o.run.race = false;  // the oracle's lost update (the race needs no preemption)
  auto r = run_campaign(test::target("shm.counter.racy"), o);
  EXPECT_EQ(r.findings, 0u);
  EXPECT_TRUE(r.exhausted);
  o.strategy.preemption_bound = 1;
  EXPECT_GT(run_campaign(test::target("shm.counter.racy"), o).findings, 0u);
}

TEST(DetectionPaths, LockOrderInversionIsADeadlock) {
  test::Quick q;
  q.runs = 200;
  q.stop_at_first = true;
  auto r = test::campaign("sync.lock_order.racy", q);
  ASSERT_TRUE(r.first);
  EXPECT_EQ(r.first->finding, FindingKind::deadlock);
  EXPECT_NE(r.first->message.find("lock.A"), std::string::npos) << r.first->message;
  EXPECT_NE(r.first->message.find("lock.B"), std::string::npos) << r.first->message;
  EXPECT_TRUE(test::leftovers().empty());
}

TEST(DetectionPaths, SegfaultIsACrashWithItsSignal) {
  RunConfig cfg;
  cfg.cpu = test::test_cpu();
  Engine e(test::target("test.segfault"), {}, cfg);
  StrategyOptions so;
  so.name = "random";
  auto st = make_strategy(so);
  st->new_run(0);
  RunResult r = e.run(*st, 1);
  EXPECT_EQ(r.kind, FindingKind::crash);
  EXPECT_NE(r.message.find("actor 1"), std::string::npos) << r.message;
  // Plain builds die of SIGSEGV; under a sanitizer its SEGV handler reports
  // on the actor's stderr and exits instead.
  const bool by_signal = r.message.find("signal 11") != std::string::npos;
  const bool by_sanitizer = r.actor_stderr.find("SEGV") != std::string::npos;
  EXPECT_TRUE(by_signal || by_sanitizer) << r.message << "\n" << r.actor_stderr;
  EXPECT_TRUE(test::leftovers().empty());
}

TEST(DetectionPaths, CrashKeepsTheActorsStderr) {
  // ASan/UBSan builds print their report to the actor's stderr; without a
  // sanitizer the stderr is still captured (empty report is fine), never lost.
  RunConfig cfg;
  cfg.cpu = test::test_cpu();
  Engine e(test::target("test.segfault"), {}, cfg);
  StrategyOptions so;
  so.name = "pct";
  auto st = make_strategy(so);
  st->new_run(0);
  RunResult r = e.run(*st, 1);
  ASSERT_EQ(r.kind, FindingKind::crash);
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
  EXPECT_NE(r.actor_stderr.find("AddressSanitizer"), std::string::npos) << r.actor_stderr;
#endif
#endif
}

TEST(DetectionPaths, ActorThatNeverReachesItsNextPointIsAHang) {
  test::Quick q;
  q.runs = 1;
  q.watchdog_ms = 200;
  auto r = test::campaign("test.hang", q);
  ASSERT_TRUE(r.first);
  EXPECT_EQ(r.first->finding, FindingKind::hang);
  EXPECT_NE(r.first->message.find("watchdog"), std::string::npos);
  EXPECT_TRUE(test::leftovers().empty());
}

TEST(DetectionPaths, LivelockHitsTheStepLimit) {
  CampaignOptions o;
  o.strategy.name = "random";
  o.runs = 1;
  o.run.step_limit = 500;
  o.run.cpu = test::test_cpu();
  auto r = run_campaign(test::target("test.spin"), o);
  ASSERT_TRUE(r.first);
  EXPECT_EQ(r.first->finding, FindingKind::step_limit);
  EXPECT_EQ(r.first->steps.size(), 500u);
  EXPECT_TRUE(test::leftovers().empty());
}

TEST(DetectionPaths, ThreadModeDeadlockUnwindsTheThreads) {
  test::Quick q;
  q.mode = ActorMode::threads;
  q.runs = 300;
  auto r = test::campaign("sync.lock_order.racy", q);
  EXPECT_GT(r.by_kind[size_t(FindingKind::deadlock)] + r.by_kind[size_t(FindingKind::tsan)], 0u);
  EXPECT_EQ(r.runs, 300u);  // every run ended cleanly, the engine kept going
}

TEST(FreeRun, RunsWithoutSchedulerAndFindsNoBugInTheMutexCounter) {
  test::Quick q;
  q.mode = ActorMode::free;
  q.runs = 50;
  auto r = test::campaign("shm.counter.mutex", q);
  EXPECT_EQ(r.findings, 0u);
  EXPECT_EQ(r.runs, 50u);
  EXPECT_TRUE(test::leftovers().empty());
}

TEST(FreeRun, DetectsADeadlockWithoutTheScheduler) {
  // Many ops make the inversion likely under real concurrency; whatever
  // happens, the run ends (deadlock detected or the ops completed).
  test::Quick q;
  q.mode = ActorMode::free;
  q.runs = 5;
  q.params.set("ops", 200);
  auto r = test::campaign("sync.lock_order.racy", q);
  EXPECT_EQ(r.runs, 5u);
  for (size_t k = 0; k < r.by_kind.size(); ++k)
    if (k != size_t(FindingKind::deadlock)) EXPECT_EQ(r.by_kind[k], 0u) << finding_kind_name(FindingKind(k));
  EXPECT_TRUE(test::leftovers().empty());
}

}  // namespace
}  // namespace ipcrace

namespace ipcrace {
namespace {

// The event stream: every Cell access is a step that carries what it did
// (Actor::outcome): a load the value it read, a store the value it wrote.
// In the racy counter each actor stores what it loaded plus one.
TEST(StepOutcomes, CellAccessesCarryTheValuesTheyReadAndWrote) {
  for (ActorMode mode : {ActorMode::processes, ActorMode::threads}) {
    RunConfig cfg;
    cfg.mode = mode;
    cfg.cpu = test::test_cpu();
    Engine engine(test::target("shm.counter.racy"), {}, cfg);
    StrategyOptions so;
    so.name = "random";
    so.seed = 3;
    auto st = make_strategy(so);
    st->new_run(0);
    RunResult r = engine.run(*st, 11);
    ASSERT_FALSE(r.trace.empty());
    std::map<int, uint64_t> loaded;
    int stores = 0;
    for (const Step& s : r.trace) {
      if (s.op.kind != OpKind::shm_load && s.op.kind != OpKind::shm_store) continue;
      ASSERT_TRUE(s.has_outcome) << op_kind_name(s.op.kind) << " " << s.op.label;
      EXPECT_EQ(s.op.size, sizeof(long));
      EXPECT_EQ(s.op.order, MemOrder::plain);
      if (s.op.kind == OpKind::shm_load) {
        loaded[s.actor] = s.value;
      } else {
        ASSERT_TRUE(loaded.count(s.actor));
        EXPECT_EQ(s.value, loaded[s.actor] + 1) << "actor " << s.actor;
        ++stores;
      }
    }
    EXPECT_EQ(stores, 4);  // 2 actors x 2 increments
  }
}

}  // namespace
}  // namespace ipcrace
