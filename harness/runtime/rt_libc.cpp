// Interposed libc and pthread calls: points, and blocking calls run as tries
// (rt.hpp: blocking) with the engine's blocked / re-enable discipline. Each
// wrapper passes straight through when the calling thread is not an actor.
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../src/futex.hpp"
#include "rt.hpp"

using namespace ipcrace;
using namespace ipcrace::rt;

namespace {

Slot& slot(int j) { return g_cb->slots[j]; }
uint32_t nactors() {
  uint32_t n = g_cb->exec.nactors.load(rlx);
  return n < uint32_t(kMaxActors) ? n : uint32_t(kMaxActors);
}

void wake_ctl() {
  g_cb->ctl.fetch_add(1, rlx);
  detail::futex_wake(&g_cb->ctl, 1);
}

// Waits (bounded) until process `pid` is gone.
void wait_gone(pid_t pid) {
  int fd = static_cast<int>(syscall(SYS_pidfd_open, long(pid), long(0)));
  if (fd < 0) return;
  pollfd p{fd, POLLIN, 0};
  while (poll(&p, 1, 2000) < 0 && errno == EINTR) {
  }
  close(fd);
}

void copy_points(void* d, const void* s, size_t n, const void* pc) {
  if (!active() || n == 0) return;
  if (s && maybe_shared(reinterpret_cast<uintptr_t>(s)))
    shm_access(OpKind::shm_load, reinterpret_cast<uintptr_t>(s), uint32_t(n), MemOrder::plain, pc);
  if (maybe_shared(reinterpret_cast<uintptr_t>(d)))
    shm_access(OpKind::shm_store, reinterpret_cast<uintptr_t>(d), uint32_t(n), MemOrder::plain, pc);
}

// Shared copies go in up to four chunks, a point before each, so a reader
// can see a half-written message (a torn copy), as on real hardware.
template <class F>
void chunked(void* d, const void* s, size_t n, const void* pc, F&& copy) {
  const bool shared = active() && (maybe_shared(reinterpret_cast<uintptr_t>(d)) ||
                                   (s && maybe_shared(reinterpret_cast<uintptr_t>(s))));
  if (!shared || n <= 8) {
    if (shared) copy_points(d, s, n, pc);
    copy(d, s, n);
    return;
  }
  size_t chunk = (n + 3) / 4;
  for (size_t off = 0; off < n; off += chunk) {
    size_t len = n - off < chunk ? n - off : chunk;
    char* dd = static_cast<char*>(d) + off;
    const char* ss = s ? static_cast<const char*>(s) + off : nullptr;
    copy_points(dd, ss, len, pc);
    copy(dd, ss, len);
  }
}

int exited_child(pid_t pid) {
  const uint32_t n = nactors();
  for (uint32_t j = 1; j < n; ++j) {
    Slot& s = slot(int(j));
    if (s.thread.load(rlx) || s.ppid.load(rlx) != g_pid) continue;
    if (pid > 0 && s.pid.load(rlx) != pid) continue;
    if (s.state.load(rlx) == kExited && (s.exit_how.load(rlx) & 8) == 0) return int(j);
  }
  return -1;
}

void note_reaped(pid_t pid, int status) {
  const uint32_t n = nactors();
  for (uint32_t j = 1; j < n; ++j) {
    Slot& s = slot(int(j));
    if (s.thread.load(rlx) || s.pid.load(rlx) != pid) continue;
    s.exit_status.store(status, rlx);
    if (s.state.load(rlx) != kExited) {
      s.exit_how.store(kExitProcess, rlx);
      s.state.store(kExited, rlx);
    }
    s.exit_how.fetch_or(8, rlx);
  }
}

void at_exit() {
  if (!active()) return;
  fflush(nullptr);  // output to pipes and sockets goes out before their descriptors close (close_ipc_fds)
  point(OpKind::exit, kResProcs, nullptr);
  process_exit();
}

// Thread actors of this process: pthread_t -> actor index.
struct ThreadEntry {
  pthread_t th;
  int idx;
};
ThreadEntry g_threads[kMaxActors];
int g_nthreads = 0;

struct Start {
  void* (*fn)(void*);
  void* arg;
  int idx;
};

void* thread_main(void* p) {
  Start st = *static_cast<Start*>(p);
  free(p);
  if (st.idx >= 0) become_actor(st.idx, true);
  void* ret = st.fn(st.arg);
  if (t_actor >= 0 && g_cb) {
    point(OpKind::exit, kResProcs, nullptr);
    Slot& s = slot(t_actor);
    s.exit_how.store(kExitThread, rlx);
    s.state.store(kExited, rlx);
    t_actor = -1;
    wake_ctl();
  }
  return ret;
}

}  // namespace

