// Internal: constructors of the built-in strategies (one file each).
#pragma once
#include "ipcrace/rng.hpp"
#include "ipcrace/strategy.hpp"

namespace ipcrace {

// random and pos place faults like random preemptions: each op that can fail
// fails with probability 1/kOneIn, the kind uniform among the possible ones.
// A stream of its own, drawn only where a fault is possible, so runs without
// faults schedule exactly as before.
class FaultDice {
 public:
  static constexpr uint64_t kOneIn = 8;
  FaultDice() = default;
  FaultDice(uint64_t seed, uint64_t index) : rng_(run_seed(seed, index) ^ 0xfa17fa17fa17fa17ULL) {}
  int roll(uint32_t possible) {
    if (!possible || rng_.below(kOneIn) != 0) return 0;
    return int(nth_fault(possible, int(rng_.below(uint64_t(fault_count(possible))))));
  }

 private:
  Rng rng_;
};

std::unique_ptr<Strategy> make_random(const StrategyOptions& o);
std::unique_ptr<Strategy> make_pct(const StrategyOptions& o);
std::unique_ptr<Strategy> make_pos(const StrategyOptions& o);
std::unique_ptr<Strategy> make_dfs(const StrategyOptions& o);
std::unique_ptr<Strategy> make_fuzz_bytes(const StrategyOptions& o);
std::unique_ptr<Strategy> make_surw(const StrategyOptions& o);
std::unique_ptr<Strategy> make_auto(const StrategyOptions& o);
}  // namespace ipcrace
