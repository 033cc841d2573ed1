// The controller: sets a run up, starts the actors, grants one point at a time
// to the actor the strategy picks, observes exits, crashes, hangs and
// deadlocks, runs the oracle and removes every OS object of the run.
#include "ipcrace/engine.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "cleanup.hpp"
#include "ipcrace/faults.hpp"
#include "ipcrace/oracles.hpp"
#include "control_block.hpp"
#include "fault_control.hpp"
#include "exec/exec_backend.hpp"
#include "engine_resources.hpp"
#include "futex.hpp"
#include "hang_watch.hpp"
#include "race/detector.hpp"
#include "run_context.hpp"
#include "stop_at.hpp"
#include "tsan_hooks.hpp"

namespace ipcrace {
namespace detail {
void set_current_actor(Actor* a);
}

namespace {

std::atomic<ControlBlock*> g_sigchld_cb{nullptr};
std::atomic<uint64_t> g_engine_ids{0};

void on_sigchld(int) {
  int saved = errno;
  if (ControlBlock* cb = g_sigchld_cb.load()) cb->wake_controller();
  errno = saved;
}

enum class Wait { point, blocked, blocked_after_op, exited, died, hung };

// Exit status of an actor whose controller died before it started.
constexpr int kActorOrphanExit = 3;

std::string describe_status(int status) {
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    return std::string("killed by signal ") + std::to_string(sig) + " (" + strsignal(sig) + ")";
  }
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status)) + " outside the harness";
  return "ended with wait status " + std::to_string(status);
}

std::string op_text(const Op& op, const std::vector<std::string>& resources) {
  std::string res = op.resource < resources.size() ? resources[op.resource] : std::to_string(op.resource);
  return std::string(op_kind_name(op.kind)) + " " + res + " (" + (op.label ? op.label : "") + ")";
}

}  // namespace

Params resolve_params(const TargetInfo& target, const Params& overrides) {
  Params p = target.defaults;
  for (const auto& [k, v] : overrides.all()) {
    if (!target.defaults.has(k))
      throw std::invalid_argument("target " + target.name + " has no parameter '" + k + "' (it has: " +
                                  target.defaults.str() + ")");
    p.set(k, v);
  }
  int64_t n = p.get("actors", 0);
  if (n < 1 || n > kMaxActors)
    throw std::invalid_argument("actors must be in 1.." + std::to_string(kMaxActors) + ", got " + std::to_string(n));
  for (const auto& [k, v] : p.all())
    if (v < 0) throw std::invalid_argument("parameter '" + k + "' must not be negative");
  return p;
}

struct Engine::Impl {
  const TargetInfo& target;
  Params params;
  RunConfig cfg;
  int n = 0;
  uint64_t engine_id = g_engine_ids.fetch_add(1);
  uint64_t runs = 0;
  bool poisoned = false;
  // Acquisitions, each released by its holder even if the constructor throws.
  int swept = (cleanup::install_signal_handlers(), sweep_once());
  detail::ControlBlockMap cb_map;
  ControlBlock* cb = cb_map.get();
  detail::SocketDir sock{engine_id};
  const std::string& sock_dir = sock.path();
  detail::StderrFiles stderr_fds;
  detail::SigchldHandler chld;
  detail::CpuPin pin;
  std::unique_ptr<Scenario> scenario;
  std::unique_ptr<Model> model;  // target.model, if any
  FaultControl faults;
  ExecBackend* exec = nullptr;   // a program target: its processes and threads are the actors
  detail::HangWatch watch;       // a missed deadline: hung, or slow (hang_watch.hpp)
  detail::OwnedFds owned;        // descriptors setup gave to one actor (RunContext::give_fd)

  // Per run.
  pid_t pids[kMaxActors];
  int pid_handles[kMaxActors];
  int statuses[kMaxActors];
  std::thread threads[kMaxActors];
  bool alive[kMaxActors];
  bool blocked[kMaxActors];
  Op pending[kMaxActors];

  static int sweep_once() {
    static const int swept = cleanup::sweep_stale();  // once per process
    return swept;
  }