extern "C" {

// ---- memory -------------------------------------------------------------------

void* mmap(void* addr, size_t len, int prot, int flags, int fd, off_t off) {
  // Every argument as a long (syscall() is variadic: rt_core.cpp, rt_init).
  long r = syscall(SYS_mmap, addr, long(len), long(prot), long(flags), long(fd), long(off));
  if (r < 0 && r > -4096) {
    errno = int(-r);
    return MAP_FAILED;
  }
  void* p = reinterpret_cast<void*>(r);
  if ((flags & MAP_TYPE) != MAP_PRIVATE) {
    uint64_t key = uint64_t(r);
    struct stat st;
    if (!(flags & MAP_ANONYMOUS) && fd >= 0 && fstat(fd, &st) == 0)
      key = (uint64_t(1) << 63) + (uint64_t(object_index(uint64_t(st.st_dev) << 40 ^ uint64_t(st.st_ino) ^ (uint64_t(1) << 63)) + 1) << 40) + uint64_t(off);
    add_range(uintptr_t(r), len, key);
  }
  return p;
}
void* mmap64(void* addr, size_t len, int prot, int flags, int fd, off_t off) __attribute__((alias("mmap")));

int munmap(void* addr, size_t len) {
  long r = syscall(SYS_munmap, addr, long(len));
  if (r < 0) {
    errno = int(-r);
    return -1;
  }
  remove_range(reinterpret_cast<uintptr_t>(addr), len);
  return 0;
}

void* shmat(int id, const void* addr, int flags) {
  void* p = IPCRACE_REAL(shmat)(id, addr, flags);
  struct shmid_ds ds;
  if (p != reinterpret_cast<void*>(-1) && shmctl(id, IPC_STAT, &ds) == 0)
    add_range(reinterpret_cast<uintptr_t>(p), ds.shm_segsz, (uint64_t(1) << 63) + (uint64_t(object_index((uint64_t(0x5359) << 48) + uint64_t(unsigned(id))) + 1) << 40));
  return p;
}

int shmdt(const void* addr) {
  int r = IPCRACE_REAL(shmdt)(addr);
  if (r == 0) remove_range(reinterpret_cast<uintptr_t>(addr), 1);
  return r;
}

void* memcpy(void* d, const void* s, size_t n) {
  chunked(d, s, n, IPCRACE_PC, [](void* a, const void* b, size_t k) { raw_copy(a, b, k); });
  return d;
}
void* memmove(void* d, const void* s, size_t n) {
  const void* pc = IPCRACE_PC;
  if (active() && (maybe_shared(uintptr_t(d)) || maybe_shared(uintptr_t(s)))) copy_points(d, s, n, pc);
  raw_move(d, s, n);
  return d;
}
void* memset(void* d, int c, size_t n) {
  chunked(d, nullptr, n, IPCRACE_PC, [c](void* a, const void*, size_t k) { raw_set(a, c, k); });
  return d;
}
// _FORTIFY_SOURCE builds call these instead: the same points.
void* __memcpy_chk(void* d, const void* s, size_t n, size_t dn) {
  if (n > dn) abort();
  chunked(d, s, n, IPCRACE_PC, [](void* a, const void* b, size_t k) { raw_copy(a, b, k); });
  return d;
}
void* __memmove_chk(void* d, const void* s, size_t n, size_t dn) {
  if (n > dn) abort();
  const void* pc = IPCRACE_PC;
  if (active() && (maybe_shared(uintptr_t(d)) || maybe_shared(uintptr_t(s)))) copy_points(d, s, n, pc);
  raw_move(d, s, n);
  return d;
}
void* __memset_chk(void* d, int c, size_t n, size_t dn) {
  if (n > dn) abort();
  chunked(d, nullptr, n, IPCRACE_PC, [c](void* a, const void*, size_t k) { raw_set(a, c, k); });
  return d;
}

// ---- processes ------------------------------------------------------------------

pid_t fork(void) {
  auto rf = IPCRACE_REAL(fork);
  if (!active()) return rf();
  point(OpKind::fork, kResProcs, IPCRACE_PC);
  const int idx = reserve_actor(false, g_pid);
  pid_t pid = rf();
  if (pid == 0) {
    g_nthreads = 0;
    timers_forked();
    if (idx >= 0) become_actor(idx, false);
    else t_actor = -1;
    return 0;
  }
  if (idx >= 0) {
    if (pid < 0) {
      slot(idx).exit_how.store(kExitProcess | 8, rlx);
      slot(idx).state.store(kExited, rlx);
    } else {
      slot(idx).pid.store(pid, rlx);
    }
  }
  return pid;
}

// Whether this process has a child actor not yet reaped that a wait for
// `pid` (waitpid's convention; <= 0: any) can reap.
bool actor_child(pid_t pid) {
  const uint32_t n = nactors();
  for (uint32_t j = 1; j < n; ++j) {
    Slot& s = slot(int(j));
    if (s.thread.load(rlx) || s.ppid.load(rlx) != g_pid || (s.exit_how.load(rlx) & 8)) continue;
    if (pid <= 0 || s.pid.load(rlx) == pid) return true;
  }
  return false;
}

pid_t waitpid(pid_t pid, int* status, int opts) {
  auto rw = IPCRACE_REAL(waitpid);
  if (!active()) return rw(pid, status, opts);
  // A child outside the schedule (posix_spawn, vfork, a raw clone: no actor)
  // runs on its own: a point, then the kernel's wait, which may block.
  if (!actor_child(pid)) {
    point(OpKind::wait, kResProcs, IPCRACE_PC);
    pid_t got;
    do got = rw(pid, status, opts);
    while (got < 0 && errno == EINTR);
    return got;
  }
  int st = 0;
  pid_t got = -1;
  int err = 0;
  blocking(OpKind::wait, kResProcs, IPCRACE_PC, [&] {
    const int j = exited_child(pid);
    if (j >= 0) {
      do got = rw(slot(j).pid.load(rlx), &st, opts & ~WNOHANG);
      while (got < 0 && errno == EINTR);
    } else {
      got = rw(pid, &st, opts | WNOHANG);
      if (got == 0 && !(opts & WNOHANG)) return false;
    }
    err = errno;
    return true;
  });
  if (got > 0) {
    note_reaped(got, st);
    if (status) *status = st;
  }
  errno = err;
  return got;
}

pid_t wait(int* status) { return waitpid(-1, status, 0); }
// wait3/wait4: waitpid's rules; the resource usage reads as zero (it would
// differ from run to run).
pid_t wait4(pid_t pid, int* status, int opts, struct rusage* ru) {
  if (!active()) return IPCRACE_REAL(wait4)(pid, status, opts, ru);
  if (ru) memset(ru, 0, sizeof *ru);
  return waitpid(pid, status, opts);
}
pid_t wait3(int* status, int opts, struct rusage* ru) { return wait4(-1, status, opts, ru); }

// waitid: a blocked try until a child it asks for has exited (WEXITED; a
// stopped or continued child is not an event here), then the real call
// without blocking. WNOWAIT leaves the child reapable.
int waitid(idtype_t type, id_t id, siginfo_t* info, int opts) {
  auto rw = IPCRACE_REAL(waitid);
  if (!active() || !(opts & WEXITED)) return rw(type, id, info, opts);
  int r = -1, err = 0;
  blocking(OpKind::wait, kResProcs, IPCRACE_PC, [&] {
    const int j = type == P_PID || type == P_ALL ? exited_child(type == P_PID ? pid_t(id) : -1) : -1;
    siginfo_t si;
    memset(&si, 0, sizeof si);
    if (j >= 0) {  // exited at a point: the real call waits for the kernel to make it a zombie
      do r = rw(P_PID, id_t(slot(j).pid.load(rlx)), &si, opts & ~WNOHANG);
      while (r < 0 && errno == EINTR);
    } else {
      r = rw(type, id, &si, opts | WNOHANG);
    }
    err = errno;
    if (r == 0 && si.si_pid == 0 && !(opts & WNOHANG)) return false;
    if (info) *info = si;
    return true;
  });
  if (r == 0 && info && info->si_pid > 0 && !(opts & WNOWAIT)) {
    const int st = info->si_code == CLD_EXITED ? (info->si_status & 0xff) << 8 : info->si_status & 0x7f;
    note_reaped(info->si_pid, st);
  }
  errno = err;
  return r;
}

// ---- exec ------------------------------------------------------------------------
// An actor that execs goes on as the same actor in the new image: the
// control block's descriptor and the actor's index go along in the
// environment (IPCRACE_EXEC_FD, IPCRACE_EXEC_ACTOR), and the new image's
// runtime publishes its `start` point instead of serving (rt_core.cpp). An
// image without the runtime (/bin/sh, an uninstrumented tool) runs as one
// long step of that actor until it exits. The process's other threads die
// with the exec.

}  // extern "C"

