// ipcrace minimize: shrink a failing schedule (see ipcrace/minimize.hpp).
#pragma once
#include <string>

#include "commands.hpp"

namespace ipcrace::cli {

struct MinimizeCmdOptions {
  std::string file;
  std::string out;        // "" = <file without .schedule>-min.schedule
  int max_runs = 2000;
  double seconds = 60;
  bool no_workload = false;
  bool json = false;
  bool quiet = false;
  std::string trace_out;  // Chrome trace of the minimised schedule
  int step_limit = 0;     // 0: the schedule's
  int watchdog_ms = 0;    // 0: the schedule's
};

// Exit codes: 0 minimised (and written), 21 unreadable schedule or no finding
// in it, 30 the schedule does not reproduce its finding, 40 internal error.
int cmd_minimize(const MinimizeCmdOptions& o);

// ipcrace run: minimise a campaign's first finding in place (r.minimized*),
// saving the minimised schedule next to the original. Never throws; a finding
// that does not minimise (does not reproduce) is left as it is.
void minimize_campaign_finding(CampaignResult& r, const std::string& out_dir);

}  // namespace ipcrace::cli