  Impl(const TargetInfo& t, Params p, RunConfig c) : target(t), params(std::move(p)), cfg(c), faults(t, c) {
    n = static_cast<int>(params.get("actors"));
    cfg.step_limit = std::max(cfg.step_limit, target.step_limit);  // a long workload's own limit
    if (cfg.mode != ActorMode::threads) {
      stderr_fds.open(n);
      chld.install(on_sigchld);
    }
    pin.pin(cfg.cpu);
    scenario = target.make();
    exec = attach_exec(*scenario, cb, cfg);
    if (!target.model.empty()) {
      model = make_model(target.model);
      if (!model) throw std::invalid_argument("target " + target.name + ": unknown model '" + target.model + "'");
    }
    (void)fault_injected("");  // read the environment here, not in every forked actor
  }

  ~Impl() {
    scenario.reset();
    if (chld.installed()) g_sigchld_cb.store(nullptr);
    if (poisoned) cb_map.leak();  // a hung thread may still touch it
  }

  // ---- actors ------------------------------------------------------------

  void actor_main(int i, uint64_t run_seed, bool free_run) {
    Slot& slot = cb->slots[i];
    Actor actor(cb, i, n, &params, run_seed, free_run);
    detail::set_current_actor(&actor);
    if (free_run)
      while (cb->go.load(rlx) == 0) detail::futex_wait(&cb->go, 0, nullptr);
    try {
      scenario->actor(actor);
    } catch (const RunAborted&) {
      if (slot.fault.load(rlx) != uint32_t(FaultKind::kill)) {  // a killed thread ends like an exit
        detail::set_current_actor(nullptr);
        return;
      }
    } catch (const std::exception& e) {
      actor.fail(std::string("uncaught exception: ") + e.what());
    } catch (...) {
      actor.fail("uncaught exception");
    }
    detail::set_current_actor(nullptr);
    slot.state.store(kExited, rlx);
    cb->wake_controller();
  }

  void spawn(int i, uint64_t run_seed, bool free_run) {
    alive[i] = true;
    blocked[i] = false;
    statuses[i] = 0;
    pids[i] = 0;
    pid_handles[i] = -1;
    cb->slots[i].state.store(kRunning, rlx);
    if (exec) return exec->start_run(run_seed, free_run);
    if (cfg.mode == ActorMode::threads) {
      threads[i] = std::thread([this, i, run_seed] { actor_main(i, run_seed, false); });
      return;
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) throw std::system_error(errno, std::generic_category(), "fork");
    if (pid == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(kActorOrphanExit);
      for (int sig : {SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGBUS, SIGXFSZ}) signal(sig, SIG_DFL);
      if (stderr_fds[i] >= 0) dup2(stderr_fds[i], STDERR_FILENO);
      owned.in_child(i);  // the other actors' ends
      actor_main(i, run_seed, free_run);
      _exit(0);
    }
    pids[i] = pid;
    pid_handles[i] = cleanup::add_pid(pid);
  }

  bool reap(int i, bool block) {
    if (pids[i] <= 0) return true;
    int status = 0;
    pid_t r;
    do r = waitpid(pids[i], &status, block ? 0 : WNOHANG);
    while (r < 0 && errno == EINTR);
    if (r != pids[i]) return false;
    statuses[i] = status;
    pids[i] = 0;
    cleanup::remove_pid(pid_handles[i]);
    return true;
  }

  // `c` is the controller word as read BEFORE the actor was granted or
  // started: any wake after that (a point, an exit, SIGCHLD) changes it, so
  // the futex wait below cannot sleep through an event that already happened.
  Wait wait_for(int i, int64_t deadline, uint32_t c) {
    Slot& s = cb->slots[i];
    watch.reset();
    for (bool first = true;; first = false) {
      switch (s.state.load(rlx)) {
        case kAtPoint: return Wait::point;
        case kBlocked: return Wait::blocked_after_op;
        case kBlockedRetry: return Wait::blocked;
        case kExited: return Wait::exited;
        default: break;
      }
      if (int d = !first && exec ? exec->dead(i, &statuses[i]) : 0) return d == 1 ? Wait::exited : Wait::died;
      if (!first && !exec && cfg.mode != ActorMode::threads && reap(i, false)) return Wait::died;
      int64_t left = std::min<int64_t>(deadline - detail::now_ns(), exec ? 2000000 : INT64_MAX);
      if (left <= 0) {  // judged by the actor's own progress, re-checked before reporting
        const pid_t tid = s.tid.load(rlx) > 0 ? s.tid.load(rlx) : (exec ? 0 : pids[i]);
        deadline = watch.judge(tid, tid, detail::now_ns(), std::clamp<int64_t>(cfg.watchdog_ms / 4, 50, 1000) * detail::sanitizer_slowdown() * 1000000);
        if (deadline == 0) return Wait::hung;
        continue;
      }
      timespec ts{static_cast<time_t>(left / 1000000000), static_cast<long>(left % 1000000000)};
      detail::futex_wait(&cb->ctl, c, &ts);
      c = cb->ctl.load(rlx);
    }
  }

