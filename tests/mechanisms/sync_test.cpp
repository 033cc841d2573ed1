// sync family: every racy target is found by pct within its budget for seeds
// 1..10, with the finding its bug class predicts; every synchronised target
// stays clean under random, pct, pos and a bounded dfs, in process and thread
// mode; a finding replays; removing the locks (IPCRACE_INJECT=no-lock) makes
// the lock-based variants fail; no run leaves anything behind.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "ipcrace/exit_codes.hpp"
#include "support/support.hpp"

namespace ipcrace::test {
namespace {

const std::vector<RacyCase> kRacy = {
    {"sync.lock_order.racy", FindingKind::deadlock, {"every live actor is blocked"}},
    {"sync.tas_lock.racy", FindingKind::assertion, {"mutual exclusion violated"}},
    {"sync.condvar.lost_wakeup", FindingKind::deadlock, {"cv_wait"}},
    {"sync.condvar.if_wait", FindingKind::assertion, {"empty queue"}},
    {"sync.semaphore.missed_post", FindingKind::deadlock, {"sem_wait"}},
};
const std::vector<std::string> kSynchronised = {
    "sync.lock_order.ordered",           "sync.tas_lock.exchange",  "sync.tas_lock.mutex",
    "sync.condvar.predicate_under_lock", "sync.condvar.while_wait", "sync.semaphore.post_always",
};

class Racy : public testing::TestWithParam<RacyCase> {};
class Synchronised : public testing::TestWithParam<std::string> {};

TEST_P(Racy, PctFindsItWithinBudgetInProcesses) { expect_found(GetParam(), ActorMode::processes, 10); }
TEST_P(Racy, PctFindsItWithinBudgetInThreads) { expect_found(GetParam(), ActorMode::threads, 3); }
TEST_P(Synchronised, CleanInProcesses) { expect_clean(GetParam(), ActorMode::processes, 300); }
TEST_P(Synchronised, CleanInThreads) { expect_clean(GetParam(), ActorMode::threads, 100); }

INSTANTIATE_TEST_SUITE_P(Sync, Racy, testing::ValuesIn(kRacy),
                         [](const testing::TestParamInfo<RacyCase>& i) { return test_name(i.param.name); });
INSTANTIATE_TEST_SUITE_P(Sync, Synchronised, testing::ValuesIn(kSynchronised),
                         [](const testing::TestParamInfo<std::string>& i) { return test_name(i.param); });

TEST(Sync, TargetsAreRegisteredWithTheirFamily) {
  for (const auto& c : kRacy) {
    EXPECT_EQ(target(c.name).family, "sync");
    EXPECT_TRUE(target(c.name).defaults.has("actors"));
  }
  for (const auto& n : kSynchronised) {
    EXPECT_EQ(target(n).family, "sync");
    EXPECT_FALSE(target(n).sync.empty()) << n;
    EXPECT_TRUE(target(n).defaults.has("actors"));
  }
  // Every sync target registered is covered here.
  size_t registered = 0;
  for (const auto& t : all_targets()) registered += t.family == "sync";
  EXPECT_EQ(registered, kRacy.size() + kSynchronised.size());
}

TEST(Sync, RacyFindingsReplayInBothModes) {
  for (const auto& c : kRacy)
    for (ActorMode mode : {ActorMode::processes, ActorMode::threads}) {
      Quick q;
      q.runs = 200;
      q.mode = mode;
      q.stop_at_first = true;
      CampaignResult r = campaign(c.name, q);
      ASSERT_TRUE(r.first.has_value()) << c.name;
      RunResult again = replay(*r.first, mode);
      EXPECT_FALSE(again.diverged) << c.name << ": " << again.divergence;
      EXPECT_EQ(again.kind, r.first->finding) << c.name;
      EXPECT_EQ(again.message, r.first->message) << c.name;
    }
  EXPECT_EQ(leftovers(), std::set<std::string>{});
}

TEST(Sync, LargerWorkloadsStayClean) {
  expect_clean("sync.lock_order.ordered", ActorMode::processes, 60, {{"actors", 3}, {"ops", 2}});
  expect_clean("sync.tas_lock.exchange", ActorMode::processes, 60, {{"actors", 3}, {"ops", 2}});
  expect_clean("sync.tas_lock.mutex", ActorMode::processes, 60, {{"actors", 3}, {"ops", 2}});
  expect_clean("sync.condvar.predicate_under_lock", ActorMode::processes, 60, {{"actors", 4}});
  expect_clean("sync.condvar.while_wait", ActorMode::processes, 60, {{"actors", 4}, {"items", 2}});
  expect_clean("sync.semaphore.post_always", ActorMode::processes, 60, {{"actors", 3}, {"items", 3}});
}

// The lost wakeup needs no second consumer, the if-wait bug does: with one
// consumer, waking means the item is there.
TEST(Sync, IfWaitNeedsTwoConsumers) {
  Quick q;
  q.strategy = "dfs";
  q.runs = 2000;
  q.params = Params{{"actors", 2}};
  CampaignResult r = campaign("sync.condvar.if_wait", q);
  EXPECT_EQ(r.findings, 0u) << (r.first ? r.first->message : std::string());
  EXPECT_EQ(leftovers(), std::set<std::string>{});
}

// The gate's self-test: with every lock removed, the lock-based variants race.
TEST(Sync, RemovingTheLocksMakesLockedVariantsFail) {
  char dir[] = "/tmp/sync-test-findings-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  for (const char* name : {"sync.tas_lock.exchange", "sync.tas_lock.mutex", "sync.condvar.while_wait"}) {
    Cmd c = run_cmd({"run", name, "--strategy", "pct", "--runs", "1000", "--stop-at-first", "-q", "--out", dir},
                    "IPCRACE_INJECT=no-lock");
    EXPECT_EQ(c.code, kExitFinding) << name << "\n" << c.out << c.err;
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ipcrace::test
