// pct: Probabilistic Concurrency Testing (Burckhardt, Kothari, Musuvathi,
// Nagarakatte, ASPLOS'10). Actors get random distinct priorities d..d+n-1; the
// highest-priority enabled actor runs; at d-1 random steps among the first k
// the running actor's priority drops below every initial one (to d-j). A bug
// of depth d is found with probability at least 1/(n k^(d-1)) per run.
#include <algorithm>
#include <numeric>

#include "strategies.hpp"

namespace ipcrace {
namespace {

class PctStrategy final : public Strategy {
 public:
  PctStrategy(uint64_t seed, int depth, int steps) : seed_(seed), depth_(std::max(1, depth)), k_(std::max(1, steps)) {}
  std::string name() const override { return "pct"; }

  bool new_run(uint64_t index) override {
    rng_ = Rng(run_seed(seed_, index));
    prio_.clear();
    change_.clear();
    for (int j = 1; j < depth_; ++j) change_.push_back(static_cast<int>(rng_.below(uint64_t(k_))));
    // Faults at change points of their own (a separate stream: runs without
    // faults schedule exactly as before): the first op that can fail at or
    // after each point fails.
    Rng frng(run_seed(seed_, index) ^ 0xfa17fa17fa17fa17ULL);
    fault_at_.clear();
    for (int j = 0; j < kFaultPoints; ++j) fault_at_.push_back(static_cast<int>(frng.below(uint64_t(k_))));
    fault_pick_ = frng;
    return true;
  }

  int next_fault(const SchedView& v, int, uint32_t possible) override {
    if (!possible) return 0;
    for (int& at : fault_at_)
      if (at >= 0 && at <= v.step) {
        at = -1;
        return int(nth_fault(possible, int(fault_pick_.below(uint64_t(fault_count(possible))))));
      }
    return 0;
  }

  int next_actor(const SchedView& v) override {
    if (prio_.size() < v.pending.size()) assign_priorities(v.pending.size());
    int a = best(v);
    for (int j = 0; j < int(change_.size()); ++j)
      if (change_[j] == v.step) {
        prio_[a] = depth_ - 1 - j;  // below every initial priority, distinct
        a = best(v);
      }
    return a;
  }

  uint64_t next_value(uint64_t bound) override { return rng_.below(bound); }

 private:
  void assign_priorities(size_t n) {
    std::vector<int> order(n);
    std::iota(order.begin(), order.end(), depth_);
    for (size_t i = n; i > 1; --i) std::swap(order[i - 1], order[rng_.below(i)]);  // Fisher-Yates
    prio_ = order;
  }
  int best(const SchedView& v) const {
    int a = v.enabled[0];
    for (int e : v.enabled)
      if (prio_[e] > prio_[a]) a = e;
    return a;
  }

  uint64_t seed_;
  int depth_;
  int k_;
  Rng rng_;
  std::vector<int> prio_;
  std::vector<int> change_;
  static constexpr int kFaultPoints = 2;  // the run's fault budget caps them
  std::vector<int> fault_at_;
  Rng fault_pick_;
};

}  // namespace

std::unique_ptr<Strategy> make_pct(const StrategyOptions& o) {
  return std::make_unique<PctStrategy>(o.seed, o.pct_depth, o.pct_steps_hint > 0 ? o.pct_steps_hint : 64);
}

}  // namespace ipcrace