  void grant(int i) {
    Slot& s = cb->slots[i];
    s.state.store(kRunning, rlx);
    s.grant.fetch_add(1, rlx);
    detail::futex_wake(&s.grant, 1);
  }

  Op read_op(int i) const {
    const Slot& s = cb->slots[i];
    Op op{static_cast<OpKind>(s.kind.load(rlx)), static_cast<uint16_t>(s.resource.load(rlx)), exec ? exec->label(s.label.load(rlx)) : s.label.load(rlx),
          static_cast<MemOrder>(s.order.load(rlx)), s.size.load(rlx), s.addr.load(rlx), s.faults.load(rlx)};
    faults.annotate(op, i);
    if (exec && s.thread.load(rlx)) op.faults &= ~fault_bit(FaultKind::kill);  // a program's thread cannot be killed alone
    return op;
  }


  // The outcome the actor reported for the op it was just granted (if any)
  // becomes part of that step; the slot's report is consumed either way.
  void take_outcome(int i, Step* step) {
    Slot& s = cb->slots[i];
    if (!s.has_outcome.load(rlx)) return;
    s.has_outcome.store(0, rlx);
    if (!step) return;
    step->has_outcome = true;
    step->result = s.result.load(rlx);
    step->value = s.value.load(rlx);
    step->nbytes = uint8_t(std::min<uint32_t>(s.nbytes.load(rlx), kStepExcerpt));
    uint64_t w[kStepExcerpt / 8];
    for (size_t k = 0; k < kStepExcerpt / 8; ++k) w[k] = s.bytes[k].load(rlx);
    std::memcpy(step->bytes.data(), w, kStepExcerpt);
  }

  int64_t deadline() const {
    return detail::now_ns() + int64_t(cfg.watchdog_ms) * detail::sanitizer_slowdown() * 1000000;
  }

  // Ends every actor still alive: SIGKILL processes; unwind threads through
  // RunAborted. A thread that never reaches a point again cannot be stopped:
  // it is detached and the engine refuses further runs.
  void stop_all(bool hung_thread_at[]) {
    if (exec) return exec->stop();
    for (int i = 0; i < n; ++i) {
      if (cfg.mode != ActorMode::threads) {
        if (pids[i] > 0) kill(pids[i], SIGKILL);
      } else if (threads[i].joinable()) {
        if (hung_thread_at[i]) {
          threads[i].detach();
          poisoned = true;
          continue;
        }
        if (alive[i]) {
          cb->slots[i].abort.store(1, rlx);
          grant(i);
        }
        threads[i].join();
      }
    }
    if (cfg.mode != ActorMode::threads)
      for (int i = 0; i < n; ++i) reap(i, true);
  }

  std::string actor_stderr() {
    if (exec) return "--- program output ---\n" + exec->output();
    std::string out;
    for (int i = 0; i < n; ++i) {
      if (stderr_fds[i] < 0) continue;
      char buf[8192];
      ssize_t got = pread(stderr_fds[i], buf, sizeof buf, 0);
      if (got > 0) out += "--- actor " + std::to_string(i) + " stderr ---\n" + std::string(buf, size_t(got));
    }
    return out;
  }

  void reset_stderr() {
    for (int i = 0; i < n; ++i)
      if (stderr_fds[i] >= 0) {
        (void)ftruncate(stderr_fds[i], 0);
        lseek(stderr_fds[i], 0, SEEK_SET);
      }
  }

  // ---- the scheduled loop ------------------------------------------------

  void crash(RunResult& r, int i, const std::string& what) {
    r.kind = FindingKind::crash;
    r.message = "actor " + std::to_string(i) + " " + what;
  }

  void hang(RunResult& r, int i, bool hung[]) {
    r.kind = FindingKind::hang;
    r.message = "actor " + std::to_string(i) + " did not reach its next point within " +
                std::to_string(cfg.watchdog_ms) + " ms (watchdog" + (watch.why().empty() ? "" : "; " + watch.why()) + ")";
    hung[i] = true;
  }

