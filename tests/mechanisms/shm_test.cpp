// shm family: every racy target is found by pct within its budget for seeds
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
    {"shm.counter.racy", FindingKind::assertion, {"lost update"}},
    {"shm.record.racy", FindingKind::assertion, {"torn read"}},
    {"shm.once.racy", FindingKind::assertion, {"init ran"}},
};
const std::vector<std::string> kSynchronised = {
    "shm.counter.mutex", "shm.counter.semaphore", "shm.counter.atomic", "shm.record.seqlock",
    "shm.record.rwlock", "shm.once.cas",          "shm.once.mutex",
};

const Family kFamily = {"shm", kRacy, kSynchronised};

IPCRACE_FAMILY_TESTS(Shm, kFamily)

TEST(Shm, LargerWorkloadsStayClean) {
  expect_clean("shm.record.seqlock", ActorMode::processes, 60, {{"actors", 3}, {"writes", 3}, {"reads", 3}, {"words", 4}});
  expect_clean("shm.record.rwlock", ActorMode::processes, 60, {{"actors", 3}, {"writes", 3}, {"reads", 3}, {"words", 4}});
  expect_clean("shm.once.cas", ActorMode::processes, 60, {{"actors", 4}});
  expect_clean("shm.once.mutex", ActorMode::processes, 60, {{"actors", 4}});
}

TEST(Shm, RecordRejectsTooManyWords) {
  Quick q;
  q.runs = 1;
  q.params = Params{{"words", 9}};
  EXPECT_ANY_THROW(campaign("shm.record.racy", q));
  EXPECT_EQ(leftovers(), std::set<std::string>{});
}

// The gate's self-test: with every lock removed, the lock-based variants race.
TEST(Shm, RemovingTheLocksMakesLockedVariantsFail) {
  char dir[] = "/tmp/shm-test-findings-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  for (const char* name : {"shm.counter.mutex", "shm.counter.semaphore", "shm.record.rwlock", "shm.once.mutex"}) {
    Cmd c = run_cmd({"run", name, "--strategy", "pct", "--runs", "1000", "--stop-at-first", "-q", "--out", dir},
                    "IPCRACE_INJECT=no-lock");
    EXPECT_EQ(c.code, kExitFinding) << name << "\n" << c.out << c.err;
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ipcrace::test
