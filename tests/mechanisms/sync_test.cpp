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
#include "support/family_tests.hpp"

namespace ipcrace::test {
namespace {

const std::vector<RacyCase> kRacy = {
    {"sync.lock_order.racy", FindingKind::deadlock, {"every live actor is blocked"}},
    {"sync.tas_lock.racy", FindingKind::assertion, {"mutual exclusion violated"}},
    {"sync.condvar.lost_wakeup", FindingKind::deadlock, {"cv_wait"}},
    {"sync.condvar.unlocked_signal", FindingKind::deadlock, {"cv_wait"}},
    {"sync.condvar.if_wait", FindingKind::assertion, {"empty queue"}},
    {"sync.semaphore.missed_post", FindingKind::deadlock, {"sem_wait"}},
};
const std::vector<std::string> kSynchronised = {
    "sync.lock_order.ordered",           "sync.tas_lock.exchange",  "sync.tas_lock.mutex",
    "sync.condvar.predicate_under_lock", "sync.condvar.while_wait", "sync.semaphore.post_always",
};

const Family kFamily = {"sync", kRacy, kSynchronised};

IPCRACE_FAMILY_TESTS(Sync, kFamily)

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

// CondVar::wait has a point at its entry, before it reads the generation: a
// notify from a signaller that holds no mutex can land between the waiter's
// check and its wait. Without that point the lost wakeup was unreachable
// (an exhaustive dfs was clean); now the bounded dfs finds it, with one
// preemption, and the correct condvar targets stay clean under it.
TEST(Sync, LostWakeupBetweenCheckAndWaitIsReachable) {
  Quick q;
  q.strategy = "dfs";
  q.runs = 2000;
  q.stop_at_first = true;
  q.race = false;  // the deadlock (its unlocked signal is also a data race, reported when on)
  CampaignResult r = campaign("sync.condvar.unlocked_signal", q);
  ASSERT_TRUE(r.first.has_value()) << describe(r);
  EXPECT_EQ(r.first->finding, FindingKind::deadlock) << r.first->message;
  EXPECT_NE(r.first->message.find("cv_wait"), std::string::npos) << r.first->message;
  EXPECT_LE(r.first->preemptions(), 1) << r.first->message;
  for (const char* name : {"sync.condvar.predicate_under_lock", "sync.condvar.while_wait"}) {
    Quick c;
    c.strategy = "dfs";
    c.runs = 2000;
    const CampaignResult clean = campaign(name, c);
    EXPECT_EQ(clean.findings, 0u) << name << ": " << (clean.first ? clean.first->message : std::string());
  }
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
