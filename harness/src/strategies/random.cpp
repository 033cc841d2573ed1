// random: uniform choice among the enabled actors at every point.
#include "strategies.hpp"

namespace ipcrace {
namespace {

class RandomStrategy final : public Strategy {
 public:
  explicit RandomStrategy(uint64_t seed) : seed_(seed) {}
  std::string name() const override { return "random"; }
  bool new_run(uint64_t index) override {
    rng_ = Rng(run_seed(seed_, index));
    faults_ = FaultDice(seed_, index);
    return true;
  }
  int next_actor(const SchedView& v) override { return v.enabled[rng_.below(v.enabled.size())]; }
  int next_fault(const SchedView&, int, uint32_t possible) override { return faults_.roll(possible); }
  uint64_t next_value(uint64_t bound) override { return rng_.below(bound); }

 private:
  uint64_t seed_;
  Rng rng_;
  FaultDice faults_;
};

}  // namespace

std::unique_ptr<Strategy> make_random(const StrategyOptions& o) { return std::make_unique<RandomStrategy>(o.seed); }

}  // namespace ipcrace