namespace {
// envp plus the two variables (malloc'ed; the caller frees it on failure).
char** exec_env(char* const envp[]) {
  size_t n = 0;
  while (envp && envp[n]) ++n;
  char** e = static_cast<char**>(malloc((n + 3) * sizeof(char*)));
  static char fd_var[40], actor_var[40];
  snprintf(fd_var, sizeof fd_var, "IPCRACE_EXEC_FD=%d", g_cb_fd);
  snprintf(actor_var, sizeof actor_var, "IPCRACE_EXEC_ACTOR=%d", t_actor);
  size_t k = 0;
  for (size_t i = 0; i < n; ++i)
    if (strncmp(envp[i], "IPCRACE_EXEC_", 13) != 0) e[k++] = envp[i];
  e[k++] = fd_var;
  e[k++] = actor_var;
  e[k] = nullptr;
  return e;
}

// Runs `call(env)` (a real exec) with the hand-over prepared; only returns
// when the exec failed.
template <class F>
int exec_as_actor(char* const envp[], F&& call) {
  if (!active() || g_cb_fd < 0 || getpid() != g_pid) return call(envp);
  char** e = exec_env(envp);
  if (!e) return call(envp);
  fcntl(g_cb_fd, F_SETFD, 0);
  const uint32_t n = nactors();
  for (uint32_t j = 0; j < n; ++j) {  // the other threads of this process end here
    Slot& s = slot(int(j));
    if (int(j) == t_actor || s.pid.load(rlx) != g_pid || s.state.load(rlx) == kExited) continue;
    s.exit_how.store(kExitThread, rlx);
    s.state.store(kExited, rlx);
  }
  const int r = call(e);
  const int err = errno;
  fcntl(g_cb_fd, F_SETFD, FD_CLOEXEC);
  free(e);
  errno = err;
  return r;
}

// execl and friends: the variable arguments as an argv (at most 255).
#define IPCRACE_EXEC_ARGS(first)                       \
  char* argv[256];                                     \
  int argc = 0;                                        \
  argv[argc++] = const_cast<char*>(first);             \
  va_list ap;                                          \
  va_start(ap, first);                                 \
  while (argc < 255 && (argv[argc] = va_arg(ap, char*))) ++argc; \
  argv[argc] = nullptr;
}  // namespace

