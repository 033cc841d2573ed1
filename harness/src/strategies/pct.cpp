// pct: Probabilistic Concurrency Testing (Burckhardt, Kothari, Musuvathi,
// Nagarakatte, ASPLOS'10), in the variant that counts only racy events: the
// d-1 priority change points are drawn among the first k ops that touch a
// shared resource (a resource two or more actors touch, from the probe),
// not among all steps, so none is wasted on a private op. Actors get random
// distinct priorities d..d+n-1; the highest-priority enabled actor runs;
// when the actor about to run is at its j-th change point, its priority drops
// below every initial one (to d-1-j) and the next one runs instead. A bug of
// depth d is found with probability at least 1/(n k^(d-1)) per run.
//
// k and n come from the target's probe runs (StrategyOptions::probe), and d,
// unless --depth is given, from the probe's short adaptive phase.
#include <algorithm>
#include <numeric>

#include "strategies.hpp"

namespace ipcrace {
namespace {

int pick_depth(const StrategyOptions& o) {
  if (o.pct_depth > 0) return o.pct_depth;
  return o.probe.depth > 0 ? o.probe.depth : 3;
}
int pick_k(const StrategyOptions& o) {
  if (o.pct_steps_hint > 0) return o.pct_steps_hint;
  return o.probe.shared_steps > 0 ? o.probe.shared_steps : 64;
}

class PctStrategy final : public Strategy {
 public:
  explicit PctStrategy(const StrategyOptions& o)
      : seed_(o.seed), depth_(std::max(1, pick_depth(o))), k_(std::max(1, pick_k(o))), adaptive_(o.pct_depth <= 0),
        probe_(o.probe) {}
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
    fired_.assign(change_.size(), false);
    shared_ = 0;
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
    if (!probe_.is_shared(v.pending[a])) return a;
    for (size_t j = 0; j < change_.size(); ++j)
      if (!fired_[j] && change_[j] == shared_) {
        fired_[j] = true;
        prio_[a] = depth_ - 1 - int(j);  // below every initial priority, distinct
        a = best(v);
      }
    if (probe_.is_shared(v.pending[a])) ++shared_;
    return a;
  }

  uint64_t next_value(uint64_t bound) override { return rng_.below(bound); }

  std::string summary() const override {
    const bool unchosen = adaptive_ && probe_.runs && !probe_.depth;  // auto stopped before its first pct run
    std::string s = "pct: d=" + (unchosen ? std::string("not chosen (no pct run)") : std::to_string(depth_)) +
                    (adaptive_ && !unchosen ? " (adaptive)" : "") + ", k=" + std::to_string(k_) +
                    " shared steps, n=" + std::to_string(probe_.actors) + " actors";
    if (probe_.runs) s += " (probe: " + std::to_string(probe_.runs) + " runs, " + std::to_string(probe_.steps) + " steps)";
    return s;
  }

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
  bool adaptive_;
  ProbeInfo probe_;
  Rng rng_;
  std::vector<int> prio_;
  std::vector<int> change_;
  static constexpr int kFaultPoints = 2;  // the run's fault budget caps them
  std::vector<int> fault_at_;
  Rng fault_pick_;
  std::vector<bool> fired_;
  int shared_ = 0;  // shared ops granted so far this run
};

}  // namespace

std::unique_ptr<Strategy> make_pct(const StrategyOptions& o) { return std::make_unique<PctStrategy>(o); }

}  // namespace ipcrace
