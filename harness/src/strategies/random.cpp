// random: uniform choice among the enabled actors at every point.
#include "strategies.hpp"

namespace ipcrace {
namespace {

class RandomStrategy final : public Strategy {
 public:
  RandomStrategy(uint64_t seed, int fault_ops) : seed_(seed), fault_ops_(fault_ops) {}
  std::string name() const override { return "random"; }
  bool new_run(uint64_t index) override {
    rng_ = Rng(run_seed(seed_, index));
    faults_ = FaultDice(seed_, index, fault_ops_);
    return true;
  }
  int next_actor(const SchedView& v) override { return v.enabled[rng_.below(v.enabled.size())]; }
  int next_fault(const SchedView& v, int, uint32_t possible) override { return faults_.roll(possible, v.faults_left); }
  uint64_t next_value(uint64_t bound) override { return rng_.below(bound); }

 private:
  uint64_t seed_;
  int fault_ops_;  // from the probe when there is one (inside auto), else 0
  Rng rng_;
  FaultDice faults_;
};

}  // namespace

std::unique_ptr<Strategy> make_random(const StrategyOptions& o) { return std::make_unique<RandomStrategy>(o.seed, o.probe.fault_ops); }

}  // namespace ipcrace
