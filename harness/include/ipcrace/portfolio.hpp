// The portfolio behind `--strategy auto`: run i uses one member strategy,
// chosen by a fixed rule of i and the epoch's weights. Epochs are fixed run
// ranges; the weights of an epoch depend only on the merged results of the
// epochs before it (new interleaving-coverage pairs per member), so a campaign
// gives the same per-run results for any --jobs N.
#pragma once
#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace ipcrace {

// Members, in the order of the warm-up rotation.
const std::vector<std::string>& auto_members();
// Slots of one allocation: weights always sum to this.
inline constexpr int kAutoSlots = 8;
// The warm-up allocation (epoch 0): one slot pattern that tries every member.
std::vector<int> auto_warmup_weights();
// The member run `index` uses under `weights` (a smooth weighted rotation).
int auto_member(uint64_t index, const std::vector<int>& weights);
// Epoch boundaries: epoch e covers runs [auto_epoch_begin(e), auto_epoch_begin(e+1)).
uint64_t auto_epoch_begin(int epoch);
// The next epoch's weights from what every run so far found: per member, its
// runs and the interleaving-coverage pairs its runs saw first (merged in run
// order). Every member keeps one slot.
std::vector<int> auto_next_weights(const std::vector<uint64_t>& runs, const std::vector<uint64_t>& new_pairs);

// What a campaign under auto keeps between epochs: record() every run in
// run-index order (merged, whatever --jobs), then next_epoch() at each epoch end.
struct PortfolioLedger {
  int epoch = 0;
  std::vector<int> weights = auto_warmup_weights();
  std::vector<uint64_t> runs = std::vector<uint64_t>(auto_members().size(), 0);
  std::vector<uint64_t> new_pairs = std::vector<uint64_t>(auto_members().size(), 0);
  std::set<uint64_t> seen;
  uint64_t epoch_end() const { return auto_epoch_begin(epoch + 1); }
  void record(uint64_t index, const std::vector<uint64_t>& pairs);
  void next_epoch();
};

}  // namespace ipcrace
