#include "exec/exec_backend.hpp"

#include "ipcrace/rng.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "cleanup.hpp"
#include "control_block.hpp"
#include "futex.hpp"
#include "tsan_hooks.hpp"

extern char** environ;

namespace ipcrace {

namespace {

int pidfd_open(pid_t pid) { return static_cast<int>(syscall(SYS_pidfd_open, pid, 0)); }

// A zombie's wait status: /proc/<pid>/stat field 52 (exit_code).
int zombie_status(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  size_t p = s.rfind(')');
  if (p == std::string::npos) return -1;
  std::istringstream in(s.substr(p + 2));
  std::string field;
  for (int i = 3; in >> field; ++i)
    if (i == 52) return std::stoi(field);
  return -1;
}

}  // namespace

ExecBackend::ExecBackend(ExecSpec spec) : spec_(std::move(spec)) {
  if (spec_.argv.empty()) throw std::invalid_argument("exec: no program given");
}

ExecBackend::~ExecBackend() {
  if (cb_) {
    stop();
    cb_->exec.quit.store(1, rlx);
    cb_->exec.cmd.fetch_add(1, rlx);
    detail::futex_wake(&cb_->exec.cmd, INT_MAX);
  }
  if (server_ > 0) {
    kill(server_, SIGKILL);
    waitpid(server_, nullptr, 0);
  }
  if (out_fd_ >= 0) close(out_fd_);
}

void ExecBackend::attach(ControlBlock* cb, const RunConfig& cfg) {
  cb_ = cb;
  cfg_ = cfg;
  out_fd_ = memfd_create("ipcrace-program-output", MFD_CLOEXEC);
  if (out_fd_ < 0) throw std::system_error(errno, std::generic_category(), "memfd_create");
  fcntl(out_fd_, F_SETFL, fcntl(out_fd_, F_GETFL) | O_APPEND);
  start_server();
}

void ExecBackend::start_server() {
  if (spec_.preload) preload_lib_ = runtime_preload_path();
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e)
    if (std::strncmp(*e, "IPCRACE_EXEC_FD=", 16) != 0 && !(spec_.preload && std::strncmp(*e, "LD_PRELOAD=", 11) == 0))
      env.emplace_back(*e);
  const int cfd_target = 200;  // the control block's descriptor in the program
  env.push_back("IPCRACE_EXEC_FD=" + std::to_string(cfd_target));
  if (spec_.preload) env.push_back("LD_PRELOAD=" + preload_lib_);
  std::vector<char*> envp, argv;
  for (auto& s : env) envp.push_back(s.data());
  envp.push_back(nullptr);
  for (auto& s : spec_.argv) argv.push_back(const_cast<char*>(s.c_str()));
  argv.push_back(nullptr);
  const pid_t parent = getpid();
  cb_->exec.server_pid.store(0, rlx);
  const uint32_t c0 = cb_->ctl.load(rlx);
  pid_t pid = fork();
  if (pid < 0) throw std::system_error(errno, std::generic_category(), "fork");
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    personality(ADDR_NO_RANDOMIZE);  // the same addresses in every run: labels, replay
    for (int sig = 1; sig < NSIG; ++sig) signal(sig, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    dup2(cb_->fd, cfd_target);
    dup2(out_fd_, STDOUT_FILENO);
    dup2(out_fd_, STDERR_FILENO);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, STDIN_FILENO);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  server_ = pid;
  const int64_t end = detail::now_ns() + int64_t(10000) * detail::sanitizer_slowdown() * 1000000;
  uint32_t c = c0;
  while (cb_->exec.server_pid.load(rlx) == 0) {
    int st;
    if (waitpid(pid, &st, WNOHANG) == pid) {
      server_ = 0;
      throw std::runtime_error("exec: " + spec_.argv[0] + " did not start under ipcrace's runtime (" +
                               (WIFEXITED(st) && WEXITSTATUS(st) == 127   ? std::string("could not execute it")
                                : WIFEXITED(st) && WEXITSTATUS(st) == 125 ? std::string("it was linked against the runtime of another ipcrace build")
                                                                          : "it ran to the end on its own") +
                               "): build it with ipcrace-cc / ipcrace_instrument(), or use --preload");
    }
    if (detail::now_ns() > end)
      throw std::runtime_error("exec: " + spec_.argv[0] + " did not reach ipcrace's runtime within 10 s");
    timespec ts = detail::ms_to_timespec(5);
    detail::futex_wait(&cb_->ctl, c, &ts);
    c = cb_->ctl.load(rlx);
  }
  modules_.load(pid, spec_.argv[0]);
}

