// Schedule files: the explicit decision list of one run, replayable.
//
// Format (text, versioned, line-based; '#' starts a comment line):
//   ipcrace-schedule 2                  (version 1 files still parse)
//   target shm.counter.racy
//   param actors 2
//   mode processes
//   strategy pct
//   seed 42
//   run 17
//   run-seed 1234567
//   race on                             (version 2, optional; absent: off)
//   step-limit 20000                    (optional; absent: 20000) the run's
//   watchdog-ms 3000                    (optional; absent: 3000)  limits
//   labels escaped                      (optional, before any step: labels
//                                        and resource names are escaped:
//                                        \\ and \xHH for a backslash, space,
//                                        control and non-ASCII bytes, '-' for
//                                        empty; absent: an older file, whose
//                                        labels had whitespace written as '_')
//   finding assertion
//   message lost update: counter is 3, expected 4
//   race-pair shm_load:c.load | shm_store:c.store   (optional, finding race:
//                                        the site pair this schedule shows;
//                                        replay and minimise keep it)
//   race-steps 3 7                      (optional: the steps of its two accesses)
//   resource 0 counter
//   faults short,eintr                  (optional: kinds the run could choose)
//   fault-budget 1                      (optional: at most this many per run)
//   step 1 shm_load 0 counter.load      (actor, op kind, resource id, label)
//   fault short                         (optional: the step above failed that way)
//   step-end 7 would-block              (version 2, optional: how step 7 ended
//                                        when not at a point: would-block,
//                                        parked, exited; preemptions need it)
//   end
// Version 1 files (no step-end lines) still parse; their steps all count as
// ending at a point, so their preemption count can be higher than a replay's.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ipcrace/finding.hpp"
#include "ipcrace/params.hpp"

namespace ipcrace {

struct ScheduleStep {
  int actor = 0;
  OpKind kind = OpKind::yield;
  int resource = 0;
  std::string label;
  FaultKind fault = FaultKind::none;  // a `fault` line after the step
  StepEnd end = StepEnd::point;  // how the step ended (file: step-end lines)
  bool operator==(const ScheduleStep&) const = default;
};

struct Schedule {
  static constexpr int kVersion = 2;
  std::string target;
  Params params;
  ActorMode mode = ActorMode::processes;
  std::string strategy;
  uint64_t seed = 0;
  uint64_t run = 0;
  uint64_t run_seed = 0;
  FindingKind finding = FindingKind::none;
  std::string message;
  // Happens-before race detection was on (version 2: "race on|off"; a
  // version 1 file predates it: off).
  bool race = false;
  // A race finding: the unordered pair of access sites it shows
  // (race_site_pair); a campaign keeps one schedule per pair. Empty: any.
  std::string race_pair;
  int race_first = -1, race_second = -1;  // step indices of its two accesses (-1: unknown)
  std::vector<std::string> resources;
  std::vector<ScheduleStep> steps;
  uint32_t faults = 0;   // FaultMask the run could choose from (replay honours it)
  int fault_budget = 0;
  // The run's livelock guard and hang watchdog (RunConfig); replay and
  // minimize run with them. A file without the lines had the defaults.
  int step_limit = 20000;
  int watchdog_ms = 3000;
  // Read from a file written before labels were escaped: its labels had
  // whitespace replaced by '_' (replay compares them the same way).
  bool cleaned_labels = false;
  // A program target (exec mode): how it was run, and a hash of the binary
  // (replay refuses another binary). Lines exec-arg (one per argument, the
  // rest of the line), exec-binary-hash, exec-expect-exit, exec-fail-on,
  // exec-preload, exec-may-die (the actors whose death is expected, a mask).
  std::vector<std::string> command;
  std::string binary_hash;
  int expect_exit = 0;
  std::string fail_on;
  bool preload = false;
  uint64_t may_die = 0;

  int fault_steps() const;  // steps with a fault

  std::vector<int> decisions() const;
  int preemptions() const;  // preemption_steps (finding.hpp) over the steps
};

// The steps at which a preemption happened (preemption_steps, finding.hpp).
std::vector<size_t> preemption_steps(const Schedule& s);

// Build a schedule from a run's trace.
Schedule schedule_from_run(const std::string& target, const Params& params, ActorMode mode,
                           const std::string& strategy, uint64_t seed, uint64_t run,
                           uint64_t run_seed, const RunResult& result);

std::string format_schedule(const Schedule& s);

// Parse; on error returns nullopt and sets `error` to "line N: what is wrong".
std::optional<Schedule> parse_schedule(const std::string& text, std::string* error);
std::optional<Schedule> load_schedule(const std::string& path, std::string* error);

// Write atomically (temp file + fsync + rename) into `dir` as
// <target>-<16 hex of content hash>.schedule; returns the path. Throws on I/O error.
std::string save_schedule(const Schedule& s, const std::string& dir);

// Labels and resource names in schedule files: one token that gives back
// every byte (see the format above). unescape_label: nullopt on a bad escape.
std::string escape_label(std::string_view raw);
std::optional<std::string> unescape_label(std::string_view token);
// What files before escaping wrote for a label ('_' for whitespace, '-' for empty).
std::string legacy_clean_label(std::string_view raw);

uint64_t fnv1a64(const std::string& data, uint64_t h = 0xcbf29ce484222325ULL);

}  // namespace ipcrace
