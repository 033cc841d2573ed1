// replay_config: see ipcrace/replay.hpp.
#include "ipcrace/replay.hpp"

namespace ipcrace {

RunConfig replay_config(const Schedule& s) {
  RunConfig cfg;
  cfg.mode = s.mode == ActorMode::free ? ActorMode::processes : s.mode;
  cfg.race = s.race;
  cfg.faults = s.faults;  // a v1 file has none
  cfg.fault_budget = s.fault_budget;
  cfg.step_limit = s.step_limit;
  cfg.watchdog_ms = s.watchdog_ms;
  return cfg;
}

}  // namespace ipcrace
