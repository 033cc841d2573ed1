// The engine runs one target, run after run, under a strategy.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ipcrace/finding.hpp"
#include "ipcrace/params.hpp"
#include "ipcrace/strategy.hpp"
#include "ipcrace/target.hpp"

namespace ipcrace {

// --stop-at: before step `step` is granted, every actor is parked at its
// point (processes asleep in their futex, threads parked); on_hold is told
// where each is and returns when the run may go on. The watchdog is not
// running while held (it starts at the grant).
struct HeldActor {
  int index = 0;
  int tid = 0;  // process mode: the actor's pid; thread mode: its thread id
  bool alive = false, blocked = false;
  Op pending;
};
struct HoldPoint {
  int step = 0;
  int next_actor = 0;
  ActorMode mode = ActorMode::processes;
  int controller_pid = 0;
  std::vector<HeldActor> actors;
};

struct RunConfig {
  ActorMode mode = ActorMode::processes;
  int step_limit = 20000;   // livelock guard: a step_limit finding past it
  int watchdog_ms = 3000;   // an actor that does not reach its next point in time: hang
  int cpu = -1;             // pin controller and actors to this CPU (-1: leave as is)
  // Fault kinds strategies may choose (ipcrace/fault_kind.hpp); unset: the
  // target's own (TargetInfo::faults). At most fault_budget faults per run.
  std::optional<uint32_t> faults;
  int fault_budget = 1;
  std::vector<int> stop_at;  // steps to hold before (HoldPoint)
  std::function<void(const HoldPoint&)> on_hold;
  bool race = true;         // happens-before race detection (ipcrace/race.hpp); no effect in free runs
};

class Engine {
 public:
  // Builds the scenario once (fork-server style); throws on bad parameters.
  Engine(const TargetInfo& target, Params params, RunConfig config);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // One run: set up, start actors, schedule every point, check, clean up.
  RunResult run(Strategy& strategy, uint64_t run_seed);

  const TargetInfo& target() const;
  const Params& params() const;
  const RunConfig& config() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Workload parameters: the target's defaults overridden by `overrides`.
// Throws std::invalid_argument for an unknown key or bad actor count.
Params resolve_params(const TargetInfo& target, const Params& overrides);

// Where engines make their socket folders (ipcrace.<pid>.<engine>.XXXXXX):
// $XDG_RUNTIME_DIR if it is ours and private, else $TMPDIR, else /tmp.
std::string socket_folder_root();

// Processes and threads per run (exec mode: every process and thread the
// program creates is an actor).
inline constexpr int kMaxActors = 64;

}  // namespace ipcrace