  // Start actors one at a time, each up to its first point: prologues run in
  // index order, and every actor is parked before the first decision.
  bool start_scheduled(RunResult& r, uint64_t run_seed, bool hung[]) {
    for (int i = 0; i < n; ++i) {
      const uint32_t c = cb->ctl.load(rlx);
      spawn(i, run_seed, false);
      const Wait w = wait_for(i, deadline(), c);
      take_outcome(i, nullptr);  // a prologue's report belongs to no step
      switch (w) {
        case Wait::point: pending[i] = read_op(i); break;
        case Wait::blocked:
        case Wait::blocked_after_op: pending[i] = read_op(i); blocked[i] = true; break;
        case Wait::exited: alive[i] = false; break;
        case Wait::died: crash(r, i, describe_status(statuses[i]) + " before its first point"); return false;
        case Wait::hung: hang(r, i, hung); return false;
      }
    }
    owned.actors_started(cfg.mode);
    return true;
  }

  void wake_blocked_on(uint16_t res, int except) {
    for (int j = 0; j < n; ++j)
      if (j != except && alive[j] && blocked[j] && pending[j].resource == res) blocked[j] = false;
  }

  void run_scheduled(Strategy& st, RunResult& r, uint64_t run_seed, bool hung[]) {
    if (!start_scheduled(r, run_seed, hung)) return;
    if (exec) exec->sync(n, alive, blocked, pending);
    int enabled[kMaxActors];
    int last = -1;
    for (int step = 0;; ++step) {
      int ne = 0, nalive = 0;
      for (int i = 0; i < n; ++i) {
        if (!alive[i]) continue;
        ++nalive;
        if (!blocked[i]) enabled[ne++] = i;
      }
      if (nalive == 0) return;
      if (ne == 0) ne = faults.time_passes(n, alive, blocked, pending, enabled);
      if (ne == 0) {
        r.kind = FindingKind::deadlock;
        r.message = "every live actor is blocked:";
        for (int i = 0; i < n; ++i)
          if (alive[i]) {
            r.blocked.push_back(op_text(pending[i], r.resources));
            r.message += " actor " + std::to_string(i) + " on " + r.blocked.back() + ";";
          }
        r.message.pop_back();
        return;
      }
      if (step >= cfg.step_limit) {
        r.kind = FindingKind::step_limit;
        r.message = "step limit of " + std::to_string(cfg.step_limit) + " reached (livelock guard)";
        return;
      }
      SchedView view{step, last, std::span<const int>(enabled, size_t(ne)), std::span<const Op>(pending, size_t(n))};
      faults.fill(view);
      int a = st.next_actor(view);
      if (a == kAbortRun) {  // the strategy explains why in end_run (pruned, diverged)
        r.aborted = true;
        return;
      }
      bool ok = false;
      for (int k = 0; k < ne; ++k) ok |= enabled[k] == a;
      if (!ok) throw std::logic_error("strategy " + st.name() + " picked actor " + std::to_string(a) + ", not enabled");
      const int f = faults.decide(st, view, a);
      if (f == kAbortRun) return void(r.aborted = true);
      if (cfg.on_hold) detail::hold_at(cfg, step, a, *cb, n, alive, blocked, pending);  // --stop-at (stop_at.cpp)
      const Op op = pending[a];
      r.trace.push_back(Step{static_cast<uint16_t>(a), op});
      r.trace.back().fault = faults.last_forced() ? FaultKind::none : static_cast<FaultKind>(f);
      cb->steps.store(static_cast<uint32_t>(r.trace.size()), rlx);
      last = a;
      cb->slots[a].fault.store(uint32_t(f), rlx);
      const uint32_t c = cb->ctl.load(rlx);
      // kill: SIGKILL instead of the grant (a thread unwinds from its point).
      if (f == int(FaultKind::kill) && cfg.mode != ActorMode::threads) {
        const pid_t victim = exec ? pid_t(cb->slots[a].pid.load(rlx)) : pids[a];
        if (victim > 0) kill(victim, SIGKILL);  // never 0 or -1: a process group
      }
      grant(a);
      const Wait w = wait_for(a, deadline(), c);
      take_outcome(a, &r.trace.back());
      switch (w) {
        case Wait::point:
          pending[a] = read_op(a);
          if (!op_kind_read_only(op.kind)) wake_blocked_on(op.resource, a);
          break;
        case Wait::blocked_after_op:  // the granted op completed, then the actor parked
          if (!op_kind_read_only(op.kind)) wake_blocked_on(op.resource, a);
          [[fallthrough]];
        case Wait::blocked:  // the granted op's try would block
          pending[a] = read_op(a);
          blocked[a] = true;
          r.trace.back().end = w == Wait::blocked ? StepEnd::would_block : StepEnd::parked;
          break;
        case Wait::died:
          if (!faults.death_expected(a)) return crash(r, a, describe_status(statuses[a]));
          cb->slots[a].state.store(kExited, rlx);
          [[fallthrough]];
        case Wait::exited:
          r.trace.back().end = StepEnd::exited;
          // An exit closes descriptors and may release anything: wake all.
          // Reaped at once, so kill(pid, 0) of a peer says it is gone.
          alive[a] = false;
          reap(a, true);  // a thread is joined: its robust locks are released by then
          if (threads[a].joinable()) threads[a].join();
          owned.actor_ended(a, cfg.mode);
          for (int j = 0; j < n; ++j) blocked[j] = false;
          break;
        case Wait::hung: hang(r, a, hung); return;
      }
      if (exec) exec->sync(n, alive, blocked, pending, a, &op, &r.trace.back());
    }
  }

