// Virtual time. Under `ipcrace exec` the program's clocks read the run's
// virtual clock (ExecShared::clock_ns): it stands still while any actor can
// run and jumps, when none can, to the earliest deadline (a sleep's end, a
// timed wait's timeout, an alarm), which the controller then fires
// (ExecBackend::advance_time). Every read of a clock advances it by 1 µs, so
// a loop that polls the time ends too. A program with a watchdog and
// timeouts runs at full speed and the same way every time.
#include <errno.h>
#include <string.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "rt.hpp"

using namespace ipcrace;
using namespace ipcrace::rt;

namespace ipcrace::rt {

constexpr int64_t kEpochNs = int64_t(1700000000) * 1000000000;  // CLOCK_REALTIME at virtual 0

int64_t vnow() { return g_cb->exec.clock_ns.fetch_add(1000, rlx) + 1000; }

int64_t rel_deadline(int64_t ns) { return g_cb->exec.clock_ns.load(rlx) + (ns > 0 ? ns : 0) + 1; }

int64_t abs_deadline(clockid_t clk, const struct timespec* t) {
  if (!t) return 0;
  int64_t ns = int64_t(t->tv_sec) * 1000000000 + t->tv_nsec;
  if (clk == CLOCK_REALTIME || clk == CLOCK_REALTIME_COARSE || clk == CLOCK_TAI) ns -= kEpochNs;
  return ns > 0 ? ns : 1;
}

}  // namespace ipcrace::rt

namespace {

bool virtual_clock(clockid_t clk) {
  switch (clk) {
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE:
    case CLOCK_TAI:
    case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_COARSE:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_BOOTTIME: return true;
    default: return false;
  }
}

// Sleeps until virtual `deadline`; false when a signal cut it short.
bool vsleep(int64_t deadline, const void* pc) {
  Slot& s = g_cb->slots[t_actor];
  const uint32_t sigs0 = s.sigs.load(rlx);
  bool interrupted = false;
  timed_blocking(OpKind::sleep, kResTime, pc, deadline, [&] {
    if (s.sigs.load(rlx) != sigs0) return interrupted = true;
    return false;
  });
  return !interrupted;
}

}  // namespace

