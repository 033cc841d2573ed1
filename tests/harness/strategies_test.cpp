// Strategies on a simulated program (no processes): each actor has a fixed
// list of ops; the loop below plays the controller.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <set>

#include "ipcrace/strategy.hpp"

namespace ipcrace {
namespace {

struct Sim {
  std::vector<std::vector<Op>> ops;  // per actor
  // Run one schedule; returns the decisions, or empty when aborted.
  std::vector<int> run(Strategy& st, uint64_t index, bool* aborted = nullptr) {
    std::vector<size_t> pc(ops.size(), 0);
    std::vector<int> decisions;
    int last = -1;
    for (int step = 0;; ++step) {
      std::vector<int> enabled;
      std::vector<Op> pending(ops.size());
      for (size_t a = 0; a < ops.size(); ++a)
        if (pc[a] < ops[a].size()) {
          enabled.push_back(int(a));
          pending[a] = ops[a][pc[a]];
        }
      if (enabled.empty()) break;
      SchedView v{step, last, enabled, pending};
      int a = st.next_actor(v);
      if (a == kAbortRun) {
        if (aborted) *aborted = true;
        RunResult r;
        r.aborted = true;
        st.end_run(r);
        return {};
      }
      EXPECT_NE(std::find(enabled.begin(), enabled.end(), a), enabled.end());
      decisions.push_back(a);
      ++pc[size_t(a)];
      last = a;
    }
    RunResult r;
    st.end_run(r);
    (void)index;
    return decisions;
  }
};

Sim two_actors(int k, bool same_resource) {
  Sim s;
  for (int a = 0; a < 2; ++a) {
    std::vector<Op> ops;
    for (int i = 0; i < k; ++i)
      ops.push_back(Op{OpKind::shm_store, uint16_t(same_resource ? 0 : a + 1), "w"});
    s.ops.push_back(ops);
  }
  return s;
}

std::set<std::vector<int>> explore(Sim& sim, int bound, uint64_t* runs) {
  StrategyOptions o;
  o.name = "dfs";
  o.preemption_bound = bound;
  auto st = make_strategy(o);
  std::set<std::vector<int>> seen;
  *runs = 0;
  for (uint64_t i = 0; st->new_run(i); ++i) {
    auto d = sim.run(*st, i);
    ++*runs;
    if (!d.empty()) EXPECT_TRUE(seen.insert(d).second) << "dfs ran a schedule twice";
    if (*runs > 100000) break;
  }
  EXPECT_TRUE(st->exhausted());
  return seen;
}

TEST(Dfs, DependentOpsGiveEveryInterleaving) {
  Sim sim = two_actors(3, true);
  uint64_t runs = 0;
  auto seen = explore(sim, 100, &runs);
  EXPECT_EQ(seen.size(), 20u);  // C(6,3)
}

TEST(Dfs, IndependentOpsGiveOneScheduleUpToReordering) {
  Sim sim = two_actors(3, false);
  uint64_t runs = 0;
  auto seen = explore(sim, 100, &runs);
  EXPECT_EQ(seen.size(), 1u);  // sleep sets prune every reordering of independent ops
}

TEST(Dfs, PreemptionBoundLimitsTheSpace) {
  // 2 actors x 3 dependent ops, schedules with at most p preemptions.
  Sim sim = two_actors(3, true);
  uint64_t runs = 0;
  EXPECT_EQ(explore(sim, 0, &runs).size(), 2u);  // run 0 then 1, or 1 then 0
  auto one = explore(sim, 1, &runs).size();
  EXPECT_GT(one, 2u);
  EXPECT_LT(one, 20u);
}

TEST(Pct, DepthOneNeverPreempts) {
  Sim sim = two_actors(4, true);
  StrategyOptions o;
  o.name = "pct";
  o.pct_depth = 1;
  o.pct_steps_hint = 8;
  auto st = make_strategy(o);
  for (uint64_t i = 0; i < 50; ++i) {
    st->new_run(i);
    auto d = sim.run(*st, i);
    int switches = 0;
    for (size_t k = 1; k < d.size(); ++k) switches += d[k] != d[k - 1];
    EXPECT_EQ(switches, 1) << "run " << i;
  }
}

TEST(Pct, DepthTwoPreemptsAtMostOnce) {
  Sim sim = two_actors(4, true);
  StrategyOptions o;
  o.name = "pct";
  o.pct_depth = 2;
  o.pct_steps_hint = 8;
  auto st = make_strategy(o);
  std::set<std::vector<int>> seen;
  for (uint64_t i = 0; i < 200; ++i) {
    st->new_run(i);
    auto d = sim.run(*st, i);
    int switches = 0;
    for (size_t k = 1; k < d.size(); ++k) switches += d[k] != d[k - 1];
    EXPECT_LE(switches, 2);
    seen.insert(d);
  }
  EXPECT_GT(seen.size(), 4u);
}

RC_GTEST_PROP(Strategies, AlwaysPickAnEnabledActor, (uint64_t seed, uint8_t nactors, uint8_t k)) {
  Sim sim;
  const int n = 1 + nactors % 4;
  for (int a = 0; a < n; ++a) {
    std::vector<Op> ops;
    for (int i = 0; i < 1 + k % 5; ++i) ops.push_back(Op{OpKind::shm_store, uint16_t((a + i) % 2), "w"});
    sim.ops.push_back(ops);
  }
  for (const char* name : {"random", "pct", "pos", "fuzz-bytes"}) {
    StrategyOptions o;
    o.name = name;
    o.seed = seed;
    o.bytes = {uint8_t(seed), uint8_t(seed >> 8), uint8_t(seed >> 16)};
    auto st = make_strategy(o);
    RC_ASSERT(st->new_run(seed % 100));
    auto d = sim.run(*st, 0);
    size_t total = 0;
    for (auto& ops : sim.ops) total += ops.size();
    RC_ASSERT(d.size() == total);
  }
}

TEST(Strategies, UnknownNameIsAClearError) {
  StrategyOptions o;
  o.name = "bogus";
  try {
    make_strategy(o);
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("known: random, pct, pos, dfs"), std::string::npos);
  }
}

}  // namespace
}  // namespace ipcrace
