// The controller's side of faults (issue 12): which faults an op can get in
// this run, asking the strategy, the per-run budget, forced timeouts when
// every live actor is blocked, and which deaths the target expects. The
// engine only hooks these calls into its loop; the actor side is
// Actor::fault() and ipcrace/io.hpp.
#pragma once
#include <cstdint>

#include "ipcrace/engine.hpp"
#include "ipcrace/fault_kind.hpp"
#include "ipcrace/strategy.hpp"

namespace ipcrace {

class FaultControl {
 public:
  // Throws std::invalid_argument for a target whose `faults` names no kind.
  FaultControl(const TargetInfo& target, const RunConfig& cfg);

  void new_run(RunResult& r);
  // Adds `kill` to how actor a's op can fail when the target expects a's death.
  void annotate(Op& op, int a) const;
  // The run's enabled kinds and what is left of the budget, for strategies.
  void fill(SchedView& v) const;
  // Every live actor is blocked: time passes. Blocked actors in a timed wait
  // become enabled (blocked[i] = false), each to be granted a timeout; their
  // indices go into enabled[]. Returns how many.
  int time_passes(int n, const bool alive[], bool blocked[], const Op pending[], int enabled[]);
  // The fault for actor a's op, chosen by the strategy (or forced), or kAbortRun.
  int decide(Strategy& st, const SchedView& v, int a);
  bool death_expected(int a) const { return a < 64 && ((may_die_ >> a) & 1) != 0; }
  // The last decide() granted a timeout because time passed (every live actor
  // blocked), not as an injected fault: the schedule records no fault line
  // (replay forces it again), so the minimiser never counts it.
  bool last_forced() const { return last_forced_; }

 private:
  uint32_t enabled_ = 0;
  int budget_ = 0;
  int used_ = 0;
  uint64_t may_die_ = 0;
  uint64_t forced_ = 0;  // actors enabled by time_passes for the coming decision
  bool last_forced_ = false;
};

}  // namespace ipcrace