void ExecBackend::start_run(uint64_t run_seed, bool free_run) {
  (void)ftruncate(out_fd_, 0);
  procs_.clear();
  for (auto& s : sigs_seen_) s = 0;
  reset_run_state();
  ExecShared& x = cb_->exec;
  x.free_run.store(free_run ? 1 : 0, rlx);
  x.seed.store(run_seed, rlx);
  uint32_t c = cb_->ctl.load(rlx);
  const uint32_t cmd = x.cmd.fetch_add(1, rlx) + 1;
  detail::futex_wake(&x.cmd, 1);
  const int64_t end = detail::now_ns() + int64_t(10000) * detail::sanitizer_slowdown() * 1000000;
  while (x.ack.load(rlx) != cmd) {
    int st;
    if (waitpid(server_, &st, WNOHANG) == server_) {
      server_ = 0;
      throw std::runtime_error("exec: the fork server of " + spec_.argv[0] + " died");
    }
    if (detail::now_ns() > end) throw std::runtime_error("exec: the fork server did not answer within 10 s");
    timespec ts = detail::ms_to_timespec(5);
    detail::futex_wait(&cb_->ctl, c, &ts);
    c = cb_->ctl.load(rlx);
  }
  const pid_t pid0 = x.pid0.load(rlx);
  procs_.push_back(Proc{pid0, pidfd_open(pid0), false, -1});
}

ExecBackend::Proc* ExecBackend::proc(pid_t pid) {
  for (auto& p : procs_)
    if (p.pid == pid) return &p;
  if (pid <= 0) return nullptr;
  procs_.push_back(Proc{pid, pidfd_open(pid), false, -1});
  return &procs_.back();
}

bool ExecBackend::gone(Proc& p, int timeout_ms) {
  if (p.gone) return true;
  if (p.pidfd < 0) return p.gone = kill(p.pid, 0) != 0;
  pollfd f{p.pidfd, POLLIN, 0};
  int r;
  do r = poll(&f, 1, timeout_ms);
  while (r < 0 && errno == EINTR);
  if (r <= 0) return false;
  p.gone = true;
  return true;
}

// The wait status of a process that is gone: as a zombie, or as its parent
// (an actor's waitpid) or the fork server reaped it.
int ExecBackend::status_of(Proc& p, int slot) {
  if (p.status >= 0) return p.status;
  int st = zombie_status(p.pid);
  if (st < 0 && slot >= 0) st = cb_->slots[slot].exit_status.load(rlx);
  if (st < 0) st = 0;
  p.status = st;
  return st;
}

int ExecBackend::dead(int i, int* status) {
  Slot& s = cb_->slots[i];
  pid_t pid = s.pid.load(rlx);
  if (i == 0 && pid == 0) pid = cb_->exec.pid0.load(rlx);
  Proc* p = proc(pid);
  if (!p || !gone(*p, 0)) return 0;
  const int st = status_of(*p, i);
  *status = st;
  if (WIFSIGNALED(st)) {
    const int sig = WTERMSIG(st);
    if (sig != SIGABRT && s.killed_by.load(rlx) == sig) return 1;  // killed on purpose, or killed itself
    return 2;
  }
  return 1;
}

Op ExecBackend::read_op(int j) {
  const Slot& s = cb_->slots[j];
  return Op{static_cast<OpKind>(s.kind.load(rlx)), static_cast<uint16_t>(s.resource.load(rlx)),
            label(s.label.load(rlx)), static_cast<MemOrder>(s.order.load(rlx)), s.size.load(rlx),
            s.addr.load(rlx)};
}

const char* ExecBackend::label(const char* raw) {
  const auto off = reinterpret_cast<uintptr_t>(raw);
  auto it = labels_.find(off);
  if (it != labels_.end()) return it->second.c_str();
  char buf[32];
  if (off == 0)  // a point of the runtime's own (a new actor's start, exit from main)
    std::snprintf(buf, sizeof buf, "runtime");
  else
    std::snprintf(buf, sizeof buf, "0x%lx", static_cast<unsigned long>(off));
  // Code in a shared object (the runtime made the address relative to the
  // program's load address): its module and offset, for the symboliser.
  std::string lab = modules_.label(off + cb_->exec.base.load(rlx));
  return labels_.emplace(off, lab.empty() ? std::string(buf) : lab).first->second.c_str();
}

