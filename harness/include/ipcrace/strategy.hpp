// The strategy interface: picks the next actor among the enabled ones.
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "ipcrace/finding.hpp"
#include "ipcrace/op.hpp"

namespace ipcrace {

// What a strategy sees at each decision.
struct SchedView {
  int step = 0;
  int last = -1;                 // actor that ran the previous step, -1 at start
  std::span<const int> enabled;  // enabled actors, ascending
  std::span<const Op> pending;   // pending op per actor (index = actor)
  // Faults: pending[a].faults & faults_enabled is how actor a's op may fail,
  // while faults_left > 0 (the run's fault budget).
  uint32_t faults_enabled = 0;
  int faults_left = 0;
};

// Sentinel from next_actor: stop this run now (dfs: the rest is redundant;
// replay: the schedule diverged).
inline constexpr int kAbortRun = -1;

class Strategy {
 public:
  virtual ~Strategy() = default;
  virtual std::string name() const = 0;
  // Prepare run `index`; false when there is nothing left to explore.
  virtual bool new_run(uint64_t index) = 0;
  // Pick an actor from view.enabled (or kAbortRun).
  virtual int next_actor(const SchedView& view) = 0;
  // After next_actor picked `actor`: a fault for its op instead of the normal
  // outcome, as a FaultKind value from `possible` (0: none), or kAbortRun.
  // `possible` is the op's FaultMask within the enabled kinds, 0 when the
  // budget is spent; a strategy is asked at every step (replay checks that a
  // recorded fault can still happen there).
  virtual int next_fault(const SchedView& view, int actor, uint32_t possible) {
    (void)view, (void)actor, (void)possible;
    return 0;
  }
  // A value for the target's own nondeterminism (payloads, sizes), in [0, bound).
  virtual uint64_t next_value(uint64_t bound) = 0;
  // Told how the run ended (dfs backtracks, replay checks it was consumed).
  virtual void end_run(RunResult&) {}
  // Whether parallel runs give the same results (false for dfs).
  virtual bool independent_runs() const { return true; }
  // A line about the exploration so far (dfs: schedules explored, complete or not).
  virtual std::string summary() const { return {}; }
  // Whether new_run() has found nothing left to explore (dfs: the whole bounded space).
  virtual bool exhausted() const { return false; }
};

// What deterministic probe runs of the target and workload told (campaign.cpp:
// probe_target), never the campaign's own runs, so results stay identical for
// any --jobs N. Empty: unknown (pct and surw then treat every op as shared).
struct ProbeInfo {
  int runs = 0;                   // probe runs behind these figures (0: no probe)
  int actors = 0;                 // n
  int steps = 0;                  // steps of a non-preemptive run
  int shared_steps = 0;           // k: of those, ops on a shared resource
  int depth = 0;                  // pct depth the adaptive phase chose (0: none)
  int fault_ops = 0;              // most ops that could fail (enabled faults) in one probe run
  std::vector<double> events;     // per actor: ops on shared resources per run (mean)
  std::vector<uint8_t> shared;    // per resource id: touched by two or more actors
  // Shared: a resource two or more actors touched in the probe, or a message
  // op (its peer may name the channel by another id: a pipe's other end).
  bool is_shared(const Op& op) const {
    if (op.kind == OpKind::yield) return false;
    if (shared.empty() || (op.resource < shared.size() && shared[op.resource])) return true;
    switch (op.kind) {
      case OpKind::send: case OpKind::recv: case OpKind::read: case OpKind::write:
      case OpKind::connect: case OpKind::accept: case OpKind::call: case OpKind::reply: return true;
      default: return false;
    }
  }
};

struct StrategyOptions {
  std::string name = "auto";
  uint64_t seed = 1;
  int pct_depth = 0;            // d: bugs of depth d get probability >= 1/(n k^(d-1)) (0: adaptive, else 3)
  int pct_steps_hint = 0;       // k: expected shared steps per run (0 = from the probe)
  ProbeInfo probe;              // pct, surw, auto
  bool auto_adapt = false;        // auto: reallocate between epochs (campaign.cpp); off: the warm-up rotation throughout
  std::vector<int> auto_weights;  // auto: runs per member in this epoch (empty: the warm-up rotation)
  int preemption_bound = 2;     // dfs
  // dfs across shards (ipcrace explore --shard I/N): the schedule tree is cut
  // at depth `dfs_split_depth`; the k-th subtree in dfs order belongs to shard
  // k mod dfs_shard_count, and only its shard explores below the cut.
  uint64_t dfs_shard_index = 0;
  uint64_t dfs_shard_count = 1;
  int dfs_split_depth = 6;
  std::vector<uint8_t> bytes;   // fuzz-bytes: decisions as indices into the enabled set
};

// Factory over every built-in strategy: random, pct, pos, dfs, fuzz-bytes.
// Throws std::invalid_argument naming the known strategies.
std::unique_ptr<Strategy> make_strategy(const StrategyOptions& opts);
std::vector<std::string> strategy_names();

}  // namespace ipcrace
