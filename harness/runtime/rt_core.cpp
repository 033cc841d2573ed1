// libipcrace_rt core: the fork server, the handoff with the controller, the
// shared-memory ranges and actor registration.
//
// Under `ipcrace exec` the controller starts the program with the control
// block's memfd in IPCRACE_EXEC_FD. The runtime's earliest constructor maps
// it and becomes a fork server: per run it forks a fresh copy that returns
// from the constructor into the program as actor 0; the server itself never
// reaches main. Without IPCRACE_EXEC_FD every hook passes through.
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../src/futex.hpp"
#include "rt.hpp"

namespace ipcrace::rt {

ControlBlock* g_cb = nullptr;
bool g_free = false;
bool g_mt = false;
pid_t g_pid = 0;
uintptr_t g_lo = 0, g_span = 0;
int g_cb_fd = -1;
__thread int t_actor = -1;
__thread uint32_t t_fault = 0;

namespace {

struct Range {
  uintptr_t lo, hi;
  uint64_t key;  // canonical location of lo
};
constexpr int kRanges = 256;
Range g_ranges[kRanges];
int g_nranges = 0;
uintptr_t g_base = 0;

int scan_int(const char* s) {
  int v = 0;
  while (*s >= '0' && *s <= '9') v = v * 10 + (*s++ - '0');
  return v;
}

int base_cb(struct dl_phdr_info* info, size_t, void* data) {
  *static_cast<uintptr_t*>(data) = info->dlpi_addr;
  return 1;  // the first object is the program
}

void wake_ctl() {
  g_cb->ctl.fetch_add(1, rlx);
  detail::futex_wake(&g_cb->ctl, 1);
}

void publish(OpKind kind, uint16_t res, const void* pc, uint32_t state, MemOrder o, uint32_t size, uint64_t addr,
             uint32_t faults = 0) {
  Slot& s = g_cb->slots[t_actor];
  // Signals arrive only while the actor runs: a signal sent to a parked actor
  // is delivered when it is next granted, so its handler runs at a known step.
  sigset_t all, old;
  sigfillset(&all);
  syscall(SYS_rt_sigprocmask, long(SIG_BLOCK), &all, &old, long(8));
  const uint32_t granted = s.grant.load(rlx);
  s.kind.store(static_cast<uint32_t>(kind), rlx);
  s.resource.store(res, rlx);
  uintptr_t off = reinterpret_cast<uintptr_t>(pc);
  if (off >= g_base) off -= g_base;
  s.label.store(reinterpret_cast<const char*>(off), rlx);
  s.order.store(static_cast<uint32_t>(o), rlx);
  s.size.store(size, rlx);
  s.addr.store(addr, rlx);
  s.faults.store(faults, rlx);
  s.state.store(state, rlx);
  wake_ctl();
  while (s.grant.load(rlx) == granted) detail::futex_wait(&s.grant, granted, nullptr);
  t_fault = faults ? s.fault.load(rlx) : 0;  // written by the controller before the grant
  syscall(SYS_rt_sigprocmask, long(SIG_SETMASK), &old, nullptr, long(8));
}

// Reaps the run's orphans (this server is their subreaper), but not the
// current run's actor 0: the controller reads its status from the zombie.
void reap_orphans(pid_t keep) {
  for (;;) {
    siginfo_t si;
    si.si_pid = 0;
    if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) != 0 || si.si_pid == 0 || si.si_pid == keep) return;
    waitpid(si.si_pid, nullptr, WNOHANG);
  }
}


