// mqueue family: every racy target is found by pct within its budget for seeds
// 1..10; every synchronised target stays clean under random, pct, pos and a
// bounded dfs, in process and thread mode; no run leaves anything behind.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <vector>

#include "ipcrace/exit_codes.hpp"
#include "support/support.hpp"

namespace ipcrace::test {
namespace {

const std::vector<std::string> kRacy = {"mqueue.posix.racy", "mqueue.boost.racy", "mqueue.ring.racy"};
const std::vector<std::string> kSynchronised = {"mqueue.posix.blocking", "mqueue.boost.blocking",
                                                "mqueue.ring.mutex_sem", "mqueue.ring.spsc"};

std::string param_name(const testing::TestParamInfo<std::string>& info) {
  std::string s = info.param;
  for (char& c : s)
    if (c == '.') c = '_';
  return s;
}

class Racy : public testing::TestWithParam<std::string> {};
class Synchronised : public testing::TestWithParam<std::string> {};

void expect_found(const std::string& name, ActorMode mode, int seeds) {
  const TargetInfo& t = target(name);
  ASSERT_EQ(t.variant, Variant::racy);
  for (int s = 1; s <= seeds; ++s) {
    Quick q;
    q.strategy = "pct";
    q.seed = uint64_t(s);
    q.runs = uint64_t(t.budget_runs);
    q.mode = mode;
    q.stop_at_first = true;
    CampaignResult r = campaign(name, q);
    EXPECT_GT(r.findings, 0u) << name << ": pct seed " << s << " found nothing in " << r.runs << " runs ("
                              << actor_mode_name(mode) << ")";
  }
  EXPECT_TRUE(leftovers().empty());
}

void expect_clean(const std::string& name, ActorMode mode, uint64_t runs) {
  ASSERT_EQ(target(name).variant, Variant::synchronised);
  for (const char* strategy : {"random", "pct", "pos", "dfs"}) {
    Quick q;
    q.strategy = strategy;
    q.runs = std::string(strategy) == "dfs" ? runs * 2 / 3 : runs;  // dfs: bounded, preemption bound 2
    q.seed = 7;
    q.mode = mode;
    q.stop_at_first = true;
    CampaignResult r = campaign(name, q);
    EXPECT_EQ(r.findings, 0u) << name << " under " << strategy << " (" << actor_mode_name(mode) << "): "
                              << (r.first ? r.first->message : std::string());
    EXPECT_GT(r.runs, 0u);
  }
  EXPECT_TRUE(leftovers().empty());
}

TEST_P(Racy, PctFindsItWithinBudgetInProcesses) { expect_found(GetParam(), ActorMode::processes, 10); }
TEST_P(Racy, PctFindsItWithinBudgetInThreads) { expect_found(GetParam(), ActorMode::threads, 3); }
TEST_P(Synchronised, CleanInProcesses) { expect_clean(GetParam(), ActorMode::processes, 300); }
TEST_P(Synchronised, CleanInThreads) { expect_clean(GetParam(), ActorMode::threads, 100); }

INSTANTIATE_TEST_SUITE_P(Mqueue, Racy, testing::ValuesIn(kRacy), param_name);
INSTANTIATE_TEST_SUITE_P(Mqueue, Synchronised, testing::ValuesIn(kSynchronised), param_name);

TEST(Mqueue, TargetsAreRegisteredWithTheirFamily) {
  for (const auto& n : kRacy) EXPECT_EQ(target(n).family, "mqueue");
  for (const auto& n : kSynchronised) {
    EXPECT_EQ(target(n).family, "mqueue");
    EXPECT_FALSE(target(n).sync.empty());
  }
}

TEST(Mqueue, RemovingTheLockBreaksTheBoundedBuffer) {
  // The gate's self-test (IPCRACE_INJECT=no-lock) turns sync::Mutex into a
  // no-op: two producers then share the tail and the gate must fail.
  char dir[] = "/tmp/ipcrace-mqueue-inject-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  Cmd r = run_cmd({"gate", "mqueue.ring.mutex_sem", "--seeds", "1", "--clean-runs", "300", "--actors", "threads",
                   "--out", dir},
                  "IPCRACE_INJECT=no-lock");
  std::filesystem::remove_all(dir);
  EXPECT_EQ(r.code, kExitGateMismatch) << r.out << r.err;
}

TEST(Mqueue, QueuesAreVisibleForTheLeakCheck) {
  // Without the mqueue file system a leaked POSIX queue would pass unseen.
  EXPECT_TRUE(mqueue_visible());
}

}  // namespace
}  // namespace ipcrace::test
