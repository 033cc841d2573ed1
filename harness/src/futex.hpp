// Raw futex calls. Deliberately not std::atomic::wait or pthread primitives:
// ThreadSanitizer does not see a raw syscall, so the scheduler's handoff adds
// no happens-before edge between actors and hides no race. Not private: the
// words live in MAP_SHARED memory used across fork.
#pragma once
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>

namespace ipcrace::detail {

inline long futex_wait(std::atomic<uint32_t>* word, uint32_t expected, const timespec* timeout) {
  return syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAIT, expected, timeout, nullptr, 0);
}

inline long futex_wake(std::atomic<uint32_t>* word, int count = 1) {
  return syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAKE, count, nullptr, nullptr, 0);
}

inline timespec ms_to_timespec(long ms) {
  return timespec{ms / 1000, (ms % 1000) * 1000000L};
}

inline int64_t now_ns() {
  timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return int64_t(t.tv_sec) * 1000000000 + t.tv_nsec;
}

}  // namespace ipcrace::detail
