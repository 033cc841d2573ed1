// See hang_watch.hpp.
#include "hang_watch.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace ipcrace::detail {
namespace {

bool read_small(const char* path, char* buf, size_t cap) {
  const int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const ssize_t n = read(fd, buf, cap - 1);
  close(fd);
  if (n <= 0) return false;
  buf[n] = 0;
  return true;
}

}  // namespace

TaskSample sample_task(pid_t pid, pid_t tid) {
  TaskSample s;
  if (tid <= 0) tid = pid;
  if (pid <= 0) return s;
  char path[96], buf[1024];
  std::snprintf(path, sizeof path, "/proc/%d/task/%d/stat", int(pid), int(tid));
  if (!read_small(path, buf, sizeof buf)) return s;
  const char* p = std::strrchr(buf, ')');  // the command name may hold spaces and parentheses
  if (!p || p[1] != ' ' || !p[2]) return s;
  s.state = p[2];
  // Fields after the state: ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime.
  const char* q = p + 3;
  unsigned long long ticks[2] = {0, 0};
  for (int field = 0; field < 12 && *q; ++field) {
    while (*q == ' ') ++q;
    if (field >= 10) ticks[field - 10] = std::strtoull(q, nullptr, 10);
    while (*q && *q != ' ') ++q;
  }
  static const long hz = sysconf(_SC_CLK_TCK) > 0 ? sysconf(_SC_CLK_TCK) : 100;
  s.cpu_ns = (ticks[0] + ticks[1]) * (1000000000ULL / uint64_t(hz));
  std::snprintf(path, sizeof path, "/proc/%d/task/%d/schedstat", int(pid), int(tid));
  if (read_small(path, buf, sizeof buf)) s.cpu_ns = std::strtoull(buf, nullptr, 10);  // ns on the CPU
  s.ok = true;
  return s;
}

int64_t HangWatch::judge(pid_t pid, pid_t tid, int64_t now, int64_t window) {
  const TaskSample s = sample_task(pid, tid);
  if (!s.ok) {
    if (!armed_) return 0;  // nothing to judge by: the deadline decides, as before
    counted_ += now - last_at_;  // the entry went away: the caller sees the death, or this ends
    last_at_ = now;
    why_ = "its /proc entry went away";
    return counted_ < window ? now + window / 8 : 0;
  }
  if (s.state == 'Z' || s.state == 'X') return now + window / 8;  // dead: the caller reaps it
  if (!armed_) {
    armed_ = true;
    last_ = s;
    last_at_ = now;
    counted_ = cpu_ = slept_ = waited_ = 0;
    return now + window;  // re-check before reporting
  }
  const int64_t wall = now - last_at_;
  const int64_t used = int64_t(s.cpu_ns - last_.cpu_ns);
  switch (s.state) {
    case 'R':
      counted_ += used, cpu_ += used;
      if (wall > used) waited_ += wall - used;  // runnable, not scheduled
      break;
    case 'S':
    case 'I':
      counted_ += std::max(used, wall), slept_ += wall;
      break;
    default:  // D (I/O), T/t (stopped, traced), W, P: neither
      counted_ += used, cpu_ += used;
      break;
  }
  last_ = s;
  last_at_ = now;
  if (counted_ < window) return now + window;
  char buf[200];
  std::snprintf(buf, sizeof buf, "then, over the re-check, %lld ms on a CPU, %lld ms asleep, %lld ms runnable but not scheduled",
                (long long)(cpu_ / 1000000), (long long)(slept_ / 1000000), (long long)(waited_ / 1000000));
  why_ = buf;
  return 0;
}

}  // namespace ipcrace::detail
