// surw: Selectively Uniform Random Walk (Zhao, Wolff, Mathur, Roychoudhury,
// ASPLOS'25). A random walk picks each enabled actor with the same
// probability, which favours interleavings that switch early; weighting each
// actor by the number of events it has left makes every interleaving of those
// events equally likely (the count of extensions is a multinomial coefficient,
// and choosing actor a with probability r_a / sum r is exactly its share).
// "Selectively": only the interesting events, ops on a resource two or more
// actors touch, are sampled that way; other ops are a plain random walk.
//
// The remaining-event counts are estimates from the target's probe runs
// (StrategyOptions::probe: mean interesting ops per actor per run), never from
// the campaign's own runs. An actor about to do an interesting op keeps a
// weight of at least 1, so no interleaving becomes impossible when an
// estimate is short. Like the published artifact: a uniformly picked actor
// whose next op is interesting runs only if it is the actor the weights
// intended; otherwise it is set aside for this decision and another is picked.
#include <algorithm>
#include <cmath>

#include "strategies.hpp"

namespace ipcrace {
namespace {

class SurwStrategy final : public Strategy {
 public:
  SurwStrategy(uint64_t seed, ProbeInfo probe) : seed_(seed), probe_(std::move(probe)) {}
  std::string name() const override { return "surw"; }

  bool new_run(uint64_t index) override {
    rng_ = Rng(run_seed(seed_, index));
    faults_ = FaultDice(seed_, index, probe_.fault_ops);
    left_.clear();
    intended_ = -1;
    return true;
  }

  int next_actor(const SchedView& v) override {
    if (left_.size() < v.pending.size()) {
      left_.assign(v.pending.size(), 1.0);
      for (size_t a = 0; a < v.pending.size() && a < probe_.events.size(); ++a)
        left_[a] = std::max(1.0, std::round(probe_.events[a]));
    }
    int cand[64];
    int nc = 0;
    for (int e : v.enabled)
      if (nc < 64) cand[nc++] = e;
    for (;;) {
      const int i = int(rng_.below(uint64_t(nc)));
      const int a = cand[i];
      if (!probe_.is_shared(v.pending[a])) return a;
      if (intended_ < 0 || !std::count(cand, cand + nc, intended_)) intended_ = weighted(cand, nc, v);
      if (a == intended_) {
        left_[a] = std::max(0.0, left_[a] - 1);
        intended_ = -1;
        return a;
      }
      cand[i] = cand[--nc];  // set aside; the intended actor is still a candidate
    }
  }

  int next_fault(const SchedView& v, int, uint32_t possible) override { return faults_.roll(possible, v.faults_left); }
  uint64_t next_value(uint64_t bound) override { return rng_.below(bound); }

  std::string summary() const override {
    std::string s = "surw: interesting events per actor (probe, " + std::to_string(probe_.runs) + " runs):";
    if (probe_.events.empty()) return s + " unknown (every op counts, weight 1)";
    for (double e : probe_.events) s += " " + std::to_string(int(std::lround(e)));
    return s;
  }

 private:
  // An actor among the candidates, with probability proportional to its
  // remaining interesting events (at least 1 when its next op is interesting).
  int weighted(const int* cand, int nc, const SchedView& v) {
    double w[64], total = 0;
    for (int i = 0; i < nc; ++i) {
      const int a = cand[i];
      w[i] = probe_.is_shared(v.pending[a]) ? std::max(1.0, left_[a]) : left_[a];
      total += w[i];
    }
    double x = rng_.unit() * total;
    for (int i = 0; i < nc; ++i) {
      if (x < w[i]) return cand[i];
      x -= w[i];
    }
    return cand[nc - 1];
  }

  uint64_t seed_;
  ProbeInfo probe_;
  Rng rng_;
  FaultDice faults_;
  std::vector<double> left_;  // per actor: interesting events still expected
  int intended_ = -1;
};

}  // namespace

std::unique_ptr<Strategy> make_surw(const StrategyOptions& o) { return std::make_unique<SurwStrategy>(o.seed, o.probe); }

}  // namespace ipcrace
