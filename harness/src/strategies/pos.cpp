// pos: Partial Order Sampling (Yuan, Yang, Gu, CAV'18). Every pending op has a
// random priority; the enabled op with the highest priority runs; then every
// pending op that races with it (same resource, not both reads) is given a
// fresh priority, and so is the next op of the actor that ran. This samples
// partial orders far more evenly than uniform random choice.
#include "strategies.hpp"

namespace ipcrace {
namespace {

class PosStrategy final : public Strategy {
 public:
  PosStrategy(uint64_t seed, int fault_ops) : seed_(seed), fault_ops_(fault_ops) {}
  std::string name() const override { return "pos"; }
  bool new_run(uint64_t index) override {
    rng_ = Rng(run_seed(seed_, index));
    faults_ = FaultDice(seed_, index, fault_ops_);
    prio_.clear();
    return true;
  }
  int next_actor(const SchedView& v) override {
    if (prio_.size() < v.pending.size()) {
      prio_.resize(v.pending.size());
      for (auto& p : prio_) p = rng_.unit();
    }
    if (ran_ >= 0) prio_[ran_] = rng_.unit();  // its op is new
    int a = v.enabled[0];
    for (int e : v.enabled)
      if (prio_[e] > prio_[a]) a = e;
    const Op& op = v.pending[a];
    for (int e = 0; e < int(v.pending.size()); ++e)
      if (e != a && ops_dependent(v.pending[e], op)) prio_[e] = rng_.unit();
    ran_ = a;
    return a;
  }
  void end_run(RunResult&) override { ran_ = -1; }
  int next_fault(const SchedView& v, int, uint32_t possible) override { return faults_.roll(possible, v.faults_left); }
  uint64_t next_value(uint64_t bound) override { return rng_.below(bound); }

 private:
  uint64_t seed_;
  int fault_ops_;  // from the probe when there is one (inside auto), else 0
  Rng rng_;
  FaultDice faults_;
  std::vector<double> prio_;
  int ran_ = -1;
};

}  // namespace

std::unique_ptr<Strategy> make_pos(const StrategyOptions& o) { return std::make_unique<PosStrategy>(o.seed, o.probe.fault_ops); }

}  // namespace ipcrace
