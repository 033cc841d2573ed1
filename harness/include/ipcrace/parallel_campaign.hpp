// Parallel campaigns: the runs of one campaign spread over worker processes.
//
// Runs are independent by construction (run i uses run_seed(seed, i)), so
// worker w of N runs indices w, w+N, w+2N, ... with its own Engine, pinned to
// its own CPU, and sends back what it found over a pipe. The parent merges in
// run-index order, so with a run budget the result (runs, findings, first
// finding run, saved schedule files) is the same for any N. A strategy whose
// runs are not independent (dfs) runs in one process.
#pragma once
#include "ipcrace/campaign.hpp"

namespace ipcrace {

// jobs <= 1 (or a dependent strategy, or free mode with one CPU) is run_campaign().
CampaignResult run_campaign_jobs(const TargetInfo& target, const CampaignOptions& opts, int jobs);

// The CPUs this process may run on, ascending.
std::vector<int> allowed_cpus();

}  // namespace ipcrace
