// rpc family: every racy target is found by pct within its budget (seeds
// 1..10), every synchronised one stays clean under random, pct, pos and a
// bounded dfs, in process and thread mode, and no run leaves anything behind.
#include <gtest/gtest.h>
#include <unistd.h>

#include <set>
#include <string>

#include "support/support.hpp"

namespace ipcrace::test {
namespace {

const char* const kRacy[] = {"rpc.mux.racy", "rpc.kv.racy"};
const char* const kSynchronised[] = {"rpc.mux.locked", "rpc.mux.ids", "rpc.kv.locked"};

// Leftovers of this process only: other campaigns may run on the machine.
std::set<std::string> my_leftovers() {
  const std::string mine = "ipcrace." + std::to_string(getpid()) + ".";
  std::set<std::string> out;
  for (const auto& l : leftovers())
    if (l.rfind("process ", 0) == 0 || l.find(mine) != std::string::npos) out.insert(l);
  return out;
}

std::string describe(const CampaignResult& r) {
  std::string s = r.target + " " + r.strategy + " seed " + std::to_string(r.seed) + ": " +
                  std::to_string(r.findings) + " finding(s) in " + std::to_string(r.runs) + " runs";
  if (r.first) s += "; first: " + r.first->message;
  return s;
}

void expect_found(const std::string& name, ActorMode mode, int seeds) {
  const TargetInfo& t = target(name);
  EXPECT_EQ(t.variant, Variant::racy);
  EXPECT_LE(t.budget_runs, 1000);
  for (int s = 1; s <= seeds; ++s) {
    CampaignResult r = campaign(name, Quick{.strategy = "pct",
                                            .runs = uint64_t(t.budget_runs),
                                            .seed = uint64_t(s),
                                            .mode = mode,
                                            .stop_at_first = true});
    EXPECT_GT(r.findings, 0u) << describe(r);
  }
}

void expect_clean(const std::string& name, ActorMode mode, uint64_t runs, uint64_t dfs_runs) {
  EXPECT_EQ(target(name).variant, Variant::synchronised);
  for (const char* strategy : {"random", "pct", "pos"}) {
    CampaignResult r = campaign(name, Quick{.strategy = strategy, .runs = runs, .seed = 7, .mode = mode});
    EXPECT_EQ(r.findings, 0u) << describe(r);
    EXPECT_EQ(r.runs, runs) << describe(r);
  }
  CampaignResult d = campaign(name, Quick{.strategy = "dfs", .runs = dfs_runs, .seed = 1, .mode = mode});
  EXPECT_EQ(d.findings, 0u) << describe(d) << " (" << d.strategy_summary << ")";
}

class RpcRacy : public ::testing::TestWithParam<const char*> {};
class RpcSynchronised : public ::testing::TestWithParam<const char*> {};

TEST_P(RpcRacy, PctFindsItWithinBudgetProcesses) {
  expect_found(GetParam(), ActorMode::processes, 10);
  EXPECT_EQ(my_leftovers(), std::set<std::string>{});
}

TEST_P(RpcRacy, PctFindsItWithinBudgetThreads) {
  expect_found(GetParam(), ActorMode::threads, 3);
  EXPECT_EQ(my_leftovers(), std::set<std::string>{});
}

TEST_P(RpcRacy, FindingReplays) {
  CampaignResult r = campaign(GetParam(), Quick{.strategy = "pct", .runs = 1000, .seed = 1, .stop_at_first = true});
  ASSERT_TRUE(r.first.has_value()) << describe(r);
  RunResult again = replay(*r.first, ActorMode::processes);
  EXPECT_FALSE(again.diverged) << again.divergence;
  EXPECT_EQ(again.kind, r.first->finding);
  EXPECT_EQ(again.message, r.first->message);
  EXPECT_EQ(my_leftovers(), std::set<std::string>{});
}

TEST_P(RpcSynchronised, CleanProcesses) {
  expect_clean(GetParam(), ActorMode::processes, 300, 500);
  EXPECT_EQ(my_leftovers(), std::set<std::string>{});
}

TEST_P(RpcSynchronised, CleanThreads) {
  expect_clean(GetParam(), ActorMode::threads, 100, 300);
  EXPECT_EQ(my_leftovers(), std::set<std::string>{});
}

std::string param_name(const ::testing::TestParamInfo<const char*>& info) {
  std::string s = info.param;
  for (char& c : s)
    if (c == '.') c = '_';
  return s;
}

INSTANTIATE_TEST_SUITE_P(Rpc, RpcRacy, ::testing::ValuesIn(kRacy), param_name);
INSTANTIATE_TEST_SUITE_P(Rpc, RpcSynchronised, ::testing::ValuesIn(kSynchronised), param_name);

TEST(RpcTargets, MisroutedReplyIsReportedAsSuch) {
  CampaignResult r = campaign("rpc.mux.racy", Quick{.strategy = "pct", .runs = 1000, .seed = 1, .stop_at_first = true});
  ASSERT_TRUE(r.first.has_value());
  EXPECT_NE(r.first->message.find("reply to the wrong caller"), std::string::npos) << r.first->message;
}

TEST(RpcTargets, LostUpdateIsReportedAgainstAcknowledgedRequests) {
  CampaignResult r = campaign("rpc.kv.racy", Quick{.strategy = "pct", .runs = 1000, .seed = 1, .stop_at_first = true});
  ASSERT_TRUE(r.first.has_value());
  EXPECT_NE(r.first->message.find("acknowledged"), std::string::npos) << r.first->message;
}

TEST(RpcTargets, BadParametersAreRejected) {
  Quick q{.strategy = "random", .runs = 1};
  q.params.set("workers", 4);  // actors 4: no client left
  EXPECT_ANY_THROW(campaign("rpc.kv.locked", q));
  Quick m{.strategy = "random", .runs = 1};
  m.params.set("actors", 1);  // a server and no caller
  EXPECT_ANY_THROW(campaign("rpc.mux.locked", m));
  EXPECT_EQ(my_leftovers(), std::set<std::string>{});
}

}  // namespace
}  // namespace ipcrace::test
