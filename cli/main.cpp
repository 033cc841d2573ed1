// ipcrace: race-condition detection and fuzzing for inter-process communication.
// Flags are declared here, in one table per subcommand; exit codes are in
// ipcrace/exit_codes.hpp.
#include <CLI/CLI.hpp>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "bench.hpp"
#include "check_history_cmd.hpp"
#include "commands.hpp"
#include "exec_cmd.hpp"
#include "minimize_cmd.hpp"
#include "shard.hpp"
#include "trace_cmd.hpp"
#include "verdicts.hpp"
#include "ipcrace/errors.hpp"
#include "ipcrace/exit_codes.hpp"

using namespace ipcrace;
using namespace ipcrace::cli;

namespace {

// Unsigned counts: digits only (no sign), within 64 bits: "-1" and "2^64" are
// usage errors, not silently wrapped.
const CLI::Validator kUnsigned(
    [](std::string& v) -> std::string {
      uint64_t out = 0;
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
      if (v.empty() || v[0] == '-' || v[0] == '+' || ec != std::errc() || p != v.data() + v.size())
        return "must be a whole number from 0 to 18446744073709551615, got '" + v + "'";
      return "";
    },
    "UINT");
// Seconds: finite and not negative (no nan, inf, -1).
const CLI::Validator kSeconds(
    [](std::string& v) -> std::string {
      char* end = nullptr;
      double d = std::strtod(v.c_str(), &end);
      if (v.empty() || *end || !std::isfinite(d) || d < 0) return "must be a finite number of seconds >= 0, got '" + v + "'";
      return "";
    },
    "SECONDS");

void add_campaign_flags(CLI::App* sub, Common& c, bool with_strategy) {
  if (with_strategy)
    sub->add_option("--strategy", c.strategy, "auto | surw | pct | pos | random | dfs (gate: for racy targets)")->capture_default_str();
  sub->add_option("--runs", c.runs, "run budget per target (0: none)")->capture_default_str()->check(kUnsigned);
  sub->add_option("--seconds", c.seconds, "time budget per target, in seconds (0: none)")->capture_default_str()->check(kSeconds);
  sub->add_option("--seed", c.seed, "strategy seed")->capture_default_str()->check(kUnsigned);
  sub->add_option("--actors", c.actors, "processes | threads | free")->capture_default_str();
  sub->add_option("--race", c.race, "happens-before race detection: on | off (recorded in schedules)")
      ->capture_default_str()
      ->check(CLI::IsMember({"on", "off"}));
  sub->add_option("--out", c.out, "directory for findings' schedule files")->capture_default_str();
  sub->add_option("--param", c.params, "workload parameter name=value (repeatable)");
  sub->add_option("--depth", c.depth, "pct bug depth d (0: adaptive, from probe runs)")->capture_default_str()->check(CLI::Range(0, 20));
  sub->add_option("--preemptions", c.preemptions, "dfs preemption bound")->capture_default_str()->check(CLI::Range(0, 20));
  sub->add_option("--watchdog-ms", c.watchdog_ms, "hang watchdog per step")->capture_default_str()->check(CLI::Range(1, 3600000));
  sub->add_option("--step-limit", c.step_limit, "livelock guard: steps per run")->capture_default_str()->check(CLI::Range(1, 100000000));
  sub->add_option("--cpu", c.cpu, "pin controller and actors to this CPU (-1: no pinning; default: current CPU)");
  sub->add_option("--faults", c.faults,
                  "fault kinds strategies may choose: short,eintr,full,timeout,kill,drop | all | none "
                  "(default: the target's own; see README 'Faults')");
  sub->add_option("--fault-budget", c.fault_budget, "at most this many faults per run")
      ->capture_default_str()->check(CLI::Range(0, 1000000));
  sub->add_flag("--stop-at-first", c.stop_at_first, "stop a target's campaign at its first finding");
  sub->add_flag("--adapt", c.adapt,
                "auto: after a warm-up, epochs give more runs to the members finding new interleaving coverage "
                "(identical for any --jobs; not with --shard)");
  sub->add_flag("--json", c.json, "machine-readable output on stdout");
  sub->add_flag("-q,--quiet", c.quiet, "no progress lines");
  sub->add_option("--jobs,-j", c.jobs, "parallel worker processes, one CPU each (results identical for any N; dfs: 1)")
      ->capture_default_str()->check(CLI::Range(1, 256));
  sub->add_option("--budget", c.budget, "per target budget: <N>runs and/or <S>s, comma-separated (e.g. 2000runs,30s)");
  sub->add_option("--junit", c.junit, "write a JUnit XML report (one testcase per target) to FILE");
  sub->add_option("--sarif", c.sarif, "write a SARIF 2.1.0 log of the findings to FILE");
  sub->add_option("--shard", c.shard, "run only global run indices i with i mod N == I (I/N; auto/N: I from $JOB_COMPLETION_INDEX)");
  sub->add_flag("--shards-from-env", c.shards_from_env, "--shard from $IPCRACE_SHARD_INDEX (or $JOB_COMPLETION_INDEX) and $IPCRACE_SHARD_COUNT");
  sub->add_option("--results", c.results, "write this shard's result for 'ipcrace merge' to FILE (a directory: DIR/shard-I-of-N.json)");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ipcrace: find race conditions in inter-process communication, replay them deterministically"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "ipcrace 0.1");

  bool list_json = false;
  auto* list = app.add_subcommand("list", "list the registered targets");
  list->add_flag("--json", list_json, "JSON array of targets");

  Common run_c;
  std::vector<std::string> run_targets;
  bool run_all = false;
  auto* run = app.add_subcommand("run", "run a campaign over targets");
  run->add_option("targets", run_targets, "target names");
  run->add_flag("--all", run_all, "every registered target");
  add_campaign_flags(run, run_c, true);
  run->add_flag("--no-minimize", run_c.no_minimize, "keep findings as found (default: minimise the first finding too)");
  run->add_option("--report", run_c.report, "write an HTML report (index + a timeline page per finding) into DIR");
  run->add_option("--trace-out", run_c.trace_out,
                  "write the Chrome trace (Perfetto) of the first finding (minimised, when it was) to FILE.json");

  Common exec_c;
  ExecCmdOptions exec_o;
  auto* exec = app.add_subcommand("exec", "run an unmodified program under the scheduler: ipcrace exec [flags] -- PROG ARGS");
  exec->add_option("command", exec_o.command, "the program and its arguments (after --)")->required();
  add_campaign_flags(exec, exec_c, true);
  exec->add_option("--expect-exit", exec_o.expect_exit, "the program's exit status when nothing went wrong")->capture_default_str();
  exec->add_option("--fail-on", exec_o.fail_on, "a finding when the program's output matches this regex");
  exec->add_flag("--preload", exec_o.preload, "an uninstrumented binary: LD_PRELOAD the runtime (points at interposed calls only)");
  exec->add_option("--may-die", exec_o.may_die, "actors whose death is part of the workload: indices in fork order (1,2) or 'children'; --faults kill may then kill them at any point");
  exec->add_flag("--no-minimize", exec_c.no_minimize, "keep findings as found");
  exec->add_option("--report", exec_c.report, "write an HTML report into DIR");

  Common exp_c;
  exp_c.runs = 100000;
  exp_c.seconds = 600;  // default budget: a large bound stops after 10 minutes (with a progress line), not never
  std::string exp_target;
  auto* explore = app.add_subcommand("explore", "exhaustive bounded exploration (dfs with sleep sets)");
  explore->add_option("target", exp_target, "target name")->required();
  add_campaign_flags(explore, exp_c, false);

  std::string replay_file, replay_actors;
  bool replay_json = false;
  auto* replay = app.add_subcommand("replay", "re-execute a schedule file; report divergence");
  replay->add_option("file", replay_file, "schedule file")->required();
  replay->add_option("--actors", replay_actors, "override the recorded mode: processes | threads");
  replay->add_flag("--json", replay_json, "machine-readable output");
  std::string replay_target;
  replay->add_option("--target", replay_target, "the FILE is a libFuzzer crash file of this target");
  std::string replay_history;
  replay->add_option("--history", replay_history,
                     "write the history the actors recorded (docs/history-format.md; '-': stdout)");
  ReplayExtras replay_x;
  replay->add_flag("--trace", replay_x.trace,
                   "one line per step: what each op read, wrote, sent, received; with --json one event per line");
  replay->add_option("--report", replay_x.report, "write the HTML timeline page of this schedule into DIR");
  replay->add_option("--trace-out", replay_x.trace_out, "write a Chrome trace (Perfetto, chrome://tracing) to FILE.json");
  replay->add_option("--stop-at", replay_x.stop_at,
                     "hold every actor before step N, print how to attach gdb; Enter or SIGCONT goes on (repeatable)")
      ->check(CLI::NonNegativeNumber);
  replay->add_option("--step-limit", replay_x.step_limit, "livelock guard (default: the schedule's step-limit)")
      ->check(CLI::Range(1, 100000000));
  replay->add_option("--watchdog-ms", replay_x.watchdog_ms, "hang watchdog per step (default: the schedule's)")
      ->check(CLI::Range(1, 3600000));

  std::string show_file;
  auto* show = app.add_subcommand("show", "the interleaving of a schedule file as a terminal swimlane");
  show->add_option("file", show_file, "schedule file")->required();

  Common gate_c;
  std::vector<std::string> gate_targets;
  bool gate_all = false;
  int gate_seeds = 10;
  uint64_t gate_clean_runs = 2000;
  std::vector<std::string> gate_strategies{"surw", "random", "pct", "pos"};
  auto* gate = app.add_subcommand("gate", "check every target against its expected verdict (CI)");
  gate->add_option("targets", gate_targets, "target names");
  gate->add_flag("--all", gate_all, "every registered target");
  gate->add_option("--seeds", gate_seeds, "racy targets: seeds that must each find the bug (under --strategy, default auto)")->capture_default_str()->check(CLI::Range(1, 1000));
  gate->add_option("--clean-runs", gate_clean_runs, "synchronised targets: runs per strategy with no finding")->capture_default_str();
  gate->add_option("--strategies", gate_strategies, "strategies for synchronised targets")->delimiter(',')->capture_default_str();
  add_campaign_flags(gate, gate_c, true);

  BenchOptions bench_o;
  auto* bench = app.add_subcommand("bench", "measure the scheduler against the raw futex floor");
  bench->add_flag("--quick", bench_o.quick, "small counts (seconds, not minutes)");
  bench->add_flag("--race", bench_o.race, "the race detector's cost: runs/s with --race on against off (shm family), ns per checked access");
  bench->add_option("--long-runs", bench_o.long_runs, "runs of the long growth campaign (thread mode; processes: a tenth)")
      ->capture_default_str();

  uint64_t race_table_runs = 10;
  auto* race_table = app.add_subcommand("race-table", "ipcrace's race detector against ThreadSanitizer on the shared-memory targets (markdown; TSan column: a tsan build)");
  race_table->add_option("--runs", race_table_runs, "random runs per column")->capture_default_str()->check(CLI::Range(1, 100000));

  VerdictOptions verdict_o;
  auto* verdicts = app.add_subcommand("verdicts", "the verdict table (markdown): runs to find per strategy, free-run baseline");
  verdicts->add_option("--seeds", verdict_o.seeds, "seeds per strategy")->capture_default_str()->check(CLI::Range(1, 1000));
  verdicts->add_option("--cap", verdict_o.cap, "runs per seed before giving up")->capture_default_str();
  std::string verdict_strategies = "auto,surw,pct,pos,random";
  verdicts->add_option("--strategies", verdict_strategies, "comma-separated strategies, one column each (the first: the free-run baseline's wall time)")
      ->capture_default_str();
  verdicts->add_option("targets", verdict_o.targets, "targets or patterns (default: every target)");

  CheckHistoryOptions ch_o;
  const std::string models = "register | cas-register | counter | queue | kv | list-append | set";
  auto* check_history = app.add_subcommand("check-history", "is a history linearizable? (docs/history-format.md)");
  check_history->add_option("file", ch_o.file, "history file: ipcrace's format, Jepsen's history.edn or log, Porcupine's kv log")->required();
  check_history->add_option("--model", ch_o.model, models)->required();
  check_history->add_option("--format", ch_o.format, "auto | ipcrace | jepsen-edn | porcupine-kv")->capture_default_str();
  check_history->add_option("--timeout", ch_o.timeout, "wall-time bound in seconds, then 'unknown (timeout)' (0: none)")->capture_default_str();
  check_history->add_option("--jobs", ch_o.jobs, "keys checked in parallel (0: the CPUs)")->capture_default_str();
  check_history->add_flag("--verdict-only", ch_o.verdict_only, "stop at the first non-linearizable key: no prefix, no conflict set");
  check_history->add_option("--report", ch_o.report, "FILE.html: the failing key's ops as intervals per process");
  check_history->add_flag("--json", ch_o.json, "machine-readable output");

  BenchHistoryOptions bh_o;
  auto* bench_history = app.add_subcommand("bench-history", "the linearizability checker on generated histories of growing size");
  bench_history->add_option("--model", bh_o.model, models)->capture_default_str();
  bench_history->add_option("--clients", bh_o.clients, "concurrent clients")->capture_default_str()->check(CLI::Range(1, 100000));
  bench_history->add_option("--keys", bh_o.keys, "keys (partitioned models)")->capture_default_str()->check(CLI::Range(1, 100000000));
  bench_history->add_option("--limit", bh_o.limit, "seconds per check")->capture_default_str()->check(CLI::Range(0.1, 1e6));
  bench_history->add_option("--start", bh_o.start, "first size (doubling)")->capture_default_str()->check(CLI::Range(1, 100000000));
  bench_history->add_option("--max-ops", bh_o.max_ops, "last size")->capture_default_str()->check(CLI::Range(1, 1000000000));
  bench_history->add_option("--ops", bh_o.fixed_ops, "one size only, checked --repeat times (ok and broken copies)")->check(CLI::Range(1, 100000000));
  bench_history->add_option("--repeat", bh_o.repeat, "histories of that size")->capture_default_str()->check(CLI::Range(1, 100000));
  bench_history->add_flag("--strings", bh_o.strings, "string values (kv: puts, gets and appends)");
  bench_history->add_option("--jobs", bh_o.jobs, "keys checked in parallel")->capture_default_str()->check(CLI::Range(1, 1024));
  bench_history->add_flag("--verdict-only", bh_o.verdict_only, "stop at the first non-linearizable key");

  MinimizeCmdOptions min_o;
  auto* minimize = app.add_subcommand("minimize", "shrink a failing schedule: fewest preemptions, steps, workload");
  minimize->add_option("schedule", min_o.file, "schedule file with a finding")->required();
  minimize->add_option("-o,--out", min_o.out, "output schedule file (default: <schedule>-min.schedule)");
  minimize->add_option("--max-runs", min_o.max_runs, "candidate runs budget (0: none)")->capture_default_str()->check(CLI::Range(0, 100000000));
  minimize->add_option("--seconds", min_o.seconds, "time budget in seconds (0: none)")->capture_default_str()->check(kSeconds)->check(CLI::Range(0.0, 1e9));
  minimize->add_flag("--no-workload", min_o.no_workload, "keep the workload parameters; shrink only the decisions");
  minimize->add_flag("--json", min_o.json, "machine-readable output");
  minimize->add_flag("-q,--quiet", min_o.quiet, "no progress lines");
  minimize->add_option("--step-limit", min_o.step_limit, "livelock guard (default: the schedule's step-limit)")
      ->check(CLI::Range(1, 100000000));
  minimize->add_option("--watchdog-ms", min_o.watchdog_ms, "hang watchdog per step (default: the schedule's)")
      ->check(CLI::Range(1, 3600000));
  minimize->add_option("--trace-out", min_o.trace_out, "write the Chrome trace (Perfetto) of the minimised schedule to FILE.json");

  MergeOptions merge_o;
  auto* merge = app.add_subcommand("merge", "combine shard results (--results) into the result of one unsharded campaign");
  merge->add_option("results", merge_o.files, "shard result files")->required();
  merge->add_option("-o,--output", merge_o.out, "write the merged result JSON to FILE");
  merge->add_option("--out", merge_o.c.out, "directory for the merged findings' schedule files")->capture_default_str();
  merge->add_option("--report", merge_o.c.report, "write an HTML report into DIR");
  merge->add_option("--junit", merge_o.c.junit, "write a JUnit XML report to FILE");
  merge->add_option("--sarif", merge_o.c.sarif, "write a SARIF 2.1.0 log to FILE");
  merge->add_flag("--json", merge_o.c.json, "machine-readable output on stdout");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "ipcrace: error: %s (see ipcrace --help)\n", e.what());
    return kExitUsage;
  }

  try {
    if (*list) return cmd_list(list_json);
    if (*run) return cmd_run(run_targets, run_all, run_c);
    if (*exec) return cmd_exec(exec_o, exec_c);
    if (*explore) return cmd_explore(exp_target, exp_c);
    if (*replay) return cmd_replay(replay_file, replay_actors, replay_json, replay_target, replay_history, replay_x);
    if (*show) return cmd_show(show_file);
    if (*minimize) return cmd_minimize(min_o);
    if (*check_history) return cmd_check_history(ch_o);
    if (*bench_history) return cmd_bench_history(bh_o);
    if (*bench) return bench_o.race ? cmd_race_bench(bench_o.quick) : cmd_bench(bench_o);
    if (*race_table) return cmd_race_table(race_table_runs);
    if (*verdicts) {
      verdict_o.strategies.clear();
      for (size_t b = 0, e; b <= verdict_strategies.size(); b = e + 1) {
        e = verdict_strategies.find(',', b);
        if (e == std::string::npos) e = verdict_strategies.size();
        if (e > b) verdict_o.strategies.push_back(verdict_strategies.substr(b, e - b));
      }
      return cmd_verdicts(verdict_o);
    }
    if (*merge) return cmd_merge(merge_o);
    if (*gate) return cmd_gate(gate_targets, gate_all, gate_c, gate_seeds, gate_clean_runs, gate_strategies);
  } catch (const UsageError& e) {
    std::fprintf(stderr, "ipcrace: error: %s\n", e.what());
    return kExitUsage;
  } catch (const InputError& e) {
    std::fprintf(stderr, "ipcrace: error: %s\n", e.what());
    return kExitBadInput;
  } catch (const std::system_error& e) {
    if (is_resource_error(e)) {
      std::fprintf(stderr, "ipcrace: error: out of a system resource: %s\n", e.what());
      return kExitResource;
    }
    std::fprintf(stderr, "ipcrace: internal error: %s\n", e.what());
    return kExitInternal;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "ipcrace: error: out of memory\n");
    return kExitResource;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ipcrace: internal error: %s\n", e.what());
    return kExitInternal;
  }
  return kExitInternal;
}
