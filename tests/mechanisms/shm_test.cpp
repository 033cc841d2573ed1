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
#include "support/support.hpp"

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

class Racy : public testing::TestWithParam<RacyCase> {};
class Synchronised : public testing::TestWithParam<std::string> {};

TEST_P(Racy, PctFindsItWithinBudgetInProcesses) { expect_found(GetParam(), ActorMode::processes, 10); }
TEST_P(Racy, PctFindsItWithinBudgetInThreads) { expect_found(GetParam(), ActorMode::threads, 3); }
TEST_P(Synchronised, CleanInProcesses) { expect_clean(GetParam(), ActorMode::processes, 300); }
TEST_P(Synchronised, CleanInThreads) { expect_clean(GetParam(), ActorMode::threads, 100); }

INSTANTIATE_TEST_SUITE_P(Shm, Racy, testing::ValuesIn(kRacy),
                         [](const testing::TestParamInfo<RacyCase>& i) { return test_name(i.param.name); });
INSTANTIATE_TEST_SUITE_P(Shm, Synchronised, testing::ValuesIn(kSynchronised),
                         [](const testing::TestParamInfo<std::string>& i) { return test_name(i.param); });

TEST(Shm, TargetsAreRegisteredWithTheirFamily) {
  for (const auto& c : kRacy) {
    EXPECT_EQ(target(c.name).family, "shm");
    EXPECT_TRUE(target(c.name).defaults.has("actors"));
  }
  for (const auto& n : kSynchronised) {
    EXPECT_EQ(target(n).family, "shm");
    EXPECT_FALSE(target(n).sync.empty()) << n;
    EXPECT_TRUE(target(n).defaults.has("actors"));
  }
  // Every shm target registered is covered here.
  size_t registered = 0;
  for (const auto& t : all_targets()) registered += t.family == "shm";
  EXPECT_EQ(registered, kRacy.size() + kSynchronised.size());
}

TEST(Shm, RacyFindingsReplayInBothModes) {
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
