// The program's own futexes: `syscall(SYS_futex, ...)`, as C++20's
// std::atomic::wait, std::latch, std::barrier and std::counting_semaphore
// (libstdc++'s atomic waits) and hand-written locks call it. Left to the
// kernel, a FUTEX_WAIT would block the one running actor for real and hang
// the run. Here a wait is a point, then the kernel's check (the word still
// holds the expected value, else EAGAIN), then a blocked try until some
// FUTEX_WAKE of the program (any word: a wake-up without a wake of this
// word is a spurious one, which futex(2) allows and every caller handles)
// or the virtual deadline (ETIMEDOUT). A wake is a point and the real call
// (a process outside the schedule may be waiting in the kernel).
// The interposer is libc's syscall(): every other call, the runtime's own
// futexes on the control block included, goes straight to the kernel.
#include <errno.h>
#include <linux/futex.h>
#include <stdarg.h>
#include <sys/syscall.h>

#include "rt.hpp"

using namespace ipcrace;
using namespace ipcrace::rt;

namespace {

// libc's syscall(): the number and six arguments, -1 and errno on failure.
long raw_syscall(long n, long a1, long a2, long a3, long a4, long a5, long a6) {
  long ret;
  register long r10 asm("r10") = a4;
  register long r8 asm("r8") = a5;
  register long r9 asm("r9") = a6;
  asm volatile("syscall" : "=a"(ret) : "a"(n), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8), "r"(r9) : "rcx", "r11", "memory");
  if (ret < 0 && ret > -4096) {
    errno = int(-ret);
    return -1;
  }
  return ret;
}

bool in_control_block(const void* p) {
  const auto a = reinterpret_cast<uintptr_t>(p), b = reinterpret_cast<uintptr_t>(g_cb);
  return a - b < sizeof(ControlBlock);
}

long futex(uint32_t* addr, int op, uint32_t val, const struct timespec* t, long a4, long a5, const void* pc) {
  const int cmd = op & FUTEX_CMD_MASK;
  const uint16_t res = sync_res(addr);
  auto& wakes = g_cb->exec.futex_wakes;
  switch (cmd) {
    case FUTEX_WAIT:
    case FUTEX_WAIT_BITSET: {
      int64_t deadline = 0;
      if (t) {
        const int64_t ns = int64_t(t->tv_sec) * 1000000000 + t->tv_nsec;
        deadline = cmd == FUTEX_WAIT ? rel_deadline(ns)
                                     : abs_deadline((op & FUTEX_CLOCK_REALTIME) ? CLOCK_REALTIME : CLOCK_MONOTONIC, t);
      }
      point(OpKind::sem_wait, res, pc);
      if (__atomic_load_n(addr, __ATOMIC_RELAXED) != val) {
        errno = EAGAIN;
        return -1;
      }
      const uint32_t w0 = wakes.load(rlx);
      if (!timed_blocking(OpKind::sem_wait, res, pc, deadline, [&] { return wakes.load(rlx) != w0; })) {
        errno = ETIMEDOUT;
        return -1;
      }
      return 0;
    }
    case FUTEX_WAKE:
    case FUTEX_WAKE_BITSET:
    case FUTEX_REQUEUE:
    case FUTEX_CMP_REQUEUE:
    case FUTEX_WAKE_OP:
      point(OpKind::sem_post, res, pc);
      wakes.fetch_add(1, rlx);
      return raw_syscall(SYS_futex, long(addr), long(op), long(val), long(t), a4, a5);
    default:  // priority-inheritance locks and the rest: the kernel's (a point first)
      point(OpKind::lock, res, pc);
      return raw_syscall(SYS_futex, long(addr), long(op), long(val), long(t), a4, a5);
  }
}

}  // namespace

extern "C" long syscall(long n, ...) {
  va_list ap;
  va_start(ap, n);
  long a[6];
  for (long& x : a) x = va_arg(ap, long);
  va_end(ap);
  if (n == SYS_futex && active() && !in_control_block(reinterpret_cast<void*>(a[0])))
    return futex(reinterpret_cast<uint32_t*>(a[0]), int(a[1]), uint32_t(a[2]), reinterpret_cast<const struct timespec*>(a[3]),
                 a[4], a[5], IPCRACE_PC);
  return raw_syscall(n, a[0], a[1], a[2], a[3], a[4], a[5]);
}