void ExecBackend::sync(int& n, bool alive[], bool blocked[], Op pending[], int a, const Op* op, const Step* step) {
  bool changed = false;
  const int na = std::min<int>(int(cb_->exec.nactors.load(rlx)), kMaxActors);
  for (int j = n; j < na; ++j) {  // new actors, each up to its first point
    Slot& s = cb_->slots[j];
    const int64_t end = detail::now_ns() + int64_t(cfg_.watchdog_ms) * detail::sanitizer_slowdown() * 1000000;
    uint32_t c = cb_->ctl.load(rlx);
    while (s.state.load(rlx) == kRunning && detail::now_ns() < end) {
      const pid_t pid = s.pid.load(rlx);
      if (Proc* p = pid > 0 && !s.thread.load(rlx) ? proc(pid) : nullptr; p && gone(*p, 0)) break;
      timespec ts = detail::ms_to_timespec(2);
      detail::futex_wait(&cb_->ctl, c, &ts);
      c = cb_->ctl.load(rlx);
    }
    const uint32_t st = s.state.load(rlx);
    pending[j] = read_op(j);
    alive[j] = st == kAtPoint || st == kBlocked || st == kBlockedRetry;
    blocked[j] = st == kBlocked || st == kBlockedRetry;
    if (!s.thread.load(rlx) && s.pid.load(rlx) > 0) proc(s.pid.load(rlx));
  }
  if (na > n) n = na;
  for (int j = 0; j < n; ++j) {
    if (!alive[j]) continue;
    Slot& s = cb_->slots[j];
    if (s.state.load(rlx) == kExited) {  // ended by a sibling's exit, a kill, a reaping parent
      alive[j] = false;
      changed = true;
    } else if (Proc* p = proc(s.pid.load(rlx)); p && p->gone) {
      alive[j] = false;
      changed = true;
    }
    const uint32_t sg = s.sigs.load(rlx);
    if (sg != sigs_seen_[j]) {
      sigs_seen_[j] = sg;
      blocked[j] = false;  // a signal is delivered when it next runs
    }
  }
  // A process that announced its exit is gone before the next decision (its
  // parent's wait must find it).
  for (int j = 0; j < n; ++j) {
    Slot& s = cb_->slots[j];
    if (s.state.load(rlx) != kExited || (s.exit_how.load(rlx) & 7) != kExitProcess) continue;
    if (Proc* p = proc(s.pid.load(rlx)); p && !p->gone)
      gone(*p, cfg_.watchdog_ms * detail::sanitizer_slowdown());
  }
  if (changed)
    for (int j = 0; j < n; ++j) blocked[j] = false;
  park_spinners(n, alive, blocked, pending, a, op, step);
  bool any_alive = false, any_enabled = false;
  for (int j = 0; j < n; ++j) {
    any_alive |= alive[j];
    any_enabled |= alive[j] && !blocked[j];
  }
  if (any_alive && !any_enabled) advance_time(n, alive, blocked);
}