  // ---- free run: no scheduler, real concurrency ------------------------------

  void run_free(RunResult& r, uint64_t run_seed) {
    for (int i = 0; i < n; ++i) spawn(i, run_seed, true);
    if (exec) return exec->run_free(r, deadline());
    owned.actors_started(cfg.mode);
    cb->go.store(1, rlx);
    detail::futex_wake(&cb->go, INT_MAX);
    const int64_t end = deadline();
    int64_t all_blocked_since = -1;
    for (;;) {
      uint32_t c = cb->ctl.load(rlx);
      int nalive = 0, nblocked = 0;
      for (int i = 0; i < n; ++i) {
        if (!alive[i]) continue;
        uint32_t s = cb->slots[i].state.load(rlx);
        if (s == kExited) {
          alive[i] = false;
          continue;
        }
        if (reap(i, false)) {
          alive[i] = false;
          crash(r, i, describe_status(statuses[i]));
          return;
        }
        ++nalive;
        nblocked += s == kBlocked;
      }
      if (nalive == 0) return;
      int64_t now = detail::now_ns();
      if (nblocked == nalive) {
        if (all_blocked_since < 0) all_blocked_since = now;
        if (now - all_blocked_since > 300 * 1000000LL) {
          r.kind = FindingKind::deadlock;
          r.message = "every live actor kept retrying a blocked op for 300 ms (free run)";
          return;
        }
      } else {
        all_blocked_since = -1;
      }
      if (now >= end) {
        r.kind = FindingKind::hang;
        r.message = "free run did not finish within " + std::to_string(cfg.watchdog_ms) + " ms (watchdog)";
        return;
      }
      timespec ts = detail::ms_to_timespec(5);
      detail::futex_wait(&cb->ctl, c, &ts);
    }
  }

  // ---- history ---------------------------------------------------------------

  // Every actor has exited (or been joined): the log is quiescent.
  void collect_history(RunResult& r) {
    const uint32_t count = cb->history.count.load(rlx);
    const uint32_t n_rec = std::min(count, HistoryLog::kMax);
    r.history_truncated = count > HistoryLog::kMax;
    for (uint32_t i = 0; i < n_rec; ++i) {
      const HistoryRecord& rec = cb->history.recs[i];
      HistoryEvent e;
      e.process = rec.process;
      e.type = static_cast<EventType>(rec.type);
      e.op.assign(rec.op, strnlen(rec.op, sizeof rec.op));
      e.key.assign(rec.key, strnlen(rec.key, sizeof rec.key));
      e.value.nil = rec.nil != 0;
      e.value.v.assign(rec.vals, rec.vals + std::min<uint8_t>(rec.nvals, 6));
      e.step = rec.step;
      r.history.add(std::move(e));
    }
  }

  // The linearizability oracle over the recorded history. An undecided check
  // (timeout) or a truncated history is not a finding: never a wrong verdict.
  void check_history(RunResult& r) {
    if (r.history.size() == 0 || r.history_truncated) return;
    LinearizabilityOptions o;
    o.timeout_seconds = 2;
    const LinearizabilityResult lr = check_linearizable(r.history, *model, o);
    if (lr.verdict != Linearizable::no) return;
    r.kind = FindingKind::assertion;
    r.message = "history not linearizable (model " + model->name() + "): " + lr.message;
  }

