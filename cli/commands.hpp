// The ipcrace subcommands. Each returns an ExitCode.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "ipcrace/campaign.hpp"

namespace ipcrace::cli {

// What `replay` shows besides its verdict (trace_cmd.hpp).
struct ReplayExtras {
  std::string file;            // the schedule file replayed (named in the report)
  bool trace = false;          // --trace: one line per step (with --json: one JSON event per line)
  std::string report;          // --report DIR: the timeline page of this schedule
  std::string trace_out;       // --trace-out FILE.json: Chrome trace-event format
  std::vector<int> stop_at;    // --stop-at N (repeatable): hold before step N
  int step_limit = 0;          // --step-limit (0: the schedule's)
  int watchdog_ms = 0;         // --watchdog-ms (0: the schedule's)
};

struct Common {
  std::string strategy = "auto";
  uint64_t runs = 1000;
  double seconds = 0;
  uint64_t seed = 1;
  std::string actors = "processes";
  std::string race = "on";  // happens-before race detection: on | off
  std::string out = "ipcrace-findings";
  std::vector<std::string> params;  // k=v
  int depth = 0;  // pct: 0 = from the probe's adaptive phase
  int preemptions = 2;
  int watchdog_ms = 3000;
  int step_limit = 20000;
  int cpu = -2;  // -2: the CPU we start on; -1: no pinning
  bool stop_at_first = false;
  bool adapt = false;  // auto: reallocate between epochs
  bool no_minimize = false;  // run: keep findings as found (default: minimise the first one)
  bool json = false;
  bool quiet = false;
  int jobs = 1;
  std::string budget;  // "<N>runs,<S>s"
  std::string junit;   // file
  std::string sarif;   // file
  std::string report;  // directory
  std::string shard;   // "I/N" or "auto/N" (cli/shard.hpp)
  bool shards_from_env = false;
  std::string results;  // shard result file or directory (ipcrace merge reads it)
  // Filled by the command, for the shard result's campaign description.
  std::vector<std::string> target_names;
  int gate_seeds = 0;
  uint64_t gate_clean_runs = 0;
  std::vector<std::string> gate_strategies;
  std::string faults;  // --faults: "" = each target's own
  int fault_budget = 1;
  std::string trace_out;  // run: Chrome trace of the first finding
};

int cmd_list(bool json);
int cmd_run(const std::vector<std::string>& targets, bool all, const Common& c);
int cmd_explore(const std::string& target, const Common& c);
int cmd_replay(const std::string& file, const std::string& actors_override, bool json,
               const std::string& crash_target = "", const std::string& history_out = {},
               const ReplayExtras& extras = {});
int cmd_gate(const std::vector<std::string>& targets, bool all, const Common& c, int seeds, uint64_t clean_runs,
             const std::vector<std::string>& strategies);

// Shared helpers (commands.cpp).
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
std::vector<const TargetInfo*> select_targets(const std::vector<std::string>& names, bool all);
CampaignOptions campaign_options(const Common& c, const TargetInfo& t);
// With --param: every target accepts the parameters (one run each), or a
// UsageError naming the first that rejects them (cli/param_check.cpp).
void check_params_accepted(const Common& c, const std::vector<const TargetInfo*>& targets);
// A first finding that is a hang is replayed once; one that does not hang
// again says so in its message (cli/hang_confirm.cpp).
void confirm_hang(CampaignResult& r);

}  // namespace ipcrace::cli