// An actor about to re-read a shared location nobody wrote since it last read
// it is spinning: it is parked (blocked) until some actor writes any location
// it read, does another op, or exits. If every live actor is parked so, they
// are all released: parking never makes a deadlock; the step limit then ends
// a true livelock.
//
// A loop whose body has effects of its own (it locks and unlocks, stores the
// value that is already there, polls waitpid(WNOHANG) or a queue that stays
// empty) never re-reads without an op between: it is recognised at its
// yields instead. When the ops and outcomes since its last yield repeat
// those of the window before, and no other actor had an effect meanwhile,
// the iteration changed nothing anybody can see and the next one will repeat
// it: it is parked the same way.
void ExecBackend::park_spinners(int n, const bool alive[], bool blocked[], const Op pending[], int a, const Op* op,
                                const Step* step) {
  ++step_;
  for (int j = 0; j < n; ++j)  // held back for fairness last step: decided afresh below
    if (reads_[j].deferred) reads_[j].deferred = false, blocked[j] = false;
  if (a >= 0 && op) {
    for (int j = 0; j < n; ++j) reads_[j].owed.reset(size_t(a));
    Reads& r = reads_[a];
    r.owed.reset();
    const bool effect = !op_kind_read_only(op->kind) && op->kind != OpKind::yield && op->kind != OpKind::poll;
    if (effect) ++effects_, ++r.own;
    r.repeat = false;
    if (op->kind == OpKind::yield) {
      const uint64_t others = effects_ - r.own;
      r.repeat = r.has_prev && r.window == r.prev_window && others == r.others_mark;
      r.prev_window = r.window;
      r.has_prev = true;
      r.others_mark = others;
      r.window = 0;
    } else {
      uint64_t h = mix64(r.window ^ (uint64_t(op->kind) << 48 | uint64_t(op->resource) << 32 | op->size));
      h = mix64(h ^ op->addr) ^ reinterpret_cast<uintptr_t>(op->label);
      if (step && step->has_outcome) h = mix64(mix64(h ^ uint64_t(step->result)) ^ step->value);
      r.window = mix64(h);
    }
    if (op->kind == OpKind::shm_load || op->kind == OpKind::yield || op->kind == OpKind::poll) {
      if (op->kind == OpKind::yield) r.yielded = true;
      if (op->kind == OpKind::shm_load) {
        const uint64_t w = last_write_.count(op->addr) ? last_write_[op->addr] : 0;
        bool found = false;
        for (auto& e : r.seen)
          if (e.loc == op->addr && e.label == op->label) e.write = w, found = true;
        if (!found && r.seen.size() < 32) r.seen.push_back({op->addr, op->label, w});
      }
    } else {
      r.seen.clear();
      r.yielded = false;
      if (op->kind == OpKind::shm_store || op->kind == OpKind::shm_rmw) last_write_[op->addr] = step_;
    }
    r.parked = false;
    if (effect)
      for (int j = 0; j < n; ++j)  // a write (or any other effect): spinners look again
        if (j != a && reads_[j].parked) {
          reads_[j].parked = false;
          reads_[j].repeat = false;
          reads_[j].seen.clear();
          reads_[j].yielded = false;
          blocked[j] = false;
        }
  }
  int live = 0, parked = 0, enabled = 0;
  for (int j = 0; j < n; ++j) {
    if (!alive[j]) {
      reads_[j] = Reads{};
      continue;
    }
    ++live;
    Reads& r = reads_[j];
    if (!blocked[j] && (!r.seen.empty() || r.yielded || r.repeat)) {
      const Op& p = pending[j];
      bool spin = r.repeat;
      // A yield after reads only (or after an earlier yield: LD_PRELOAD mode
      // sees no loads, only the loop's calls) spins.
      if (p.kind == OpKind::yield) spin = true;
      else if (p.kind == OpKind::shm_load && !spin)  // the same load again (a loop), nothing written since
        for (auto& e : r.seen)
          if (e.loc == p.addr && e.label == p.label) spin = (last_write_.count(e.loc) ? last_write_[e.loc] : 0) == e.write;
      if (spin) {
        r.parked = true;
        blocked[j] = true;
        r.owed.reset();
        if (r.repeat || p.kind == OpKind::yield)  // it yields: CHESS's fairness (not a plain re-read)
          for (int k = 0; k < n; ++k)
            if (k != j && alive[k] && !blocked[k]) r.owed.set(size_t(k));
      }
    }
    parked += r.parked && blocked[j];
    enabled += !blocked[j];
  }
  // Nobody can run and some are parked spinners (beside actors truly blocked,
  // say a parent in waitpid): release them, or parking would be a deadlock.
  if (live > 0 && parked > 0 && enabled == 0) {
    bool timed = false;
    for (int j = 0; j < n; ++j)
      timed |= alive[j] && (cb_->slots[j].alarm.load(rlx) > 0 || (blocked[j] && !reads_[j].parked && cb_->slots[j].deadline.load(rlx) > 0));
    if (timed) return;  // an alarm may change things: let time advance first
    ++fruitless_;
    for (int j = 0; j < n; ++j)
      if (reads_[j].parked) {
        reads_[j].parked = false;
        reads_[j].repeat = false;
        reads_[j].seen.clear();
        reads_[j].yielded = false;
        blocked[j] = false;
      }
    return;
  }
  // Fairness: a released spinner waits while an actor it owes can run.
  std::bitset<kMaxActors> can_run;
  for (int j = 0; j < n; ++j)
    if (alive[j] && !blocked[j]) can_run.set(size_t(j));
  int held = 0;
  for (int j = 0; j < n; ++j)
    if (can_run[size_t(j)] && (reads_[j].owed & can_run).any()) ++held;
  if (held == 0 || held == int(can_run.count())) return;  // never hold back everybody
  for (int j = 0; j < n; ++j)
    if (can_run[size_t(j)] && (reads_[j].owed & can_run).any()) reads_[j].deferred = true, blocked[j] = true;
}