void serve() {
  ExecShared& x = g_cb->exec;
  prctl(PR_SET_CHILD_SUBREAPER, 1);  // orphans of a run come here and are reaped
  x.server_pid.store(getpid(), rlx);
  uint32_t seen = x.cmd.load(rlx);
  x.ack.store(seen, rlx);
  wake_ctl();
  auto real_fork = reinterpret_cast<pid_t (*)()>(real("fork"));
  for (;;) {
    while (x.cmd.load(rlx) == seen) {
      timespec ts{0, 50 * 1000 * 1000};
      detail::futex_wait(&x.cmd, seen, &ts);
      reap_orphans(x.pid0.load(rlx));
      if (getppid() == 1) _exit(0);
    }
    seen = x.cmd.load(rlx);
    if (x.quit.load(rlx)) _exit(0);
    while (waitpid(-1, nullptr, WNOHANG) > 0) {
    }
    pid_t pid = real_fork();
    if (pid == 0) {
      setpgid(0, 0);
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      g_free = x.free_run.load(rlx) != 0;
      x.objects.count.store(0, rlx);
      x.fifos.count.store(0, rlx);
      unsetenv("IPCRACE_EXEC_FD");
      install_exit_hook();
      become_actor(0, false);
      return;  // into the program's main
    }
    x.pid0.store(pid, rlx);
    x.ack.store(seen, rlx);
    wake_ctl();
  }
}

__attribute__((constructor(101))) void rt_init() {
  dl_iterate_phdr(base_cb, &g_base);
  const char* e = getenv("IPCRACE_EXEC_FD");
  if (!e) return;
  int fd = scan_int(e);
  // The raw syscall: the runtime's own mmap interposer must not see it.
  // syscall() is variadic and the kernel reads every argument as a full
  // register: each one is passed as a long (an int 0 leaves the register's
  // upper half to chance: a C++ program's libstdc++ initialisers left it
  // nonzero, the offset was garbage, and the program never started).
  void* p = reinterpret_cast<void*>(syscall(SYS_mmap, nullptr, long(sizeof(ControlBlock)), long(PROT_READ | PROT_WRITE),
                                            long(MAP_SHARED), long(fd), long(0)));
  if (p == MAP_FAILED) return;
  // The descriptor stays open, close-on-exec and out of the program's way
  // (fd numbers as in a native run): an actor that execs hands it on.
  g_cb_fd = int(fcntl(fd, F_DUPFD_CLOEXEC, 900));
  close(fd);
  g_cb = static_cast<ControlBlock*>(p);
  if (g_cb->exec.layout.load(rlx) != sizeof(ControlBlock)) {
    const char msg[] = "ipcrace runtime: this program was linked against libipcrace_rt of another ipcrace build\n";
    (void)!write(2, msg, sizeof msg - 1);
    _exit(125);
  }
  if (const char* a = getenv("IPCRACE_EXEC_ACTOR")) {  // an actor that exec'd this image: it goes on
    const int idx = scan_int(a);
    unsetenv("IPCRACE_EXEC_ACTOR");
    unsetenv("IPCRACE_EXEC_FD");
    g_free = g_cb->exec.free_run.load(rlx) != 0;
    install_exit_hook();
    t_actor = idx;
    g_pid = getpid();
    g_cb->slots[idx].pid.store(g_pid, rlx);
    g_cb->slots[idx].tid.store(static_cast<int32_t>(syscall(SYS_gettid)), rlx);
    if (!g_free) publish(OpKind::start, kResProcs, nullptr, kAtPoint, MemOrder::plain, 0, 0);
    return;  // into the new image's main
  }
  g_cb->exec.base.store(g_base, rlx);
  serve();
}

}  // namespace

void* real(const char* name, const char* version) {
  void* p = version ? dlvsym(RTLD_NEXT, name, version) : dlsym(RTLD_NEXT, name);
  if (!p) p = dlsym(RTLD_DEFAULT, name);
  return p;
}

void point(OpKind k, uint16_t res, const void* pc, MemOrder o, uint32_t size, uint64_t addr, uint32_t faults) {
  t_fault = 0;
  if (!active()) return;
  if (getpid() != g_pid) {  // a child libc forked behind our back (system, popen)
    t_actor = -1;
    return;
  }
  publish(k, res, pc, kAtPoint, o, size, addr, faults);
}

