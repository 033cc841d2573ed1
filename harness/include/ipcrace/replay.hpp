// Replaying schedules.
#pragma once
#include <memory>

#include "ipcrace/schedule.hpp"
#include "ipcrace/strategy.hpp"

namespace ipcrace {

// Strict replay reports a divergence (RunResult::diverged) on any difference;
// lenient replay skips decisions that no longer apply (minimisation).
std::unique_ptr<Strategy> make_replay_strategy(const Schedule& s, bool lenient = false);

}  // namespace ipcrace
