// --stop-at: hold the run before a step (the engine's only hook for it).
#pragma once
#include "control_block.hpp"
#include "ipcrace/engine.hpp"

namespace ipcrace::detail {

// Calls cfg.on_hold when `step` is one of cfg.stop_at; every actor is then at
// its point (alive ones sleep on their grant word) and `next` is the actor
// the strategy picked for this step.
void hold_at(const RunConfig& cfg, int step, int next, const ControlBlock& cb, int n, const bool alive[],
             const bool blocked[], const Op pending[]);

}  // namespace ipcrace::detail
