// Virtual timerfds. A timerfd left to the kernel fires in real time: a
// program whose event loop waits in epoll_wait or read for one would block
// with every actor parked, a false deadlock (or a wall-clock wait). Under
// `ipcrace exec` timerfd_create (on a clock the runtime virtualises) returns
// an eventfd instead, whose counter is the timer's expiration count: a read
// returns and resets it, poll/select/epoll see it readable, as for a timer.
// The timer itself is virtual time: this process's table holds each timer's
// next expiry and interval; every blocked wait of the process (rt.hpp:
// blocking, timed_blocking) first delivers what has expired (writes the
// count of expirations to the eventfd) and, while it waits, publishes the
// earliest expiry as its deadline, so the controller moves the clock there
// when no actor can run and the wait's next try sees the timer fire.
// Not modelled: a timer inherited over fork fires only in its creator (the
// child's copy of the table is emptied), fstat shows an eventfd, and
// TFD_TIMER_CANCEL_ON_SET and TFD_IOC_SET_TICKS have no effect.
#include <errno.h>
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "rt.hpp"

using namespace ipcrace;
using namespace ipcrace::rt;

namespace ipcrace::rt {

int g_ntimers = 0;

namespace {

struct VTimer {
  int fd;
  clockid_t clk;
  int64_t next, every;  // virtual ns; next 0: disarmed
};
constexpr int kTimers = 32;
VTimer g_timers[kTimers];

VTimer* find(int fd) {
  for (int i = 0; i < g_ntimers; ++i)
    if (g_timers[i].fd == fd) return &g_timers[i];
  return nullptr;
}

bool virtual_timer_clock(clockid_t clk) {
  return clk == CLOCK_REALTIME || clk == CLOCK_MONOTONIC || clk == CLOCK_BOOTTIME;
}


// Empties the eventfd (raw calls: no interposer, no point).
void drain(int fd) {
  const int fl = int(syscall(SYS_fcntl, long(fd), long(F_GETFL), 0L));
  if (!(fl & O_NONBLOCK)) syscall(SYS_fcntl, long(fd), long(F_SETFL), long(fl | O_NONBLOCK));
  uint64_t v;
  syscall(SYS_read, long(fd), &v, 8L);
  if (!(fl & O_NONBLOCK)) syscall(SYS_fcntl, long(fd), long(F_SETFL), long(fl));
}

void current(const VTimer& t, int64_t now, struct itimerspec* cur) {
  to_ts(t.next > now ? t.next - now : 0, &cur->it_value);
  to_ts(t.every, &cur->it_interval);
}

}  // namespace

void deliver_timers() {
  const int64_t now = g_cb->exec.clock_ns.load(rlx);
  for (int i = 0; i < g_ntimers; ++i) {
    VTimer& t = g_timers[i];
    if (t.next <= 0 || t.next > now) continue;
    uint64_t n = 1;
    if (t.every > 0) {
      n += uint64_t((now - t.next) / t.every);
      t.next += int64_t(n) * t.every;
    } else {
      t.next = 0;
    }
    syscall(SYS_write, long(t.fd), &n, 8L);
  }
}

int64_t next_timer() {
  int64_t m = 0;
  for (int i = 0; i < g_ntimers; ++i)
    if (g_timers[i].next > 0 && (m == 0 || g_timers[i].next < m)) m = g_timers[i].next;
  return m;
}

void timers_forked() { g_ntimers = 0; }

void timer_closed(int fd) {
  if (VTimer* t = find(fd)) *t = g_timers[--g_ntimers];
}

}  // namespace ipcrace::rt

extern "C" {

int timerfd_create(int clk, int flags) {
  if (!active() || !virtual_timer_clock(clk) || g_ntimers >= kTimers) return IPCRACE_REAL(timerfd_create)(clk, flags);
  const int fd = int(syscall(SYS_eventfd2, 0L, long((flags & TFD_NONBLOCK ? EFD_NONBLOCK : 0) | (flags & TFD_CLOEXEC ? EFD_CLOEXEC : 0))));
  if (fd < 0) return -1;
  g_timers[g_ntimers++] = VTimer{fd, clk, 0, 0};
  return fd;
}

int timerfd_settime(int fd, int flags, const struct itimerspec* nv, struct itimerspec* ov) {
  VTimer* t = active() ? find(fd) : nullptr;
  if (!t) return IPCRACE_REAL(timerfd_settime)(fd, flags, nv, ov);
  if (!nv || nv->it_value.tv_nsec < 0 || nv->it_value.tv_nsec >= 1000000000 || nv->it_interval.tv_nsec < 0 ||
      nv->it_interval.tv_nsec >= 1000000000) {
    errno = nv ? EINVAL : EFAULT;
    return -1;
  }
  point(OpKind::sleep, res_of_fd(fd), IPCRACE_PC);  // re-enables a reader blocked on it
  const int64_t now = g_cb->exec.clock_ns.load(rlx);
  if (ov) current(*t, now, ov);
  drain(fd);  // setting a timer resets its expirations, as the kernel does
  const int64_t v = ts_ns(&nv->it_value);
  if (v == 0) t->next = 0;
  else if (flags & TFD_TIMER_ABSTIME) t->next = abs_deadline(t->clk, &nv->it_value);
  else t->next = now + v;
  t->every = ts_ns(&nv->it_interval);
  return 0;
}

int timerfd_gettime(int fd, struct itimerspec* cur) {
  VTimer* t = active() ? find(fd) : nullptr;
  if (!t) return IPCRACE_REAL(timerfd_gettime)(fd, cur);
  current(*t, g_cb->exec.clock_ns.load(rlx), cur);
  return 0;
}

}  // extern "C"
