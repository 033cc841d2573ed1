// Internal: constructors of the built-in strategies (one file each).
#pragma once
#include <algorithm>

#include "ipcrace/rng.hpp"
#include "ipcrace/strategy.hpp"

namespace ipcrace {

// random, pos and surw place faults with FaultDice, a stream of its own drawn
// only where a fault is possible, so runs without faults schedule exactly as
// before. Two ways, by what is known of the target:
// - fault_ops > 0 (from the probe: the most ops that could fail in one probe
//   run): one run in kOneIn has no fault; the others put each fault of the
//   run's budget at a uniformly chosen one of those fault_ops ops, as pct puts
//   its change points. A fault is then as likely at the last op that can fail
//   as at the first, and most runs have one, however few ops can fail.
// - otherwise (no probe): each op that can fail fails with probability
//   1/kOneIn, the kind uniform among the possible ones.
class FaultDice {
 public:
  static constexpr uint64_t kOneIn = 8;
  static constexpr int kMaxPoints = 8;
  FaultDice() = default;
  FaultDice(uint64_t seed, uint64_t index, int fault_ops = 0)
      : rng_(run_seed(seed, index) ^ 0xfa17fa17fa17fa17ULL), fault_ops_(fault_ops) {}
  int roll(uint32_t possible, int faults_left = 1) {
    if (!possible) return 0;
    if (fault_ops_ <= 0) {
      if (rng_.below(kOneIn) != 0) return 0;
      return pick(possible);
    }
    if (!drawn_) {  // the first op that can fail: the budget is whole here
      drawn_ = true;
      if (rng_.below(kOneIn) != 0)
        for (int j = 0; j < std::min(faults_left, kMaxPoints); ++j) points_[n_++] = 1 + int(rng_.below(uint64_t(fault_ops_)));
    }
    ++seen_;
    for (int j = 0; j < n_; ++j)
      if (points_[j] == seen_) return pick(possible);
    return 0;
  }

 private:
  int pick(uint32_t possible) { return int(nth_fault(possible, int(rng_.below(uint64_t(fault_count(possible)))))); }
  Rng rng_;
  int fault_ops_ = 0;
  bool drawn_ = false;
  int points_[kMaxPoints] = {};
  int n_ = 0;
  int seen_ = 0;
};

std::unique_ptr<Strategy> make_random(const StrategyOptions& o);
std::unique_ptr<Strategy> make_pct(const StrategyOptions& o);
std::unique_ptr<Strategy> make_pos(const StrategyOptions& o);
std::unique_ptr<Strategy> make_dfs(const StrategyOptions& o);
std::unique_ptr<Strategy> make_fuzz_bytes(const StrategyOptions& o);
std::unique_ptr<Strategy> make_surw(const StrategyOptions& o);
std::unique_ptr<Strategy> make_auto(const StrategyOptions& o);
}  // namespace ipcrace
