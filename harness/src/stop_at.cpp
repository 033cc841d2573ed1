// --stop-at: the engine calls hold_at before every grant when a hold handler
// is set; at a listed step it describes where each actor is held.
#include "stop_at.hpp"

#include <unistd.h>

#include <algorithm>

namespace ipcrace::detail {

void hold_at(const RunConfig& cfg, int step, int next, const ControlBlock& cb, int n, const bool alive[],
             const bool blocked[], const Op pending[]) {
  if (!cfg.on_hold || std::find(cfg.stop_at.begin(), cfg.stop_at.end(), step) == cfg.stop_at.end()) return;
  HoldPoint h;
  h.step = step;
  h.next_actor = next;
  h.mode = cfg.mode;
  h.controller_pid = int(getpid());
  for (int i = 0; i < n; ++i)
    h.actors.push_back(HeldActor{i, cb.slots[i].tid.load(rlx), alive[i], blocked[i], pending[i]});
  cfg.on_hold(h);
}

}  // namespace ipcrace::detail
