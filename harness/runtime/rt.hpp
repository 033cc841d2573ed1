// libipcrace_rt internals: the runtime a program compiled with clang's
// ThreadSanitizer instrumentation (or started with LD_PRELOAD) runs under
// `ipcrace exec`. Not instrumented itself, and free of libstdc++ symbols (it
// links into C programs too).
#pragma once
#include <dlfcn.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "../src/control_block.hpp"
#include "ipcrace/op.hpp"

namespace ipcrace::rt {

extern ControlBlock* g_cb;  // null: not under ipcrace exec (every hook passes through)
extern bool g_free;         // free run: no scheduling, real blocking calls
extern bool g_mt;           // this process has thread actors: all non-stack memory is shared
extern pid_t g_pid;         // this process (set when it became an actor)
extern int g_cb_fd;         // the control block's descriptor (close-on-exec; -1: none)
extern uintptr_t g_lo, g_span;  // quick check: [g_lo, g_lo + g_span) may be shared
extern __thread int t_actor;    // this thread's actor index, -1: none
// The fault the controller granted with this thread's last point (FaultKind;
// 0: none). Only a point that declared how its op can fail gets one.
extern __thread uint32_t t_fault;

inline bool active() { return t_actor >= 0 && g_cb && !g_free; }
inline bool maybe_shared(uintptr_t a) { return a - g_lo < g_span; }

// Whether [a, a+n) is shared memory; if so its canonical location (the same
// in every process that maps the object: mapping identity + offset). In a
// process with thread actors a thread's own stack is private to plain
// accesses; `sync` (a lock, semaphore, condition variable, futex, atomic or
// volatile word) counts it shared too: threads wait on a std::mutex, a flag
// or a latch that lives in main's frame, and main's own use of it must be a
// point (a real lock or a spin there hung the run).
bool shared_key(uintptr_t a, uint64_t* key, bool sync = false);
// The canonical location of a sync object (mutex, semaphore, condition
// variable, once word, ...), or false when it is private to this
// (single-threaded) process, or the caller is no actor: then no other actor
// can touch it.
inline bool sync_key(const void* p, uint64_t* key) {
  return active() && shared_key(reinterpret_cast<uintptr_t>(p), key, true);
}
void add_range(uintptr_t lo, size_t len, uint64_t key_base);
void remove_range(uintptr_t lo, size_t len);
void recompute_bounds();

uint16_t res_of_key(uint64_t key);
// A sync object's resource: its canonical location's, or (private to this
// process) its address's.
inline uint16_t sync_res(const void* p) {
  uint64_t key;
  return res_of_key(sync_key(p, &key) ? key : reinterpret_cast<uintptr_t>(p));
}
// The run-stable index of a kernel object (ExecShared::objects; id: nonzero).
uint32_t object_index(uint64_t id);
uint16_t res_of_fd(int fd);
uint16_t res_of_pid(pid_t pid);
constexpr uint16_t kResProcs = 1;   // fork/wait/exit
constexpr uint16_t kResTime = 2;    // sleeps, timers
constexpr uint16_t kResSocket = 3;  // every socket (their two ends are different inodes)

// The label of a point: the caller's return address as an offset into the program.
inline const char* pc_label(const void* pc) { return reinterpret_cast<const char*>(pc); }

// `faults`: how the op can fail (FaultMask), offered to the strategy; the
// granted fault is then in t_fault.
void point(OpKind k, uint16_t res, const void* pc, MemOrder o = MemOrder::plain, uint32_t size = 0,
           uint64_t addr = 0, uint32_t faults = 0);
void retry_later(OpKind k, uint16_t res, const void* pc, uint32_t faults = 0);
void outcome(int64_t result, uint64_t value);
void shm_access(OpKind k, uintptr_t a, uint32_t size, MemOrder o, const void* pc, bool sync = false);

// Virtual timerfds of this process (rt_timerfd.cpp): how many; their
// expirations up to the virtual now written to their eventfds; the earliest
// armed expiry (0: none). Every blocked wait delivers before each try and
// publishes the earliest expiry as its deadline while it waits, so the clock
// can jump to it and the wait's next try sees the timer fire.
extern int g_ntimers;
void deliver_timers();
int64_t next_timer();
void timers_forked();        // a forked child: its creator's timers fire there only
void timer_closed(int fd);
inline bool timers() { return g_ntimers > 0 && active(); }

// A blocking call as tries: `try_once` returns true when done.
template <class F>
void blocking(OpKind k, uint16_t res, const void* pc, F&& try_once, uint32_t faults = 0) {
  point(k, res, pc, MemOrder::plain, 0, 0, faults);
  for (;;) {
    if (timers()) deliver_timers();
    if (try_once()) break;
    if (timers()) g_cb->slots[t_actor].deadline.store(next_timer(), rlx);
    retry_later(k, res, pc, faults);
  }
  if (timers()) g_cb->slots[t_actor].deadline.store(0, rlx);
}

// Virtual time (rt_time.cpp): now, and a blocking call with a deadline
// (absolute virtual ns, 0: none): `try_once` returns true when done; past
// the deadline the call gives up and timed_blocking returns false.
int64_t vnow();
template <class F>
bool timed_blocking(OpKind k, uint16_t res, const void* pc, int64_t deadline, F&& try_once) {
  point(k, res, pc);
  for (;;) {
    if (timers()) deliver_timers();
    if (try_once()) break;
    if (deadline > 0 && vnow() >= deadline) {
      g_cb->slots[t_actor].deadline.store(0, rlx);
      return false;
    }
    int64_t wake = deadline;
    if (timers())
      if (const int64_t t = next_timer(); t > 0 && (wake == 0 || t < wake)) wake = t;
    g_cb->slots[t_actor].deadline.store(wake, rlx);
    retry_later(k, res, pc);
  }
  if (deadline > 0 || timers()) g_cb->slots[t_actor].deadline.store(0, rlx);
  return true;
}
// A timed lock: tries of `try_lock` (0 or an error but EBUSY: done) until
// the virtual `deadline`; ETIMEDOUT past it.
template <class F>
int timed_lock(OpKind k, uint16_t res, const void* pc, int64_t deadline, F&& try_lock) {
  int r = 0;
  if (!timed_blocking(k, res, pc, deadline, [&] { return (r = try_lock()) != EBUSY; })) return ETIMEDOUT;
  return r;
}
int64_t abs_deadline(clockid_t clk, const struct timespec* abstime);  // virtual ns
int64_t rel_deadline(int64_t ns);
inline int64_t ts_ns(const struct timespec* t) { return int64_t(t->tv_sec) * 1000000000 + t->tv_nsec; }
inline void to_ts(int64_t ns, struct timespec* t) {  // negative: 0
  if (ns < 0) ns = 0;
  t->tv_sec = time_t(ns / 1000000000);
  t->tv_nsec = long(ns % 1000000000);
}

// A new process or thread becomes actor `idx` and parks at its first point.
int reserve_actor(bool thread, pid_t ppid);
void become_actor(int idx, bool thread);
void install_exit_hook();
void process_exit();  // this process ends: every actor of it is gone
// Closes this process's pipe, FIFO and socket descriptors (rt_io.cpp), at its
// exit point: a reader sees end-of-file at a point of the schedule, not when
// the kernel gets round to tearing the exited process down.
void close_ipc_fds();
// close() of a file this process has locked (flock, fcntl, lockf): an unlock
// point, the close releasing its locks (rt_flock.cpp).
void file_lock_close(int fd, const void* pc);
void record_name(int kind, const char* name);

// The copies behind the memcpy/memmove/memset interposers (rt_libc.cpp), and
// any copy inside the runtime (through the interposers it would be points).
// Not libc's __memcpy_chk(..., -1) and the like: clang folds those into plain
// memcpy calls, which resolve to the interposer itself (an endless recursion:
// every program calling memcpy died of a stack overflow at its first copy).
#if defined(__x86_64__)
inline void raw_copy(void* d, const void* s, size_t n) {
  asm volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
}
inline void raw_move(void* d, const void* s, size_t n) {
  if (uintptr_t(d) - uintptr_t(s) >= n) return raw_copy(d, s, n);  // no harmful overlap
  char* dd = static_cast<char*>(d) + n - 1;
  const char* ss = static_cast<const char*>(s) + n - 1;
  asm volatile("std\n\trep movsb\n\tcld" : "+D"(dd), "+S"(ss), "+c"(n) : : "memory");
}
inline void raw_set(void* d, int c, size_t n) { asm volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory"); }
#else
#error "libipcrace_rt: raw_copy / raw_move / raw_set are written for x86-64"
#endif

// Real libc functions (dlsym RTLD_NEXT), resolved on first use.
void* real(const char* name, const char* version = nullptr);
#define IPCRACE_REAL(fn) \
  ([]() { static auto p = reinterpret_cast<decltype(&::fn)>(::ipcrace::rt::real(#fn)); return p; }())
#define IPCRACE_REALV(fn, ver) \
  ([]() { static auto p = reinterpret_cast<decltype(&::fn)>(::ipcrace::rt::real(#fn, ver)); return p; }())
#define IPCRACE_PC __builtin_return_address(0)

}  // namespace ipcrace::rt