// Virtual time: nobody can run, so the clock jumps to the earliest deadline
// of a blocked timed op or of an alarm; those expire (the actor retries and
// times out; SIGALRM is sent to the process).
bool ExecBackend::advance_time(int n, const bool alive[], bool blocked[]) {
  int64_t next = INT64_MAX;
  for (int j = 0; j < n; ++j) {
    if (!alive[j]) continue;
    const Slot& s = cb_->slots[j];
    if (const int64_t d = s.deadline.load(rlx); d > 0 && blocked[j]) next = std::min(next, d);
    if (const int64_t al = s.alarm.load(rlx); al > 0) next = std::min(next, al);
  }
  if (next == INT64_MAX) return false;
  ExecShared& x = cb_->exec;
  if (x.clock_ns.load(rlx) < next) x.clock_ns.store(next, rlx);
  const int64_t now = x.clock_ns.load(rlx);
  for (int j = 0; j < n; ++j) {
    if (!alive[j]) continue;
    Slot& s = cb_->slots[j];
    if (const int64_t d = s.deadline.load(rlx); d > 0 && d <= now) blocked[j] = false;
    if (const int64_t al = s.alarm.load(rlx); al > 0 && al <= now) {
      const int64_t every = s.alarm_every.load(rlx);
      s.alarm.store(every > 0 ? now + every : 0, rlx);
      const pid_t pid = s.pid.load(rlx);
      for (int k = 0; k < n; ++k)
        if (alive[k] && cb_->slots[k].pid.load(rlx) == pid) {
          cb_->slots[k].sigs.fetch_add(1, rlx);
          sigs_seen_[k] = cb_->slots[k].sigs.load(rlx);
          blocked[k] = false;  // the signal is delivered when it next runs
        }
      kill(pid, SIGALRM);
    }
  }
  return true;
}

void ExecBackend::reset_run_state() {
  last_write_.clear();
  for (auto& r : reads_) r = Reads{};
  step_ = 0;
  effects_ = 0;
  fruitless_ = 0;
}

void ExecBackend::run_free(RunResult& r, int64_t deadline_ns) {
  Proc& p0 = procs_.front();
  for (;;) {
    const int64_t left = deadline_ns - detail::now_ns();
    if (left <= 0) {
      r.kind = FindingKind::hang;
      r.message = "free run did not finish within " + std::to_string(cfg_.watchdog_ms) + " ms (watchdog)";
      return;
    }
    if (gone(p0, int(std::min<int64_t>(left / 1000000 + 1, 100)))) break;
  }
  const int st = status_of(p0, 0);
  if (WIFSIGNALED(st) && (WTERMSIG(st) == SIGABRT || cb_->slots[0].killed_by.load(rlx) != WTERMSIG(st))) {
    r.kind = FindingKind::crash;
    r.message = std::string("actor 0 killed by signal ") + std::to_string(WTERMSIG(st)) + " (" + strsignal(WTERMSIG(st)) + ")";
  }
}

void ExecBackend::stop() {
  if (!cb_ || procs_.empty()) return;
  const pid_t pid0 = procs_.front().pid;
  if (pid0 > 0) kill(-pid0, SIGKILL);
  for (auto& p : procs_)
    if (!p.gone && p.pid > 0) kill(p.pid, SIGKILL);
  for (auto& p : procs_) {
    gone(p, 2000);
    if (p.pidfd >= 0) close(p.pidfd);
    p.pidfd = -1;
  }
  ExecNames& names = cb_->exec.names;
  const uint32_t nn = std::min(names.count.load(rlx), ExecNames::kMax);
  for (uint32_t i = 0; i < nn; ++i) {
    const uint32_t k = names.e[i].kind.load(rlx);
    if (k == 0) continue;
    std::string name(names.e[i].name, strnlen(names.e[i].name, ExecNames::kLen));
    cleanup::unlink_now(static_cast<cleanup::Kind>(k), name.c_str());
  }
  names.count.store(0, rlx);
}

