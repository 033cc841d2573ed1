// rpc family: every racy target is found by pct within its budget (seeds
// 1..10), every synchronised one stays clean under random, pct, pos and a
// bounded dfs, in process and thread mode, and no run leaves anything behind.
#include <gtest/gtest.h>
#include <unistd.h>

#include <set>
#include <string>
#include <vector>

#include "support/family_tests.hpp"

namespace ipcrace::test {
namespace {

const std::vector<RacyCase> kRacy = {
    {"rpc.mux.racy", FindingKind::assertion, {"reply to the wrong caller"}},
    {"rpc.kv.racy", FindingKind::assertion, {"acknowledged", "invariant violated"}},
};
const std::vector<std::string> kSynchronised = {"rpc.mux.locked", "rpc.mux.ids", "rpc.kv.locked"};

const Family kFamily = {"rpc", kRacy, kSynchronised, 500, 300};

IPCRACE_FAMILY_TESTS(Rpc, kFamily)

TEST(RpcTargets, MisroutedReplyIsReportedAsSuch) {
  CampaignResult r = campaign("rpc.mux.racy", Quick{.strategy = "pct", .runs = 1000, .seed = 1, .stop_at_first = true});
  ASSERT_TRUE(r.first.has_value());
  EXPECT_NE(r.first->message.find("reply to the wrong caller"), std::string::npos) << r.first->message;
}

TEST(RpcTargets, LostUpdateIsReportedAgainstAcknowledgedRequests) {
  Quick q{.strategy = "pct", .runs = 1000, .seed = 1, .stop_at_first = true};
  q.race = false;  // the oracle's finding (the data race is reported in the first run)
  CampaignResult r = campaign("rpc.kv.racy", q);
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
  EXPECT_EQ(leftovers(), std::set<std::string>{});
}

}  // namespace
}  // namespace ipcrace::test
