// Built only in the tsan preset. Under the controlled scheduler in thread
// mode, ThreadSanitizer must still see the data race of the unsynchronised
// counter (the scheduler's handoff adds no happens-before edge), and the
// report must become a finding of kind `tsan`. The synchronised counters
// must give none: their locks are real happens-before.
#include <gtest/gtest.h>

#include "race_agreement.hpp"  // cli/
#include "support/support.hpp"

namespace ipcrace {
namespace {

TEST(Tsan, RacyCounterUnderTheSchedulerIsATsanFinding) {
  test::Quick q;
  q.race = false;  // TSan itself, not ipcrace's detector (which would report the race first)
  q.mode = ActorMode::threads;
  q.runs = 20;
  auto r = test::campaign("shm.counter.racy", q);
  EXPECT_GT(r.by_kind[size_t(FindingKind::tsan)], 0u);
  ASSERT_TRUE(r.first);
  EXPECT_EQ(r.first->finding, FindingKind::tsan);
  EXPECT_NE(r.first->message.find("ThreadSanitizer"), std::string::npos);
}

TEST(Tsan, ASingleSerialRunStillReportsTheRace) {
  // Even a schedule that runs actor 0 to completion before actor 1 (no
  // preemption, so no lost update) is a race to TSan: nothing orders them.
  RunConfig cfg;
  cfg.mode = ActorMode::threads;
  cfg.race = false;  // TSan itself, not ipcrace's detector
  Engine e(test::target("shm.counter.racy"), {}, cfg);
  StrategyOptions so;
  so.name = "fuzz-bytes";  // no bytes: non-preemptive
  auto st = make_strategy(so);
  st->new_run(0);
  RunResult r = e.run(*st, 1);
  EXPECT_EQ(r.kind, FindingKind::tsan) << r.message;
}

// Every racy target that races on plain shared memory (the shm family and
// the unsynchronised ring) is a tsan finding in thread mode.
TEST(Tsan, EveryRacySharedMemoryTargetGivesATsanFinding) {
  int checked = 0;
  for (const auto& t : all_targets()) {
    if (t.expect() != Expect::finding || !(t.family == "shm" || t.name == "mqueue.ring.racy")) continue;
    test::Quick q;
    q.race = false;  // TSan itself, not ipcrace's detector (which would report the race first)
    q.mode = ActorMode::threads;
    q.runs = 20;
    auto r = test::campaign(t.name, q);
    EXPECT_GT(r.by_kind[size_t(FindingKind::tsan)], 0u) << t.name;
    ++checked;
  }
  EXPECT_GE(checked, 4);
}

class TsanClean : public ::testing::TestWithParam<const char*> {};
TEST_P(TsanClean, SynchronisedCounterGivesNoReport) {
  test::Quick q;
  q.race = false;  // TSan itself, not ipcrace's detector (which would report the race first)
  q.mode = ActorMode::threads;
  q.runs = 200;
  auto r = test::campaign(GetParam(), q);
  EXPECT_EQ(r.findings, 0u) << (r.first ? r.first->message : "");
}
INSTANTIATE_TEST_SUITE_P(SharedMemory, TsanClean,
                         ::testing::Values("shm.counter.mutex", "shm.counter.semaphore", "shm.counter.atomic",
                                           "shm.record.seqlock", "shm.record.rwlock", "shm.once.cas",
                                           "shm.once.mutex", "mqueue.ring.mutex_sem", "mqueue.ring.spsc"));

// The README's table ("Against ThreadSanitizer"): on every shared-memory
// target, including the edge-case fixtures (test.race.*), TSan in thread mode
// and ipcrace's detector in threads and in processes agree run for run (same
// schedules: random, seed 1), and processes show the pairs threads show.
TEST(Tsan, AgreesWithTheDetectorOnEverySharedMemoryTarget) {
  std::vector<AgreementRow> rows;
  for (const TargetInfo* t : shared_memory_targets()) {
    rows.push_back(race_agreement(*t, 4, test::test_cpu()));
    EXPECT_TRUE(rows.back().tsan_build);
    EXPECT_TRUE(rows.back().agree()) << t->name;
    if (rows.back().data_race) EXPECT_GT(rows.back().tsan_threads, 0u) << t->name;
  }
  EXPECT_GE(rows.size(), 25u);
  std::printf("%s", agreement_table(rows).c_str());
}

}  // namespace
}  // namespace ipcrace