std::string ExecBackend::output() const {
  std::string out;
  char buf[16384];
  off_t off = 0;
  for (;;) {
    ssize_t got = pread(out_fd_, buf, sizeof buf, off);
    if (got <= 0 || out.size() > 1 << 20) break;
    out.append(buf, size_t(got));
    off += got;
  }
  return out;
}

std::string ExecBackend::verdict() {
  if (procs_.empty()) return {};
  Proc& p0 = procs_.front();
  if (gone(p0, 0)) {
    const int st = status_of(p0, 0);
    if (WIFEXITED(st) && WEXITSTATUS(st) != spec_.expect_exit)
      return "the program exited with status " + std::to_string(WEXITSTATUS(st)) + ", expected " +
             std::to_string(spec_.expect_exit);
  }
  if (!spec_.fail_on.empty()) {
    const std::string out = output();
    std::smatch m;
    if (std::regex_search(out, m, std::regex(spec_.fail_on, std::regex::ECMAScript | std::regex::multiline)))
      return "the program's output matches --fail-on '" + spec_.fail_on + "': " + m.str();
  }
  return {};
}

// ---- the program target ------------------------------------------------------

namespace {

class ProgramScenario final : public Scenario {
 public:
  explicit ProgramScenario(const ExecSpec& spec) : backend(spec) {}
  void setup(RunContext&) override {}
  void actor(Actor&) override {}  // never called: the program is the actor body
  void check(RunContext& ctx) override {
    if (std::string v = backend.verdict(); !v.empty()) ctx.fail(v);
  }
  ExecBackend backend;
};

}  // namespace

std::unique_ptr<Scenario> make_program_scenario(const ExecSpec& spec) {
  return std::make_unique<ProgramScenario>(spec);
}

ExecBackend* attach_exec(Scenario& s, ControlBlock* cb, const RunConfig& cfg) {
  auto* p = dynamic_cast<ProgramScenario*>(&s);
  if (!p) return nullptr;
  p->backend.attach(cb, cfg);
  return &p->backend;
}

TargetInfo program_target(const std::string& name, const ExecSpec& spec, Variant variant, const std::string& summary) {
  TargetInfo t;
  t.name = name;
  t.family = "program";
  t.variant = variant;
  t.bug_class = variant == Variant::racy ? "unmodified program" : "";
  t.sync = variant == Variant::racy ? "" : "unmodified program";
  t.summary = summary;
  t.defaults = Params{{"actors", 1}};
  t.make = [spec] { return make_program_scenario(spec); };
  t.source = spec.argv[0];
  t.exec = spec.argv;
  t.exec_expect_exit = spec.expect_exit;
  t.exec_fail_on = spec.fail_on;
  t.exec_preload = spec.preload;
  t.may_die = spec.may_die;
  return t;
}

std::string runtime_preload_path() {
  if (const char* e = getenv("IPCRACE_RUNTIME_SO")) return e;
  char self[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  std::string dir = n > 0 ? std::string(self, size_t(n)) : std::string();
  dir = dir.substr(0, dir.rfind('/'));
#ifndef IPCRACE_INSTALL_LIBDIR
#define IPCRACE_INSTALL_LIBDIR "lib"
#endif
  for (const char* rel : {"/libipcrace_rt.so", "/../harness/runtime/libipcrace_rt.so",
                          "/../../harness/runtime/libipcrace_rt.so", "/../" IPCRACE_INSTALL_LIBDIR "/libipcrace_rt.so",
                          "/../lib/libipcrace_rt.so", "/../lib/ipcrace/libipcrace_rt.so"})
    if (access((dir + rel).c_str(), R_OK) == 0) return dir + rel;
  throw std::runtime_error("exec --preload: libipcrace_rt.so not found beside " + dir + " (set IPCRACE_RUNTIME_SO)");
}

}  // namespace ipcrace
