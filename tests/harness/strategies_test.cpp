// Strategies on a simulated program (no processes): each actor has a fixed
// list of ops; the loop below plays the controller.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cmath>
#include <map>
#include <numeric>
#include <set>

#include "ipcrace/portfolio.hpp"
#include "ipcrace/strategy.hpp"

namespace ipcrace {
namespace {

struct Sim {
  std::vector<std::vector<Op>> ops;  // per actor
  uint32_t faults_enabled = 0;       // as --faults; a decision is then actor + 16 * fault
  int fault_budget = 0;
  // Run one schedule; returns the decisions, or empty when aborted.
  std::vector<int> run(Strategy& st, uint64_t index, bool* aborted = nullptr) {
    std::vector<size_t> pc(ops.size(), 0);
    std::vector<int> decisions;
    int last = -1, used = 0;
    for (int step = 0;; ++step) {
      std::vector<int> enabled;
      std::vector<Op> pending(ops.size());
      for (size_t a = 0; a < ops.size(); ++a)
        if (pc[a] < ops[a].size()) {
          enabled.push_back(int(a));
          pending[a] = ops[a][pc[a]];
        }
      if (enabled.empty()) break;
      SchedView v{step, last, enabled, pending, faults_enabled, fault_budget - used};
      int a = st.next_actor(v);
      if (a == kAbortRun) {
        if (aborted) *aborted = true;
        RunResult r;
        r.aborted = true;
        st.end_run(r);
        return {};
      }
      EXPECT_NE(std::find(enabled.begin(), enabled.end(), a), enabled.end());
      const uint32_t possible = used < fault_budget ? pending[size_t(a)].faults & faults_enabled : 0;
      const int f = st.next_fault(v, a, possible);
      EXPECT_TRUE(f == 0 || (possible & fault_bit(FaultKind(f)))) << "fault " << f << " is not possible here";
      used += f != 0;
      decisions.push_back(a + 16 * f);
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

// A switch right after a yield costs no preemption: with bound 0, an actor
// that yields between its two dependent ops lets the other run in between
// (a spinner's sched_yield() is where the others get their turn).
TEST(Dfs, SwitchingAtAYieldIsFree) {
  Sim sim = two_actors(2, true);
  uint64_t runs = 0;
  EXPECT_EQ(explore(sim, 0, &runs).size(), 2u);
  sim.ops[0].insert(sim.ops[0].begin() + 1, Op{OpKind::yield, 9, "yield"});
  auto zero = explore(sim, 0, &runs);
  EXPECT_EQ(zero.size(), 3u);  // 0 y 0 1 1, 0 y 1 1 0, 1 1 0 y 0
  EXPECT_TRUE(zero.count({0, 0, 1, 1, 0})) << "the other actor between the yield and the second op";
}

// With --faults, a fault of an op that can fail is a choice like an actor:
// two dependent ops that can each be short give their 2 orders times the
// fault placements the budget allows (0: none; 1: none, first, second; 2:
// both too), each once; ops that cannot fail add nothing.
TEST(Dfs, FaultsAreChoicesWithinTheBudget) {
  Sim sim = two_actors(1, true);
  for (auto& ops : sim.ops) ops[0].faults = fault_bit(FaultKind::short_io);
  uint64_t runs = 0;
  EXPECT_EQ(explore(sim, 100, &runs).size(), 2u);  // faults not enabled
  sim.faults_enabled = fault_bit(FaultKind::short_io) | fault_bit(FaultKind::eintr);
  sim.fault_budget = 1;
  EXPECT_EQ(explore(sim, 100, &runs).size(), 6u);
  sim.fault_budget = 2;
  EXPECT_EQ(explore(sim, 100, &runs).size(), 8u);
  // Two kinds for the first actor's op: 3 outcomes of it x 2 of the other's.
  sim.ops[0][0].faults |= fault_bit(FaultKind::eintr);
  EXPECT_EQ(explore(sim, 100, &runs).size(), 2u * 3 * 2);
  // Independent ops: one order, every fault placement.
  Sim ind = two_actors(1, false);
  for (auto& ops : ind.ops) ops[0].faults = fault_bit(FaultKind::short_io);
  ind.faults_enabled = fault_bit(FaultKind::short_io);
  ind.fault_budget = 2;
  auto got = explore(ind, 100, &runs);
  std::string shown;
  for (const auto& d : got) {
    for (int x : d) shown += std::to_string(x) + " ";
    shown += "| ";
  }
  EXPECT_EQ(got.size(), 4u) << shown << " in " << runs << " runs";
}

// With the probe's count of ops that can fail (inside auto; surw always),
// random, pos and surw put the run's fault at a uniformly chosen one of them:
// every position about equally often, one run in 8 with none, however few
// ops can fail. Without a probe (random and pos alone) each such op fails with
// probability 1/8, so most runs of a program with few such ops have none.
TEST(FaultDice, OneFaultAtAUniformPositionWhenTheProbeCountsThem) {
  Sim sim = two_actors(3, true);  // 6 ops, each can be short
  for (auto& ops : sim.ops)
    for (auto& op : ops) op.faults = fault_bit(FaultKind::short_io);
  sim.faults_enabled = fault_bit(FaultKind::short_io);
  sim.fault_budget = 1;
  constexpr int kRuns = 8000;
  for (const char* name : {"random", "pos", "surw"}) {
    StrategyOptions o;
    o.name = name;
    o.seed = 7;
    o.probe.runs = 1;
    o.probe.fault_ops = 6;
    auto st = make_strategy(o);
    std::vector<int> at(7, 0);  // position of the fault among the 6 ops; 6: none
    for (int i = 0; i < kRuns; ++i) {
      st->new_run(uint64_t(i));
      auto d = sim.run(*st, uint64_t(i));
      int pos = 6, faults = 0;
      for (size_t k = 0; k < d.size(); ++k)
        if (d[k] >= 16) pos = std::min(pos, int(k)), ++faults;
      EXPECT_LE(faults, 1);
      ++at[size_t(pos)];
    }
    const double none = double(at[6]) / kRuns;
    EXPECT_NEAR(none, 1.0 / 8, 0.02) << name;
    for (int k = 0; k < 6; ++k)
      EXPECT_NEAR(double(at[size_t(k)]) / kRuns, 7.0 / 8 / 6, 0.025) << name << " position " << k;
    // No probe: a 1/8 coin per op (random and pos as single strategies).
    if (std::string(name) == "surw") continue;
    o.probe = ProbeInfo{};
    st = make_strategy(o);
    int without = 0;
    for (int i = 0; i < kRuns; ++i) {
      st->new_run(uint64_t(i));
      auto d = sim.run(*st, uint64_t(i));
      without += std::none_of(d.begin(), d.end(), [](int x) { return x >= 16; });
    }
    EXPECT_NEAR(double(without) / kRuns, std::pow(7.0 / 8, 6), 0.02) << name;
  }
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

// The interleaving of the shared ops of one run, as the order of the actors
// that did them (private ops left out).
std::vector<int> shared_order(const Sim& sim, const std::vector<int>& decisions, const ProbeInfo& p) {
  std::vector<size_t> pc(sim.ops.size(), 0);
  std::vector<int> out;
  for (int a : decisions)
    if (p.is_shared(sim.ops[size_t(a)][pc[size_t(a)]++])) out.push_back(a);
  return out;
}

// Pearson's chi-square of the counts of each interleaving against a uniform
// distribution over `classes` interleavings.
double chi_square(const std::map<std::vector<int>, int>& counts, int classes, int samples) {
  const double expected = double(samples) / classes;
  double chi = 0;
  int seen = 0;
  for (const auto& [k, c] : counts) chi += (c - expected) * (c - expected) / expected, ++seen;
  chi += (classes - seen) * expected;  // interleavings never sampled
  return chi;
}

// Two unequal actors: 2 and 4 shared ops (C(6,2) = 15 interleavings), the
// first with private ops between them, which must not bias the sampling.
struct Unequal {
  Sim sim;
  ProbeInfo probe;
  Unequal() {
    const Op shared{OpKind::shm_store, 0, "x"}, priv{OpKind::shm_store, 3, "p"};
    sim.ops = {{shared, priv, priv, shared, priv}, {shared, shared, shared, shared}};
    probe.runs = 1;
    probe.actors = 2;
    probe.events = {2, 4};
    probe.shared = {1, 0, 0, 0};
    probe.shared_steps = 6;
  }
};

std::map<std::vector<int>, int> sample(const char* name, Unequal& u, int samples) {
  StrategyOptions o;
  o.name = name;
  o.seed = 7;
  o.probe = u.probe;
  auto st = make_strategy(o);
  std::map<std::vector<int>, int> counts;
  for (int i = 0; i < samples; ++i) {
    st->new_run(uint64_t(i));
    ++counts[shared_order(u.sim, u.sim.run(*st, uint64_t(i)), u.probe)];
  }
  return counts;
}

// 14 degrees of freedom: P(chi2 > 36.12) = 0.001 for a uniform sampler.
constexpr double kChi14 = 36.12;

TEST(Surw, SamplesTheInterleavingsOfSharedOpsUniformly) {
  Unequal u;
  const int samples = 6000;
  auto counts = sample("surw", u, samples);
  EXPECT_EQ(counts.size(), 15u);
  const double chi = chi_square(counts, 15, samples);
  EXPECT_LT(chi, kChi14) << "surw is not uniform over the 15 interleavings";
  // The test can fail: a random walk (uniform per step) is far from uniform here.
  const double rnd = chi_square(sample("random", u, samples), 15, samples);
  EXPECT_GT(rnd, kChi14 * 10) << "random walk looked uniform: the test has no power";
}

TEST(Surw, ShortEstimatesKeepEveryInterleavingPossible) {
  Unequal u;
  u.probe.events = {0, 0};  // nothing known: weight 1 each
  EXPECT_EQ(sample("surw", u, 3000).size(), 15u);
}

// A depth-2 bug: actor 1's one op must come after actor 0's third shared op
// and before its fourth. Actor 0 does private ops too; pct counts only the
// shared ones (k = 7), so its bound is 1/(n k) = 1/14 per run.
TEST(Pct, DepthTwoBugMeetsTheBound) {
  const Op shared{OpKind::shm_store, 0, "x"}, priv{OpKind::shm_load, 1, "p"};
  Sim sim;
  sim.ops = {{priv, shared, priv, shared, priv, shared, priv, shared, shared, shared}, {shared}};
  ProbeInfo probe;
  probe.runs = 1;
  probe.actors = 2;
  probe.shared = {1, 0};
  probe.events = {6, 1};
  probe.shared_steps = 7;
  StrategyOptions o;
  o.name = "pct";
  o.pct_depth = 2;
  o.probe = probe;
  auto st = make_strategy(o);
  const int runs = 6000;
  int hits = 0;
  for (int i = 0; i < runs; ++i) {
    st->new_run(uint64_t(i));
    auto order = shared_order(sim, sim.run(*st, uint64_t(i)), probe);
    // shared order: actor 0 three times, then actor 1
    hits += order.size() == 7 && order[3] == 1;
  }
  const double bound = 1.0 / (2 * 7);
  const double rate = double(hits) / runs;
  // 3 standard deviations of a binomial at the bound below it (deterministic seeds).
  const double slack = 3 * std::sqrt(bound * (1 - bound) / runs);
  EXPECT_GE(rate, bound - slack) << hits << " of " << runs;
  // Counting private steps too (k = 11) would give only 1/22: the bound uses the shared k.
  EXPECT_GT(rate, 1.0 / 22 + slack);
}

TEST(Pct, ChangePointsLandOnlyOnSharedOps) {
  // Actor 0: private ops, then one shared op; actor 1: one shared op. With d=2
  // the one change point falls on a shared op, never wasted on a private one:
  // over many runs, actor 1 sometimes runs first after actor 0's privates.
  const Op shared{OpKind::shm_store, 0, "x"}, priv{OpKind::shm_load, 1, "p"};
  Sim sim;
  sim.ops = {{priv, priv, priv, priv, priv, priv, shared}, {shared}};
  ProbeInfo probe;
  probe.runs = 1;
  probe.actors = 2;
  probe.shared = {1, 0};
  probe.events = {1, 1};
  probe.shared_steps = 2;
  StrategyOptions o;
  o.name = "pct";
  o.pct_depth = 2;
  o.probe = probe;
  auto st = make_strategy(o);
  int demoted = 0;
  for (int i = 0; i < 400; ++i) {
    st->new_run(uint64_t(i));
    auto d = sim.run(*st, uint64_t(i));
    // Actor 0 high priority, change point on its shared op: 0 x6, 1, 0.
    demoted += d.size() == 8 && d[6] == 1 && d[0] == 0;
  }
  EXPECT_GT(demoted, 400 / 4 / 2);  // P = 1/2 * 1/2 = 1/4; at least half of that
}

TEST(Auto, MemberByRunIndexIsAFixedRotation) {
  const auto w = auto_warmup_weights();
  std::map<int, int> count;
  for (uint64_t i = 0; i < uint64_t(kAutoSlots); ++i) ++count[auto_member(i, w)];
  EXPECT_EQ(count.size(), auto_members().size());
  for (uint64_t i = 0; i < 100; ++i) EXPECT_EQ(auto_member(i, w), auto_member(i + kAutoSlots, w));
  // A reallocation keeps every member and favours the one with new pairs.
  auto nw = auto_next_weights({4, 2, 1, 1}, {40, 0, 0, 0});
  EXPECT_EQ(std::accumulate(nw.begin(), nw.end(), 0), kAutoSlots);
  for (int x : nw) EXPECT_GE(x, 1);
  EXPECT_EQ(nw[0], kAutoSlots - int(auto_members().size()) + 1);
}

RC_GTEST_PROP(Strategies, AlwaysPickAnEnabledActor, (uint64_t seed, uint8_t nactors, uint8_t k)) {
  Sim sim;
  const int n = 1 + nactors % 4;
  for (int a = 0; a < n; ++a) {
    std::vector<Op> ops;
    for (int i = 0; i < 1 + k % 5; ++i) ops.push_back(Op{OpKind::shm_store, uint16_t((a + i) % 2), "w"});
    sim.ops.push_back(ops);
  }
  for (const char* name : {"auto", "surw", "random", "pct", "pos", "fuzz-bytes"}) {
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
    EXPECT_NE(std::string(e.what()).find("known: auto, surw, random, pct, pos, dfs"), std::string::npos);
  }
}

}  // namespace
}  // namespace ipcrace
