// Outcomes of a run: the trace it took and the finding, if any.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ipcrace/fault_kind.hpp"
#include "ipcrace/history.hpp"
#include "ipcrace/op.hpp"
#include "ipcrace/race.hpp"

namespace ipcrace {

// Append only (schedule files and reports name them).
enum class FindingKind : uint8_t { none, assertion, deadlock, crash, step_limit, hang, tsan, race };
inline constexpr size_t kFindingKinds = size_t(FindingKind::race) + 1;  // kinds, none included
const char* finding_kind_name(FindingKind k);
std::optional<FindingKind> finding_kind_from_name(std::string_view name);

enum class ActorMode : uint8_t { processes, threads, free };
const char* actor_mode_name(ActorMode m);
std::optional<ActorMode> actor_mode_from_name(std::string_view name);

// How a granted op ended, as the controller saw it: the actor reached its
// next point, its try would block (it waits to retry the same op), it
// completed the op and then parked (blocked on its next op), or it exited.
enum class StepEnd : uint8_t { point, would_block, parked, exited };
const char* step_end_name(StepEnd e);
std::optional<StepEnd> step_end_from_name(std::string_view name);

// Bytes of a payload an op moved that a step keeps (Actor::outcome with bytes).
inline constexpr size_t kStepExcerpt = 32;

// One decision: which actor ran and the op it was granted, and what the op
// did once it ran (when the actor told: Actor::outcome). This is the event
// stream every reader of a run shares (oracles, race detection, traces,
// reports): one record per step, in the one global order of the run.
struct Step {
  uint16_t actor = 0;
  Op op;
  // Outcome of the op, reported by the actor before its next point:
  // `result` (bytes moved, a return value, -errno) and `value` (the value a
  // shared load read or a store wrote, as raw bits). has_outcome is false
  // when the actor reported nothing (the op's outcome is not known).
  bool has_outcome = false;
  int64_t result = 0;
  uint64_t value = 0;
  // The fault the strategy chose for this op instead of its normal outcome.
  FaultKind fault = FaultKind::none;
  StepEnd end = StepEnd::point;
  // The first bytes the op moved (a message sent or received, bytes read or
  // written), when the actor reported them; `result` holds the full count.
  uint8_t nbytes = 0;
  std::array<unsigned char, kStepExcerpt> bytes{};
  bool operator==(const Step& o) const;  // actor, kind, resource, label, fault only
};

// THE preemption count (docs/architecture.md, "Preemptions"): a preemption is
// a switch, at step i > 0, away from the actor of step i-1 while that actor
// could have gone on: its step ended at its next point (not would-block,
// parked or exited) and was not a yield (a switch at sched_yield() is the
// actor's own offer, not a preemption, as in CHESS). Every count (run
// summary, minimiser, schedule file, report, traces, show, dfs's bound) is
// this rule over a run's trace or a schedule. `actor(i)`, `end(i)` and
// `yielded(i)` describe step i of n.
template <class ActorOf, class EndOf, class YieldOf>
std::vector<size_t> preemption_steps(size_t n, ActorOf actor, EndOf end, YieldOf yielded) {
  std::vector<size_t> out;
  for (size_t i = 1; i < n; ++i)
    if (actor(i) != actor(i - 1) && end(i - 1) == StepEnd::point && !yielded(i - 1)) out.push_back(i);
  return out;
}
std::vector<size_t> preemption_steps(const std::vector<Step>& trace);

struct RunResult {
  FindingKind kind = FindingKind::none;
  std::string message;          // oracle message, deadlock/crash details
  std::string actor_stderr;     // captured stderr of a crashed actor (process mode)
  // A deadlock: the blocked op of each live actor, "kind resource (label)"
  // (its signature, ipcrace/signature.hpp).
  std::vector<std::string> blocked;
  std::vector<Step> trace;      // every decision, in order
  std::vector<std::string> resources;  // resource names by id
  int preemptions = 0;          // preemption_steps(trace).size()
  // Steps granted when the finding was detected (an actor's failure: while
  // it ran step detected_at - 1; deadlock, oracle, ...: after the last step).
  int detected_at = -1;
  bool aborted = false;         // the strategy stopped the run early; no oracle ran
  bool pruned = false;          // dfs: redundant by sleep sets, not checked
  bool diverged = false;        // replay: an actor reached another op than recorded
  std::string divergence;       // which step and what differed
  // What the actors recorded with Actor::invoke/complete (empty if nothing);
  // truncated: more events than the log holds (the history was not checked).
  History history;
  bool history_truncated = false;
  // Faults this run could choose (RunConfig::faults resolved against the
  // target's default) and at most how many; recorded in the schedule.
  uint32_t faults_enabled = 0;
  int fault_budget = 0;
  // The run's limits as used (RunConfig, raised to TargetInfo::step_limit);
  // recorded in the schedule, so replay and minimize run with them.
  int step_limit = 20000;
  int watchdog_ms = 3000;
  // Race detection (ipcrace/race.hpp): whether it ran, and the data races it
  // found (first per pair of access sites), whatever the finding kind is.
  bool race_checked = false;
  std::vector<RaceReport> races;
  bool found() const { return kind != FindingKind::none; }
  uint64_t trace_hash() const;  // stable hash of the trace (and outcome)
};

}  // namespace ipcrace
