// pipe family: every racy target is found by pct within its budget for seeds
// 1..10, as an assertion naming a torn or interleaved message; every
// synchronised target stays clean under random, pct, pos and a bounded dfs, in
// process and thread mode; a finding replays; no run leaves anything behind.
#include <gtest/gtest.h>
#include <unistd.h>

#include <set>
#include <string>
#include <vector>

#include "support/family_tests.hpp"

namespace ipcrace::test {
namespace {

const std::vector<RacyCase> kRacy = {{"pipe.large_write.racy", FindingKind::assertion, {"torn", "interleaved"}}};
const std::vector<std::string> kSynchronised = {"pipe.large_write.framed", "pipe.large_write.locked"};

const Family kFamily = {"pipe", kRacy, kSynchronised};

IPCRACE_FAMILY_TESTS(Pipe, kFamily)

TEST(Pipe, MoreWritersAndMessagesStayClean) {
  for (const char* name : {"pipe.large_write.framed", "pipe.large_write.locked"}) {
    Quick q;
    q.strategy = "random";
    q.runs = 100;
    q.params = Params{{"actors", 4}, {"messages", 3}, {"size", 9000}};
    CampaignResult r = campaign(name, q);
    EXPECT_EQ(r.findings, 0u) << name << ": " << (r.first ? r.first->message : std::string());
  }
  EXPECT_EQ(leftovers(), std::set<std::string>{});
}

TEST(Pipe, SameSeedSameTrace) {
  for (const char* name : {"pipe.large_write.racy", "pipe.large_write.framed"})
    for (ActorMode mode : {ActorMode::processes, ActorMode::threads}) {
      RunConfig cfg;
      cfg.mode = mode;
      cfg.cpu = 0;
      Engine engine(target(name), {}, cfg);
      StrategyOptions so;
      so.name = "random";
      so.seed = 11;
      for (uint64_t index : {0u, 3u}) {
        uint64_t first = 0;
        for (int rep = 0; rep < 30; ++rep) {
          auto st = make_strategy(so);
          ASSERT_TRUE(st->new_run(index));
          RunResult r = engine.run(*st, run_seed(so.seed, index));
          if (rep == 0) first = r.trace_hash();
          ASSERT_EQ(r.trace_hash(), first) << name << " (" << actor_mode_name(mode) << ") run " << index
                                           << " repetition " << rep << ": " << r.message;
        }
      }
    }
}

}  // namespace
}  // namespace ipcrace::test
