// auto: the portfolio default (ipcrace/portfolio.hpp). Each run is one whole
// run of one member (surw, pct, pos, random) with that member's own run seed,
// so a finding of auto replays and minimises like one of its member's. The
// campaign (campaign.cpp, parallel_campaign.cpp) sets each epoch's weights.
#include <algorithm>
#include <numeric>

#include "ipcrace/portfolio.hpp"
#include "strategies.hpp"

namespace ipcrace {

const std::vector<std::string>& auto_members() {
  static const std::vector<std::string> m{"surw", "random", "pos", "pct"};
  return m;
}

std::vector<int> auto_warmup_weights() { return {2, 2, 2, 2}; }

int auto_member(uint64_t index, const std::vector<int>& weights) {
  // Smooth weighted round robin over kAutoSlots slots: the pattern repeats
  // every kAutoSlots runs and spreads each member's slots evenly.
  const int slot = int(index % uint64_t(kAutoSlots));
  std::vector<int> cur(weights.size(), 0);
  int pick = 0;
  for (int s = 0; s <= slot; ++s) {
    for (size_t m = 0; m < weights.size(); ++m) cur[m] += weights[m];
    pick = int(std::max_element(cur.begin(), cur.end()) - cur.begin());
    cur[size_t(pick)] -= kAutoSlots;
  }
  return pick;
}

uint64_t auto_epoch_begin(int epoch) {
  // 0, 8, 16, 32, 64, ...: a warm-up of one rotation, then doubling epochs.
  if (epoch <= 0) return 0;
  return uint64_t(kAutoSlots) << (epoch - 1);
}

std::vector<int> auto_next_weights(const std::vector<uint64_t>& runs, const std::vector<uint64_t>& new_pairs) {
  const size_t n = auto_members().size();
  std::vector<int> w(n, 1);
  std::vector<double> rate(n, 0);
  double total = 0;
  for (size_t m = 0; m < n; ++m) {
    rate[m] = runs[m] ? double(new_pairs[m]) / double(runs[m]) : 0;
    total += rate[m];
  }
  int left = kAutoSlots - int(n);
  if (total <= 0) return auto_warmup_weights();
  // Largest remainder: the free slots in proportion to new pairs per run.
  std::vector<double> share(n);
  int given = 0;
  for (size_t m = 0; m < n; ++m) {
    share[m] = rate[m] / total * left;
    w[m] += int(share[m]);
    given += int(share[m]);
    share[m] -= int(share[m]);
  }
  while (given < left) {
    size_t best = size_t(std::max_element(share.begin(), share.end()) - share.begin());
    ++w[best];
    share[best] = -1;
    ++given;
  }
  return w;
}

void PortfolioLedger::record(uint64_t index, const std::vector<uint64_t>& pairs) {
  const size_t m = size_t(auto_member(index, weights));
  ++runs[m];
  for (uint64_t h : pairs) new_pairs[m] += seen.insert(h).second;
}

void PortfolioLedger::next_epoch() {
  ++epoch;
  weights = auto_next_weights(runs, new_pairs);
}

namespace {

class AutoStrategy final : public Strategy {
 public:
  explicit AutoStrategy(const StrategyOptions& o)
      : weights_(o.auto_weights.empty() ? auto_warmup_weights() : o.auto_weights) {
    for (const auto& name : auto_members()) {
      StrategyOptions m = o;
      m.name = name;
      members_.push_back(make_strategy(m));
    }
    runs_.assign(members_.size(), 0);
  }
  std::string name() const override { return "auto"; }
  bool new_run(uint64_t index) override {
    cur_ = auto_member(index, weights_);
    ++runs_[size_t(cur_)];
    return members_[size_t(cur_)]->new_run(index);
  }
  int next_actor(const SchedView& v) override { return members_[size_t(cur_)]->next_actor(v); }
  int next_fault(const SchedView& v, int actor, uint32_t possible) override {
    return members_[size_t(cur_)]->next_fault(v, actor, possible);
  }
  uint64_t next_value(uint64_t bound) override { return members_[size_t(cur_)]->next_value(bound); }
  void end_run(RunResult& r) override { members_[size_t(cur_)]->end_run(r); }
  std::string summary() const override {
    std::string s = "auto: weights";
    for (size_t m = 0; m < members_.size(); ++m) s += " " + auto_members()[m] + "=" + std::to_string(weights_[m]);
    for (const auto& m : members_)
      if (auto t = m->summary(); !t.empty()) s += "; " + t;
    return s;
  }

 private:
  std::vector<int> weights_;
  std::vector<std::unique_ptr<Strategy>> members_;
  std::vector<uint64_t> runs_;
  int cur_ = 0;
};

}  // namespace

std::unique_ptr<Strategy> make_auto(const StrategyOptions& o) { return std::make_unique<AutoStrategy>(o); }

}  // namespace ipcrace
