// Hang judgement (issue 13, item 12): an actor that misses its watchdog
// deadline is hung only if it had its chance and did not take it. The wall
// clock alone says nothing on a loaded machine: a runnable actor the OS does
// not schedule is starved, not hung. After the deadline the actor is watched
// for a re-check window at a time, through /proc/<pid>/task/<tid>/stat
// (state; CPU time from schedstat, else utime+stime):
//   running or runnable (R)  only the CPU time it used counts: hung once it
//                            has burned a window of CPU without a point (a
//                            spin); starved otherwise (the window is re-armed)
//   sleeping (S)             it waits for something no actor will do (only
//                            one actor runs between points): the wall time counts
//   disk wait (D)            neither: I/O under load is slow, not hung
//   stopped, traced (T, t)   neither, and what it had gathered is kept:
//                            stopped by someone else (a debugger, SIGSTOP), it
//                            resumes where it was
//   gone (Z, X, no entry)    not a hang: the caller sees the death next
// It is hung when the counted time reaches one window. Without /proc the
// deadline alone decides, as before.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <string>

namespace ipcrace::detail {

struct TaskSample {
  bool ok = false;
  char state = '?';
  uint64_t cpu_ns = 0;
};
TaskSample sample_task(pid_t pid, pid_t tid);

class HangWatch {
 public:
  // A new wait (a grant or a start): forget the last one.
  void reset() { armed_ = false; }
  // The wall deadline passed for the actor pid/tid (tid 0: pid). Returns the
  // next deadline to wait until (not hung yet), or 0: hung (why() says how).
  int64_t judge(pid_t pid, pid_t tid, int64_t now_ns, int64_t window_ns);
  const std::string& why() const { return why_; }

 private:
  bool armed_ = false;
  TaskSample last_;
  int64_t last_at_ = 0;
  int64_t counted_ = 0;  // CPU time (running) plus wall time asleep, since the deadline
  int64_t cpu_ = 0, slept_ = 0, waited_ = 0;
  std::string why_;
};

}  // namespace ipcrace::detail