void retry_later(OpKind k, uint16_t res, const void* pc, uint32_t faults) {
  t_fault = 0;
  if (!active()) return;
  publish(k, res, pc, kBlockedRetry, MemOrder::plain, 0, 0, faults);
}

void outcome(int64_t result, uint64_t value) {
  if (!active()) return;
  Slot& s = g_cb->slots[t_actor];
  s.result.store(result, rlx);
  s.value.store(value, rlx);
  s.has_outcome.store(1, rlx);
}

// ---- shared memory ----------------------------------------------------------

void recompute_bounds() {
  if (g_mt) {
    g_lo = 0;
    g_span = ~uintptr_t(0);
    return;
  }
  uintptr_t lo = ~uintptr_t(0), hi = 0;
  for (int i = 0; i < g_nranges; ++i) {
    if (g_ranges[i].lo < lo) lo = g_ranges[i].lo;
    if (g_ranges[i].hi > hi) hi = g_ranges[i].hi;
  }
  if (hi == 0) {
    g_lo = 0;
    g_span = 0;
  } else {
    g_lo = lo;
    g_span = hi - lo;
  }
}

void add_range(uintptr_t lo, size_t len, uint64_t key) {
  if (len == 0) return;
  remove_range(lo, len);
  if (g_nranges < kRanges) g_ranges[g_nranges++] = Range{lo, lo + len, key};
  recompute_bounds();
}

void remove_range(uintptr_t lo, size_t len) {
  const uintptr_t hi = lo + len;
  for (int i = 0; i < g_nranges;) {
    Range& r = g_ranges[i];
    if (r.hi <= lo || r.lo >= hi) {
      ++i;
      continue;
    }
    if (r.lo < lo && r.hi > hi && g_nranges < kRanges) {  // split
      g_ranges[g_nranges++] = Range{hi, r.hi, r.key + (hi - r.lo)};
      r.hi = lo;
      ++i;
      continue;
    }
    if (r.lo < lo) {
      r.hi = lo;
      ++i;
    } else if (r.hi > hi) {
      r.key += hi - r.lo;
      r.lo = hi;
      ++i;
    } else {
      g_ranges[i] = g_ranges[--g_nranges];
    }
  }
  recompute_bounds();
}

namespace {
__thread uintptr_t t_stack_lo = 0, t_stack_hi = 0;
}

bool shared_key(uintptr_t a, uint64_t* key, bool sync) {
  for (int i = 0; i < g_nranges; ++i)
    if (a >= g_ranges[i].lo && a < g_ranges[i].hi) {
      *key = g_ranges[i].key + (a - g_ranges[i].lo);
      return true;
    }
  if (!g_mt) return false;
  // Threads share the whole process; only this thread's own stack is private
  // (to plain accesses).
  if (sync) {
    *key = a;
    return true;
  }
  if (t_stack_hi == 0) {
    pthread_attr_t at;
    void* lo;
    size_t sz;
    if (pthread_getattr_np(pthread_self(), &at) == 0) {
      pthread_attr_getstack(&at, &lo, &sz);
      pthread_attr_destroy(&at);
      t_stack_lo = reinterpret_cast<uintptr_t>(lo);
      t_stack_hi = t_stack_lo + sz;
    } else {
      t_stack_hi = 1;
    }
  }
  if (a >= t_stack_lo && a < t_stack_hi) return false;
  *key = a;
  return true;
}

void shm_access(OpKind k, uintptr_t a, uint32_t size, MemOrder o, const void* pc, bool sync) {
  if (!active()) return;
  uint64_t key;
  if (!shared_key(a, &key, sync)) return;
  point(k, res_of_key(key), pc, o, size, key);
}

uint16_t res_of_key(uint64_t key) {
  uint64_t h = (key >> 3) * 0x9E3779B97F4A7C15ULL;
  return static_cast<uint16_t>(0x8000 | (h >> 49));
}