extern "C" {

int execve(const char* path, char* const argv[], char* const envp[]) {
  auto f = IPCRACE_REAL(execve);
  return exec_as_actor(envp, [&](char* const* e) { return f(path, argv, e); });
}
int execv(const char* path, char* const argv[]) { return execve(path, argv, environ); }
int execvpe(const char* file, char* const argv[], char* const envp[]) {
  auto f = IPCRACE_REAL(execvpe);
  return exec_as_actor(envp, [&](char* const* e) { return f(file, argv, e); });
}
int execvp(const char* file, char* const argv[]) { return execvpe(file, argv, environ); }
int fexecve(int fd, char* const argv[], char* const envp[]) {
  auto f = IPCRACE_REAL(fexecve);
  return exec_as_actor(envp, [&](char* const* e) { return f(fd, argv, e); });
}
int execl(const char* path, const char* arg, ...) {
  IPCRACE_EXEC_ARGS(arg)
  va_end(ap);
  return execve(path, argv, environ);
}
int execlp(const char* file, const char* arg, ...) {
  IPCRACE_EXEC_ARGS(arg)
  va_end(ap);
  return execvpe(file, argv, environ);
}
int execle(const char* path, const char* arg, ...) {
  IPCRACE_EXEC_ARGS(arg)
  char* const* envp = va_arg(ap, char* const*);
  va_end(ap);
  return execve(path, argv, envp);
}

void _exit(int code) {
  if (active()) {
    point(OpKind::exit, kResProcs, IPCRACE_PC);
    process_exit();
  }
  syscall(SYS_exit_group, long(code));
  __builtin_unreachable();
}
void _Exit(int code) { _exit(code); }

}  // extern "C"
namespace {
// A signal sent to `pid` (kill's convention) by `send`, the real call: a
// point; the actors it reaches know it was sent (a death by it is no crash,
// a signal wait retries), and a SIGKILLed process is gone before the next
// decision.
template <class F>
int send_signal(pid_t pid, int sig, const void* pc, F&& send) {
  point(OpKind::kill, kResProcs, pc);
  const uint32_t n = nactors();
  pid_t victims[kMaxActors];  // other processes of the run this signal reaches
  int nvictims = 0;
  if (sig != 0)
    for (uint32_t j = 0; j < n; ++j) {
      Slot& s = slot(int(j));
      const pid_t p = s.pid.load(rlx);
      // pid < -1: the process group -pid (killpg); 0: the caller's group
      const bool in_group = pid < -1 && p > 0 && getpgid(p) == -pid;
      if (s.state.load(rlx) == kExited || !(p == pid || in_group || (pid == -1 && p != g_pid) || pid == 0)) continue;
      s.killed_by.store(sig, rlx);
      s.sigs.fetch_add(1, rlx);
      bool seen = p == g_pid;
      for (int k = 0; k < nvictims && !seen; ++k) seen = victims[k] == p;
      if (!seen) victims[nvictims++] = p;
    }
  int r = send();
  int err = errno;
  if (r == 0 && sig == SIGKILL && pid != -1 && pid != 0 && nvictims > 0) {
    for (int k = 0; k < nvictims; ++k) {
      wait_gone(victims[k]);  // dead before the next decision: the run stays deterministic
      for (uint32_t j = 0; j < n; ++j) {
        Slot& s = slot(int(j));
        if (s.pid.load(rlx) != victims[k] || s.state.load(rlx) == kExited) continue;
        s.exit_how.store(kExitProcess, rlx);
        s.state.store(kExited, rlx);
      }
    }
    wake_ctl();
  }
  errno = err;
  return r;
}
}  // namespace
extern "C" {

int kill(pid_t pid, int sig) {
  auto rk = IPCRACE_REAL(kill);
  if (!active()) return rk(pid, sig);
  return send_signal(pid, sig, IPCRACE_PC, [&] { return rk(pid, sig); });
}
int sigqueue(pid_t pid, int sig, const union sigval v) {
  auto rq = IPCRACE_REAL(sigqueue);
  if (!active()) return rq(pid, sig, v);
  return send_signal(pid, sig, IPCRACE_PC, [&] { return rq(pid, sig, v); });
}

// glibc's killpg calls its internal kill: here it is kill(-pgrp), so the
// group's actors know the signal was sent (a death by it is no crash).
int killpg(pid_t pgrp, int sig) {
  if (pgrp < 0) {
    errno = EINVAL;
    return -1;
  }
  const pid_t target = pgrp == 0 ? 0 : -pgrp;
  auto rk = IPCRACE_REAL(kill);
  if (!active()) return rk(target, sig);
  return send_signal(target, sig, IPCRACE_PC, [&] { return rk(target, sig); });
}

int raise(int sig) {
  if (active()) {
    point(OpKind::kill, kResProcs, IPCRACE_PC);
    slot(t_actor).killed_by.store(sig, rlx);
  }
  return IPCRACE_REAL(raise)(sig);
}

// ---- threads --------------------------------------------------------------------

int pthread_create(pthread_t* th, const pthread_attr_t* attr, void* (*fn)(void*), void* arg) {
  auto rc = IPCRACE_REAL(pthread_create);
  if (!active()) return rc(th, attr, fn, arg);
  point(OpKind::spawn, kResProcs, IPCRACE_PC);
  g_mt = true;
  recompute_bounds();
  auto* st = static_cast<Start*>(malloc(sizeof(Start)));
  st->fn = fn;
  st->arg = arg;
  st->idx = reserve_actor(true, g_pid);
  int r = rc(th, attr, thread_main, st);
  if (r != 0) {
    if (st->idx >= 0) {
      slot(st->idx).exit_how.store(kExitThread | 8, rlx);
      slot(st->idx).state.store(kExited, rlx);
    }
    free(st);
    return r;
  }
  if (st->idx >= 0 && g_nthreads < kMaxActors) g_threads[g_nthreads++] = ThreadEntry{*th, st->idx};
  return r;
}

// A thread ending in pthread_exit never returns to thread_main: its exit is
// a point and its slot is marked here. The main thread may end so too (the
// process lives on until its last thread, whose exit() ends it).
void pthread_exit(void* ret) {
  auto re = IPCRACE_REAL(pthread_exit);
  if (t_actor >= 0 && g_cb && !g_free) {
    point(OpKind::exit, kResProcs, IPCRACE_PC);
    Slot& s = slot(t_actor);
    s.exit_how.store(kExitThread, rlx);
    s.state.store(kExited, rlx);
    t_actor = -1;
    wake_ctl();
  }
  re(ret);
  __builtin_unreachable();
}

}  // extern "C"
namespace {
// The actor of a thread this process created in the run (-1: none).
int actor_of_thread(pthread_t th) {
  int idx = -1;
  for (int i = 0; i < g_nthreads; ++i)
    if (pthread_equal(g_threads[i].th, th)) idx = g_threads[i].idx;
  return idx;
}
}  // namespace
extern "C" {

int pthread_join(pthread_t th, void** ret) {
  auto rj = IPCRACE_REAL(pthread_join);
  if (!active()) return rj(th, ret);
  const int idx = actor_of_thread(th);
  if (idx < 0) return rj(th, ret);
  blocking(OpKind::join, kResProcs, IPCRACE_PC, [&] { return slot(idx).state.load(rlx) == kExited; });
  return rj(th, ret);
}
// The GNU join forms: a try (EBUSY while the thread runs) and a join with a
// virtual deadline (ETIMEDOUT past it). Left to glibc they wait for the real
// thread, which is parked at a point: a hang, or a timeout in real time.
}  // extern "C"
namespace {
// Joins actor `idx` (thread `th`) by the virtual `deadline` (0: none).
int join_until(pthread_t th, int idx, void** ret, int64_t deadline, const void* pc) {
  if (!timed_blocking(OpKind::join, kResProcs, pc, deadline, [&] { return slot(idx).state.load(rlx) == kExited; }))
    return ETIMEDOUT;
  return IPCRACE_REAL(pthread_join)(th, ret);
}
}  // namespace
extern "C" {
int pthread_tryjoin_np(pthread_t th, void** ret) {
  const int idx = active() ? actor_of_thread(th) : -1;
  if (idx < 0) return IPCRACE_REAL(pthread_tryjoin_np)(th, ret);
  point(OpKind::join, kResProcs, IPCRACE_PC);
  if (slot(idx).state.load(rlx) != kExited) return EBUSY;
  return IPCRACE_REAL(pthread_join)(th, ret);
}
int pthread_timedjoin_np(pthread_t th, void** ret, const struct timespec* t) {
  const int idx = active() ? actor_of_thread(th) : -1;
  if (idx < 0) return IPCRACE_REAL(pthread_timedjoin_np)(th, ret, t);
  return join_until(th, idx, ret, t ? abs_deadline(CLOCK_REALTIME, t) : 0, IPCRACE_PC);
}
int pthread_clockjoin_np(pthread_t th, void** ret, clockid_t clk, const struct timespec* t) {
  const int idx = active() ? actor_of_thread(th) : -1;
  if (idx < 0) return IPCRACE_REAL(pthread_clockjoin_np)(th, ret, clk, t);
  return join_until(th, idx, ret, t ? abs_deadline(clk, t) : 0, IPCRACE_PC);
}

// ---- mutexes ----------------------------------------------------------------------

int pthread_mutex_lock(pthread_mutex_t* m) {
  auto rl = IPCRACE_REAL(pthread_mutex_lock);
  uint64_t key;
  if (!sync_key(m, &key)) return rl(m);
  auto rt = IPCRACE_REAL(pthread_mutex_trylock);
  int r = 0;
  blocking(OpKind::lock, res_of_key(key), IPCRACE_PC, [&] {
    r = rt(m);
    return r != EBUSY;
  });
  return r;
}

// Timed locks: tries until the virtual deadline (rt_time.cpp), then ETIMEDOUT.
int mutex_lock_until(pthread_mutex_t* m, uint64_t key, int64_t deadline, const void* pc) {
  auto rt = IPCRACE_REAL(pthread_mutex_trylock);
  return timed_lock(OpKind::lock, res_of_key(key), pc, deadline, [&] { return rt(m); });
}
int pthread_mutex_timedlock(pthread_mutex_t* m, const struct timespec* t) {
  uint64_t key;
  if (!sync_key(m, &key)) return IPCRACE_REAL(pthread_mutex_timedlock)(m, t);
  return mutex_lock_until(m, key, abs_deadline(CLOCK_REALTIME, t), IPCRACE_PC);
}
int pthread_mutex_clocklock(pthread_mutex_t* m, clockid_t clk, const struct timespec* t) {
  uint64_t key;
  if (!sync_key(m, &key)) return IPCRACE_REAL(pthread_mutex_clocklock)(m, clk, t);
  return mutex_lock_until(m, key, abs_deadline(clk, t), IPCRACE_PC);
}

int pthread_mutex_trylock(pthread_mutex_t* m) {
  auto rt = IPCRACE_REAL(pthread_mutex_trylock);
  uint64_t key;
  if (sync_key(m, &key)) point(OpKind::lock, res_of_key(key), IPCRACE_PC);
  return rt(m);
}

int pthread_mutex_unlock(pthread_mutex_t* m) {
  auto ru = IPCRACE_REAL(pthread_mutex_unlock);
  uint64_t key;
  if (sync_key(m, &key)) point(OpKind::unlock, res_of_key(key), IPCRACE_PC);
  return ru(m);
}

int sched_yield(void) {
  if (active()) point(OpKind::yield, 0, IPCRACE_PC);
  return 0;
}

// ---- names the program creates --------------------------------------------------------

int shm_open(const char* name, int oflag, mode_t mode) {
  int fd = IPCRACE_REAL(shm_open)(name, oflag, mode);
  if (fd >= 0 && (oflag & O_CREAT)) record_name(1, name);
  return fd;
}

}  // extern "C"

namespace ipcrace::rt {
// Called once in actor 0 (rt_core.cpp): exits of every process of the run.
void install_exit_hook() { atexit(at_exit); }
}  // namespace ipcrace::rt