extern "C" {

int clock_gettime(clockid_t clk, struct timespec* ts) {
  if (!active() || !virtual_clock(clk)) return IPCRACE_REAL(clock_gettime)(clk, ts);
  int64_t now = vnow();
  if (clk == CLOCK_REALTIME || clk == CLOCK_REALTIME_COARSE || clk == CLOCK_TAI) now += kEpochNs;
  to_ts(now, ts);
  return 0;
}

int gettimeofday(struct timeval* tv, void* tz) {
  if (!active()) return IPCRACE_REAL(gettimeofday)(tv, tz);
  const int64_t now = vnow() + kEpochNs;
  tv->tv_sec = time_t(now / 1000000000);
  tv->tv_usec = suseconds_t(now % 1000000000 / 1000);
  return 0;
}

time_t time(time_t* t) {
  if (!active()) return IPCRACE_REAL(time)(t);
  const time_t now = time_t((vnow() + kEpochNs) / 1000000000);
  if (t) *t = now;
  return now;
}

int nanosleep(const struct timespec* req, struct timespec* rem) {
  if (!active()) return IPCRACE_REAL(nanosleep)(req, rem);
  const int64_t end = rel_deadline(ts_ns(req));
  if (vsleep(end, IPCRACE_PC)) return 0;
  if (rem) to_ts(end - g_cb->exec.clock_ns.load(rlx), rem);
  errno = EINTR;
  return -1;
}

int clock_nanosleep(clockid_t clk, int flags, const struct timespec* req, struct timespec* rem) {
  if (!active() || !virtual_clock(clk)) return IPCRACE_REAL(clock_nanosleep)(clk, flags, req, rem);
  const int64_t end = (flags & TIMER_ABSTIME) ? abs_deadline(clk, req) : rel_deadline(ts_ns(req));
  if (vsleep(end, IPCRACE_PC)) return 0;
  if (rem && !(flags & TIMER_ABSTIME)) to_ts(end - g_cb->exec.clock_ns.load(rlx), rem);
  return EINTR;
}

int usleep(useconds_t us) {
  if (!active()) return IPCRACE_REAL(usleep)(us);
  if (vsleep(rel_deadline(int64_t(us) * 1000), IPCRACE_PC)) return 0;
  errno = EINTR;
  return -1;
}

unsigned sleep(unsigned s) {
  if (!active()) return IPCRACE_REAL(sleep)(s);
  const int64_t end = rel_deadline(int64_t(s) * 1000000000);
  if (vsleep(end, IPCRACE_PC)) return 0;
  return unsigned((end - g_cb->exec.clock_ns.load(rlx) + 999999999) / 1000000000);
}

int pause(void) {
  if (!active()) return IPCRACE_REAL(pause)();
  vsleep(0, IPCRACE_PC);
  errno = EINTR;
  return -1;
}

// Waits for a signal (sigsuspend, sigwait, sigwaitinfo, sigtimedwait): a
// blocked try until a signal of the set is pending (sigpending: a kill() of
// an actor is pending before the kill returns, so this is a point of the
// schedule, not the kernel's timing), then the real call, which then returns
// at once. sigsuspend also ends when a handler ran since the call began (a
// signal its mask did not block was delivered when the actor was granted).
}  // extern "C"
namespace {
bool pending_in(const sigset_t* set, bool complement) {
  sigset_t p;
  if (sigpending(&p) != 0) return false;
  for (int sig = 1; sig < NSIG; ++sig)
    if (sigismember(&p, sig) == 1 && (sigismember(set, sig) == 1) != complement) return true;
  return false;
}
// A signal wait's tries until one of `set` (or, complement: one not in it)
// is pending; false at the virtual deadline (0: none) or, with `handled`, once
// a signal reached this actor since `sigs0` without staying pending.
bool signal_wait(const sigset_t* set, bool complement, int64_t deadline, bool handled, const void* pc) {
  Slot& s = g_cb->slots[t_actor];
  const uint32_t sigs0 = s.sigs.load(rlx);
  bool pending = false;
  timed_blocking(OpKind::sleep, kResTime, pc, deadline, [&] {
    if ((pending = pending_in(set, complement))) return true;
    return handled && s.sigs.load(rlx) != sigs0;
  });
  return pending;
}
}  // namespace
extern "C" {

int sigsuspend(const sigset_t* mask) {
  if (!active()) return IPCRACE_REAL(sigsuspend)(mask);
  if (signal_wait(mask, true, 0, true, IPCRACE_PC)) return IPCRACE_REAL(sigsuspend)(mask);  // delivered at once
  errno = EINTR;  // a handler already ran
  return -1;
}
int sigwait(const sigset_t* set, int* sig) {
  if (!active()) return IPCRACE_REAL(sigwait)(set, sig);
  signal_wait(set, false, 0, false, IPCRACE_PC);
  return IPCRACE_REAL(sigwait)(set, sig);
}
int sigwaitinfo(const sigset_t* set, siginfo_t* info) {
  if (!active()) return IPCRACE_REAL(sigwaitinfo)(set, info);
  signal_wait(set, false, 0, false, IPCRACE_PC);
  return IPCRACE_REAL(sigwaitinfo)(set, info);
}
int sigtimedwait(const sigset_t* set, siginfo_t* info, const struct timespec* t) {
  if (!active()) return IPCRACE_REAL(sigtimedwait)(set, info, t);
  if (!signal_wait(set, false, t ? rel_deadline(ts_ns(t)) : 0, false, IPCRACE_PC)) {
    errno = EAGAIN;  // timed out (virtual time)
    return -1;
  }
  const struct timespec zero{0, 0};
  return IPCRACE_REAL(sigtimedwait)(set, info, &zero);
}

unsigned alarm(unsigned s) {
  if (!active()) return IPCRACE_REAL(alarm)(s);
  point(OpKind::sleep, kResTime, IPCRACE_PC);
  Slot& me = g_cb->slots[t_actor];
  const int64_t now = g_cb->exec.clock_ns.load(rlx);
  const int64_t old = me.alarm.load(rlx);
  me.alarm.store(s ? now + int64_t(s) * 1000000000 : 0, rlx);
  me.alarm_every.store(0, rlx);
  return old > now ? unsigned((old - now + 999999999) / 1000000000) : 0;
}

int setitimer(__itimer_which_t which, const struct itimerval* nv, struct itimerval* ov) {
  if (!active() || which != ITIMER_REAL) return IPCRACE_REAL(setitimer)(which, nv, ov);
  point(OpKind::sleep, kResTime, IPCRACE_PC);
  Slot& me = g_cb->slots[t_actor];
  const int64_t now = g_cb->exec.clock_ns.load(rlx);
  if (ov) {
    const int64_t left = me.alarm.load(rlx) > now ? me.alarm.load(rlx) - now : 0;
    ov->it_value.tv_sec = time_t(left / 1000000000);
    ov->it_value.tv_usec = suseconds_t(left % 1000000000 / 1000);
    const int64_t every = me.alarm_every.load(rlx);
    ov->it_interval.tv_sec = time_t(every / 1000000000);
    ov->it_interval.tv_usec = suseconds_t(every % 1000000000 / 1000);
  }
  if (nv) {
    const int64_t v = int64_t(nv->it_value.tv_sec) * 1000000000 + int64_t(nv->it_value.tv_usec) * 1000;
    const int64_t every = int64_t(nv->it_interval.tv_sec) * 1000000000 + int64_t(nv->it_interval.tv_usec) * 1000;
    me.alarm.store(v ? now + v : 0, rlx);
    me.alarm_every.store(every, rlx);
  }
  return 0;
}

}  // extern "C"