uint32_t object_index(uint64_t id) {
  if (!g_cb) return 0;
  auto& o = g_cb->exec.objects;
  const uint32_t n = o.count.load(rlx);
  for (uint32_t i = 0; i < n && i < o.kMax; ++i)
    if (o.id[i].load(rlx) == id) return i;
  // One actor runs at a time, so no two processes append at once.
  if (n >= o.kMax) return o.kMax + uint32_t((id * 0x9E3779B97F4A7C15ULL) >> 40);  // table full: a hash
  o.id[n].store(id, rlx);
  o.count.store(n + 1, rlx);
  return n;
}

uint16_t res_of_fd(int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0) return 4;
  if (S_ISSOCK(st.st_mode)) return kResSocket;
  const uint32_t idx = object_index(uint64_t(st.st_dev) << 40 ^ uint64_t(st.st_ino) ^ (uint64_t(1) << 63));
  return static_cast<uint16_t>(0x100 + idx % 0x7e00);
}

uint16_t res_of_pid(pid_t) { return kResProcs; }

// ---- actors -----------------------------------------------------------------

int reserve_actor(bool thread, pid_t ppid) {
  uint32_t idx = g_cb->exec.nactors.fetch_add(1, rlx);
  if (idx >= uint32_t(kMaxActors)) {
    g_cb->exec.nactors.store(kMaxActors, rlx);
    const char msg[] = "the program made more than 64 processes and threads (kMaxActors)";
    uint32_t expected = 0;  // ControlBlock::record_failure, without linking the harness
    if (g_cb->failed.compare_exchange_strong(expected, 1, rlx, rlx)) {
      for (size_t i = 0; i < sizeof msg - 1; ++i) g_cb->fail_msg[i].store(msg[i], rlx);
      g_cb->fail_len.store(sizeof msg - 1, rlx);
      g_cb->failed.store(2, rlx);
    }
    return -1;
  }
  Slot& s = g_cb->slots[idx];
  s.ppid.store(ppid, rlx);
  s.thread.store(thread, rlx);
  s.state.store(kRunning, rlx);
  return static_cast<int>(idx);
}

void become_actor(int idx, bool thread) {
  t_actor = idx;
  g_pid = getpid();
  if (!thread) {
    g_mt = false;
    recompute_bounds();
  }
  Slot& s = g_cb->slots[idx];
  s.pid.store(g_pid, rlx);
  s.tid.store(static_cast<int32_t>(syscall(SYS_gettid)), rlx);
  if (idx > 0 && !g_free) publish(OpKind::start, kResProcs, nullptr, kAtPoint, MemOrder::plain, 0, 0);
}

void process_exit() {
  if (t_actor < 0 || !g_cb || getpid() != g_pid) return;
  close_ipc_fds();
  const uint32_t n = g_cb->exec.nactors.load(rlx);
  for (uint32_t j = 0; j < n && j < uint32_t(kMaxActors); ++j) {
    Slot& s = g_cb->slots[j];
    if (int(j) == t_actor || s.pid.load(rlx) != g_pid || s.state.load(rlx) == kExited) continue;
    s.exit_how.store(kExitProcess, rlx);
    s.state.store(kExited, rlx);
  }
  Slot& me = g_cb->slots[t_actor];
  me.exit_how.store(kExitProcess, rlx);
  me.state.store(kExited, rlx);
  t_actor = -1;
  wake_ctl();
}

void record_name(int kind, const char* name) {
  if (!g_cb || !name) return;
  ExecNames& n = g_cb->exec.names;
  uint32_t i = n.count.fetch_add(1, rlx);
  if (i >= ExecNames::kMax) return;
  size_t len = strlen(name);
  if (len >= ExecNames::kLen) len = ExecNames::kLen - 1;
  memcpy(n.e[i].name, name, len);
  n.e[i].name[len] = 0;
  n.e[i].kind.store(static_cast<uint32_t>(kind), rlx);
}

}  // namespace ipcrace::rt
