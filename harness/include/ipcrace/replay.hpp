// Replaying schedules.
#pragma once
#include <memory>

#include "ipcrace/engine.hpp"
#include "ipcrace/schedule.hpp"
#include "ipcrace/strategy.hpp"

namespace ipcrace {

// Strict replay reports a divergence (RunResult::diverged) on any difference;
// lenient replay skips decisions that no longer apply (minimisation).
std::unique_ptr<Strategy> make_replay_strategy(const Schedule& s, bool lenient = false);

// Every setting of the run a schedule records, as the RunConfig to replay it
// with: mode (free: processes), race detection, fault kinds and budget, step
// limit, hang watchdog. The CPU is left unpinned (it changes no outcome).
RunConfig replay_config(const Schedule& s);

}  // namespace ipcrace