  // ---- one run -------------------------------------------------------------

  RunResult run(Strategy& st, uint64_t run_seed) {
    if (poisoned)
      throw std::runtime_error("engine stopped: an actor thread hung and could not be stopped (thread mode)");
    RunResult r;
    char prefix[80];
    std::snprintf(prefix, sizeof prefix, "/ipcrace.%d.%llu.%llu", static_cast<int>(getpid()),
                  static_cast<unsigned long long>(engine_id), static_cast<unsigned long long>(runs++));
    RunContextImpl ctx(&params, n, run_seed, prefix, sock_dir, &r.resources, &owned);
    cb->reset();
    faults.new_run(r);
    r.step_limit = cfg.step_limit, r.watchdog_ms = cfg.watchdog_ms;  // recorded in the schedule
    reset_stderr();
    if (exec) n = 1;  // the program's forks and threads add actors
    for (int i = 0; i < n; ++i) alive[i] = false;
    // Every slot: exec-mode actors beyond n never set pids[], and an exit
    // reaps pids[a] (a blocking waitpid on a stale value otherwise).
    for (int i = 0; i < kMaxActors; ++i) pids[i] = 0;
    bool hung[kMaxActors] = {};
    try {
      scenario->setup(ctx);
    } catch (...) {
      scenario->teardown(ctx);
      throw;
    }
    if (chld.installed()) g_sigchld_cb.store(cb);
    const uint64_t tsan_before = detail::tsan_report_count();
    try {
      if (cfg.mode == ActorMode::free)
        run_free(r, run_seed);
      else
        run_scheduled(st, r, run_seed, hung);
    } catch (...) {
      stop_all(hung);
      scenario->teardown(ctx);
      throw;
    }
    stop_all(hung);
    r.preemptions = int(preemption_steps(r.trace).size());
    const uint64_t tsan_reports = detail::tsan_report_count() - tsan_before;
    if (tsan_reports > 0 && r.kind != FindingKind::crash) {
      std::string prior = r.found() ? std::string(" (and ") + finding_kind_name(r.kind) + ": " + r.message + ")" : "";
      r.kind = FindingKind::tsan;
      r.message = "ThreadSanitizer reported " + std::to_string(tsan_reports) + " race(s) in this run" + prior;
    }
    // An actor's assertion happened before a deadlock, hang or step limit
    // could be observed: it is the finding, the stall its consequence.
    const std::string afail = cb->failure();
    if (!afail.empty() && (r.kind == FindingKind::deadlock || r.kind == FindingKind::hang ||
                           r.kind == FindingKind::step_limit)) {
      r.message = afail + " (then " + finding_kind_name(r.kind) + ": " + r.message + ")";
      r.kind = FindingKind::assertion;
    }
    if (!r.found() && !r.aborted) {
      if (!afail.empty()) {
        r.kind = FindingKind::assertion;
        r.message = afail;
      } else {
        scenario->check(ctx);
        if (!ctx.failure().empty()) {
          r.kind = FindingKind::assertion;
          r.message = ctx.failure();
        }
      }
    }
    collect_history(r);
    if (!r.found() && !r.aborted && model) check_history(r);
    if (cfg.race && cfg.mode != ActorMode::free) race::check_races(r, n);
    if (r.found())  // an actor's failure: while it ran its step; anything else: after the last step
      r.detected_at = int(!afail.empty() && r.kind == FindingKind::assertion ? cb->fail_step.load(rlx) : r.trace.size());
    if (r.found() && cfg.mode != ActorMode::threads) r.actor_stderr = actor_stderr();
    scenario->teardown(ctx);
    ctx.release();
    st.end_run(r);
    return r;
  }
};

Engine::Engine(const TargetInfo& target, Params params, RunConfig config)
    : impl_(std::make_unique<Impl>(target, resolve_params(target, params), config)) {}
Engine::~Engine() = default;
RunResult Engine::run(Strategy& strategy, uint64_t run_seed) { return impl_->run(strategy, run_seed); }
const TargetInfo& Engine::target() const { return impl_->target; }
const Params& Engine::params() const { return impl_->params; }
const RunConfig& Engine::config() const { return impl_->cfg; }

}  // namespace ipcrace
