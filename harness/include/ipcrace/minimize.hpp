// Minimisation: shrink a failing schedule to the fewest preemptions, then the
// fewest steps, and jointly the smallest workload, keeping the same bug (the
// finding kind and its signature, ipcrace/signature.hpp).
//
// Every candidate is a decision list (plus parameters) replayed with the
// lenient replay strategy (decisions that no longer apply are skipped; past
// the end the running actor keeps running). The full trace of a candidate that
// still fails the same way is re-recorded, so the result is a complete, strict
// schedule; an accepted candidate is confirmed by a strict replay.
#pragma once
#include <cstdint>
#include <functional>
#include <string>

#include "ipcrace/engine.hpp"
#include "ipcrace/schedule.hpp"

namespace ipcrace {

struct MinimizeOptions {
  int max_runs = 400;         // candidate runs (0: no limit)
  double max_seconds = 20;    // wall budget (0: no limit)
  bool workload = true;       // also shrink integer parameters (actors, ops, bytes, ...)
  int watchdog_ms = 0;        // 0: the schedule's (Schedule::watchdog_ms)
  int step_limit = 0;         // 0: the schedule's (Schedule::step_limit)
  int cpu = -2;               // -2: the current CPU, -1: no pinning
  std::function<void(const std::string&)> log;  // one line per accepted candidate (optional)
};

struct MinimizeCounts {
  size_t steps = 0;
  int preemptions = 0;  // switches away from a still-enabled actor, as run
  Params params;
};

struct MinimizeResult {
  Schedule schedule;      // the minimised schedule (strict, complete)
  MinimizeCounts before;  // of the input, as re-run
  MinimizeCounts after;
  int runs = 0;           // candidate runs made
  double seconds = 0;
  bool budget_hit = false;
};

// Throws std::invalid_argument when the schedule has no finding or an unknown
// target, and std::runtime_error when the input itself does not reproduce its
// finding under strict replay.
MinimizeResult minimize_schedule(const Schedule& input, const MinimizeOptions& opts = {});

}  // namespace ipcrace
