// replay --stop-at N: hold the real actors before step N so a debugger can
// look at them, then go on, deterministically, when told (Enter or SIGCONT).
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <string>

#include "commands.hpp"
#include "trace_cmd.hpp"

namespace ipcrace::cli {

namespace {

std::atomic<int> g_cont{0};
void on_sigcont(int) { g_cont.store(1); }

// Until a line on stdin (or its end, when it was a pipe that closed) or SIGCONT.
void wait_to_continue() {
  bool stdin_open = true;
  for (;;) {
    if (g_cont.exchange(0)) return;
    if (!stdin_open) {
      usleep(50 * 1000);
      continue;
    }
    pollfd p{STDIN_FILENO, POLLIN, 0};
    const int r = poll(&p, 1, 100);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 || (p.revents & (POLLNVAL | POLLERR))) {
      stdin_open = false;
      continue;
    }
    if (r > 0) {
      char c;
      const ssize_t got = read(STDIN_FILENO, &c, 1);
      if (got == 1 && c == '\n') return;
      if (got == 0) {  // EOF: only SIGCONT continues
        stdin_open = false;
        std::printf("(stdin is closed: continue with kill -CONT %d)\n", int(getpid()));
        std::fflush(stdout);
      }
    }
  }
}

std::string op_str(const Op& op, const Schedule& s) {
  std::string res = op.resource < s.resources.size() ? s.resources[op.resource] : "#" + std::to_string(op.resource);
  return std::string(op_kind_name(op.kind)) + " " + res + " (" + (op.label ? op.label : "") + ")";
}

}  // namespace

void configure_stop_at(const ReplayExtras& x, const Schedule& s, RunConfig& cfg) {
  if (x.stop_at.empty()) return;
  for (int n : x.stop_at)
    if (n < 0 || size_t(n) >= s.steps.size())
      throw UsageError("--stop-at " + std::to_string(n) + ": the schedule has steps 0.." +
                       std::to_string(int(s.steps.size()) - 1));
  cfg.stop_at = x.stop_at;
  struct sigaction sa {};
  sa.sa_handler = on_sigcont;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGCONT, &sa, nullptr);
  const Schedule* sp = &s;
  cfg.on_hold = [sp](const HoldPoint& h) {
    std::printf("held before step %d (actor %d runs next: %s)\n", h.step, h.next_actor,
                op_str(h.actors[size_t(h.next_actor)].pending, *sp).c_str());
    const bool threads = h.mode == ActorMode::threads;
    if (threads) {
      std::printf("  threads of process %d (gdb: 'info threads', then 'thread N'):\n", h.controller_pid);
      std::printf("    attach:    gdb -p %d\n", h.controller_pid);
      std::printf("    backtrace: gdb -batch -p %d -ex 'thread apply all bt'\n", h.controller_pid);
    }
    for (const auto& a : h.actors) {
      const char* state = !a.alive ? "exited" : a.blocked ? "blocked at" : "at";
      if (!a.alive) {
        std::printf("  actor %d: exited\n", a.index);
        continue;
      }
      if (threads)
        std::printf("  actor %d: thread %d (LWP %d), %s %s\n", a.index, a.tid, a.tid, state,
                    op_str(a.pending, *sp).c_str());
      else
        std::printf("  actor %d: pid %d, %s %s\n    attach:    gdb -p %d\n    backtrace: gdb -batch -p %d -ex bt\n",
                    a.index, a.tid, state, op_str(a.pending, *sp).c_str(), a.tid, a.tid);
    }
    std::printf("continue: press Enter, or kill -CONT %d\n", h.controller_pid);
    std::fflush(stdout);
    wait_to_continue();
    std::printf("continuing from step %d\n", h.step);
    std::fflush(stdout);
  };
}

}  // namespace ipcrace::cli
