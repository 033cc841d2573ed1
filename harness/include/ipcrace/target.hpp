// Targets: a scenario (mechanism variant + workload + oracle) registered once.
#pragma once
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ipcrace/actor.hpp"
#include "ipcrace/params.hpp"

namespace ipcrace {

class RunContext;

// A scenario object lives for a whole campaign (fork-server style: it is set up
// per run in the controller, and forked actors inherit the set-up state).
// Shared state must live in objects created through RunContext; actor bodies
// keep their own state in locals.
class Scenario {
 public:
  virtual ~Scenario() = default;
  // Controller, before the actors start: create this run's IPC objects.
  virtual void setup(RunContext& ctx) = 0;
  // The body of actor a.index(); every shared operation goes through `a`.
  virtual void actor(Actor& a) = 0;
  // Controller, after every actor finished: the oracle; ctx.fail() on violation.
  virtual void check(RunContext& ctx) { (void)ctx; }
  // Controller, after every run (also failed ones): close descriptors.
  // Named objects made through RunContext are unlinked by the harness.
  virtual void teardown(RunContext& ctx) { (void)ctx; }
};

enum class Variant { racy, synchronised };
enum class Expect { finding, clean };
const char* variant_name(Variant v);
const char* expect_name(Expect e);

struct TargetInfo {
  std::string name;       // family.mechanism.variant, e.g. shm.counter.racy
  std::string family;     // pipe, mqueue, socket, rpc, shm, sync
  Variant variant = Variant::racy;
  std::string bug_class;  // what the racy variant shows (or prevents)
  std::string sync;       // the coordination mechanism of a synchronised variant
  std::string summary;    // one line
  Params defaults;        // must hold "actors"
  std::function<std::unique_ptr<Scenario>()> make;
  int budget_runs = 1000;  // racy: found under auto (the gate's default), surw and pct within this many runs
  std::string source;     // file that registers it (for reports and SARIF)
  // The sequential model (oracles.hpp: register, cas-register, counter, queue,
  // kv) of the history the actors record with Actor::invoke/complete. When
  // set, every run whose other oracles pass is also checked for
  // linearizability; a violation is an assertion finding.
  std::string model;
  // Workload ranges for generated workloads (the per-target property tests):
  // param -> {lo, hi}, inclusive; e.g. {"actors", {2, 4}}. A racy target must
  // be found within budget_runs for every workload in range. Params without
  // a range vary around their default (property_range), role counts (actors,
  // producers, workers, ...) stay at their default.
  std::map<std::string, std::pair<int64_t, int64_t>> ranges;
  // Faults (ipcrace/fault_kind.hpp) enabled when a run does not say
  // (RunConfig::faults, --faults): a faults-family target names the kind
  // that reveals its bug, e.g. "short".
  std::string faults;
  // Actors whose death is part of the workload (bit i: actor i): an injected
  // `kill`, a signal the actor raised itself or an _exit is then no crash;
  // the survivors go on and the oracle judges what they did. Only these
  // actors can get a `kill` fault.
  uint64_t may_die = 0;
  // A program target (ipcrace exec, ipcrace_add_program): its command line;
  // empty for every scenario target.
  std::vector<std::string> exec;
  int exec_expect_exit = 0;   // its exit status when nothing went wrong
  std::string exec_fail_on;   // a regex over its output that is a finding
  bool exec_preload = false;  // uninstrumented: the runtime comes in with LD_PRELOAD
  // Racy variant: its bug is a data race on shared memory, which the race
  // detector reports in (nearly) every run. False for bugs of message passing
  // or of wake-ups (torn pipe writes, misrouted replies, lost wake-ups): the
  // gate then expects an oracle finding, not only a `race` one.
  bool data_race = true;
  // A faithful workload longer than the default livelock guard: its own step
  // limit. Every run of it (run, gate, properties, fuzzing, replay) uses the
  // larger of this and RunConfig::step_limit (--step-limit). 0: none of its own.
  int step_limit = 0;
  Expect expect() const { return variant == Variant::racy ? Expect::finding : Expect::clean; }
};

// Whether `param` counts actors in a role (actors, producers, workers, ...):
// generated workloads (properties, fuzzing) keep it at its default unless a
// range says otherwise.
bool is_role_param(std::string_view param);
// The range a generated workload draws `param` from (see TargetInfo::ranges).
std::pair<int64_t, int64_t> property_range(const TargetInfo& t, const std::string& param);

bool register_target(TargetInfo info);  // aborts on a duplicate name
const std::vector<TargetInfo>& all_targets();  // sorted by name
const TargetInfo* find_target(std::string_view name);

#define IPCRACE_CAT2(a, b) a##b
#define IPCRACE_CAT(a, b) IPCRACE_CAT2(a, b)
// IPCRACE_TARGET({.name = ..., ...}); at namespace scope registers a target.
#define IPCRACE_TARGET(...) \
  [[maybe_unused]] static const bool IPCRACE_CAT(ipcrace_registered_, __LINE__) = \
      ::ipcrace::register_target(::ipcrace::TargetInfo __VA_ARGS__)

// Controller-side context of one run: parameters, resources and the real,
// uniquely named OS objects of this run, all cleaned up after it.
class RunContext {
 public:
  virtual ~RunContext() = default;
  virtual const Params& params() const = 0;
  virtual int actors() const = 0;
  virtual uint64_t seed() const = 0;
  // Register a resource (conflict domain) by name; same name, same id.
  virtual Resource resource(const char* name) = 0;
  // "/ipcrace.<pid>.<engine>.<run>.<base>": unique per run, recognisable as
  // ours; if that name already exists (planted or stale), a random suffix is
  // added. The same base gives the same name within a run.
  virtual std::string object_name(std::string_view base) = 0;
  // A real POSIX shared-memory segment (shm_open), zeroed and mapped; unlinked
  // and unmapped after the run.
  virtual void* shm(std::string_view base, size_t bytes) = 0;
  // A path for a Unix socket of this run, inside the engine's own 0700 folder
  // (mkdtemp); the file is removed after the run.
  virtual std::string socket_path(std::string_view base) = 0;
  // Track a POSIX message queue name (mq_unlink after the run).
  virtual void track_mqueue(const std::string& name) = 0;
  // Track a Boost.Interprocess or other /dev/shm name (shm_unlink after the run).
  virtual void track_shm_name(const std::string& name) = 0;
  // Descriptor `fd`, made in setup (one end of a pipe or socket pair),
  // belongs to actor `actor`: once the actors run, every other copy is closed
  // (the controller's and, in process mode, the other actors'), and in thread
  // mode (one descriptor table) the harness closes it when its owner ends, so
  // a reader sees EOF when the writer's end is gone, as in real code. The
  // harness closes it after the run: teardown must not.
  virtual void give_fd(int fd, int actor) = 0;
  // An oracle violation found by check().
  virtual void fail(std::string message) = 0;

  template <class T, class... Args>
  T* shm_new(std::string_view base, Args&&... args) {
    return new (shm(base, sizeof(T))) T(std::forward<Args>(args)...);
  }
};

}  // namespace ipcrace
