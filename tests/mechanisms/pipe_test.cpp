// pipe family: every racy target is found by pct within its budget for seeds
// 1..10, as an assertion naming a torn or interleaved message; every
// synchronised target stays clean under random, pct, pos and a bounded dfs, in
// process and thread mode; a finding replays; no run leaves anything behind.
#include <gtest/gtest.h>
#include <unistd.h>

#include <set>
#include <string>
#include <vector>

#include "support/support.hpp"

namespace ipcrace::test {
namespace {

const std::vector<std::string> kRacy = {"pipe.large_write.racy"};
const std::vector<std::string> kSynchronised = {"pipe.large_write.framed", "pipe.large_write.locked"};

std::string param_name(const testing::TestParamInfo<std::string>& info) {
  std::string s = info.param;
  for (char& c : s)
    if (c == '.') c = '_';
  return s;
}

// Leftovers of this process only: other campaigns may run on the machine.
std::set<std::string> my_leftovers() {
  const std::string mine = "ipcrace." + std::to_string(getpid()) + ".";
  std::set<std::string> out;
  for (const auto& l : leftovers())
    if (l.rfind("process ", 0) == 0 || l.find(mine) != std::string::npos) out.insert(l);
  return out;
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
    ASSERT_GT(r.findings, 0u) << name << ": pct seed " << s << " found nothing in " << r.runs << " runs ("
                              << actor_mode_name(mode) << ")";
    ASSERT_TRUE(r.first.has_value());
    EXPECT_EQ(r.first->finding, FindingKind::assertion) << r.first->message;
    EXPECT_TRUE(r.first->message.find("torn") != std::string::npos ||
                r.first->message.find("interleaved") != std::string::npos)
        << r.first->message;
  }
  EXPECT_EQ(my_leftovers(), std::set<std::string>{});
}

void expect_clean(const std::string& name, ActorMode mode, uint64_t runs) {
  ASSERT_EQ(target(name).variant, Variant::synchronised);
  for (const char* strategy : {"random", "pct", "pos", "dfs"}) {
    Quick q;
    q.strategy = strategy;
    q.runs = runs;
    q.seed = 7;
    q.mode = mode;
    q.stop_at_first = true;
    CampaignResult r = campaign(name, q);  // dfs: preemption bound 2 (default), bounded by `runs`
    EXPECT_EQ(r.findings, 0u) << name << " under " << strategy << " (" << actor_mode_name(mode) << "): "
                              << (r.first ? r.first->message : std::string());
    EXPECT_GT(r.runs, 0u);
  }
  EXPECT_EQ(my_leftovers(), std::set<std::string>{});
}

TEST_P(Racy, PctFindsItWithinBudgetInProcesses) { expect_found(GetParam(), ActorMode::processes, 10); }
TEST_P(Racy, PctFindsItWithinBudgetInThreads) { expect_found(GetParam(), ActorMode::threads, 3); }
TEST_P(Synchronised, CleanInProcesses) { expect_clean(GetParam(), ActorMode::processes, 300); }
TEST_P(Synchronised, CleanInThreads) { expect_clean(GetParam(), ActorMode::threads, 100); }

INSTANTIATE_TEST_SUITE_P(Pipe, Racy, testing::ValuesIn(kRacy), param_name);
INSTANTIATE_TEST_SUITE_P(Pipe, Synchronised, testing::ValuesIn(kSynchronised), param_name);

TEST(Pipe, TargetsAreRegisteredWithTheirFamily) {
  for (const auto& n : kRacy) EXPECT_EQ(target(n).family, "pipe");
  for (const auto& n : kSynchronised) {
    EXPECT_EQ(target(n).family, "pipe");
    EXPECT_FALSE(target(n).sync.empty());
  }
}

TEST(Pipe, RacyFindingReplaysInBothModes) {
  for (ActorMode mode : {ActorMode::processes, ActorMode::threads}) {
    Quick q;
    q.runs = 200;
    q.mode = mode;
    q.stop_at_first = true;
    CampaignResult r = campaign("pipe.large_write.racy", q);
    ASSERT_TRUE(r.first.has_value());
    RunResult again = replay(*r.first, mode);
    EXPECT_FALSE(again.diverged) << again.divergence;
    EXPECT_EQ(again.kind, r.first->finding);
    EXPECT_EQ(again.message, r.first->message);
  }
}

TEST(Pipe, MoreWritersAndMessagesStayClean) {
  for (const char* name : {"pipe.large_write.framed", "pipe.large_write.locked"}) {
    Quick q;
    q.strategy = "random";
    q.runs = 100;
    q.params = Params{{"actors", 4}, {"messages", 3}, {"size", 9000}};
    CampaignResult r = campaign(name, q);
    EXPECT_EQ(r.findings, 0u) << name << ": " << (r.first ? r.first->message : std::string());
  }
  EXPECT_EQ(my_leftovers(), std::set<std::string>{});
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
