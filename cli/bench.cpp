// ipcrace bench: the scheduler's cost against its floor, measured in one run.
//   floor        raw futex ping-pong round trip: two processes on one CPU,
//                two processes on two CPUs, two threads on one CPU
//   step         one scheduled step (actor -> controller -> next actor), per mode
//   runs/s       a 2-actor, 20-step target, per mode
//   growth       controller RSS and open descriptors after N and M runs
// Ratios are against the floor measured in the same run; nothing is asserted.
#include "bench.hpp"

#include <linux/futex.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <dirent.h>
#include <fstream>
#include <string>
#include <thread>

#include "ipcrace/campaign.hpp"

namespace ipcrace::cli {
namespace {

using clock_type = std::chrono::steady_clock;
double since(clock_type::time_point t0) { return std::chrono::duration<double>(clock_type::now() - t0).count(); }

void fwait(std::atomic<uint32_t>* w, uint32_t v) {
  while (w->load(std::memory_order_relaxed) == v)
    syscall(SYS_futex, reinterpret_cast<uint32_t*>(w), FUTEX_WAIT, v, nullptr, nullptr, 0);
}
void fwake(std::atomic<uint32_t>* w) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(w), FUTEX_WAKE, 1, nullptr, nullptr, 0);
}

void pin(int cpu) {
  if (cpu < 0) return;
  cpu_set_t s;
  CPU_ZERO(&s);
  CPU_SET(cpu, &s);
  sched_setaffinity(0, sizeof s, &s);
}

// One turn word: ping waits for odd, pong waits for even.
double pingpong_us(bool threads, int cpu_a, int cpu_b, int rounds) {
  void* mem = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  auto* turn = new (mem) std::atomic<uint32_t>(0);
  auto pong = [turn, rounds, cpu_b] {
    pin(cpu_b);
    for (int i = 0; i < rounds; ++i) {
      fwait(turn, 2u * i);
      turn->store(2u * i + 2, std::memory_order_relaxed);
      fwake(turn);
    }
  };
  cpu_set_t saved;
  sched_getaffinity(0, sizeof saved, &saved);
  pin(cpu_a);
  pid_t pid = -1;
  std::thread th;
  if (threads) th = std::thread(pong);
  else if ((pid = fork()) == 0) {
    pong();
    _exit(0);
  }
  auto t0 = clock_type::now();
  for (int i = 0; i < rounds; ++i) {
    turn->store(2u * i + 1, std::memory_order_relaxed);
    fwake(turn);
    fwait(turn, 2u * i + 1);
  }
  double us = since(t0) * 1e6 / rounds;
  if (threads) th.join();
  else waitpid(pid, nullptr, 0);
  sched_setaffinity(0, sizeof saved, &saved);
  munmap(mem, 4096);
  return us;
}

// A target whose actors only reach points: `points` yields each.
class Yields final : public Scenario {
 public:
  void setup(RunContext& ctx) override { r_ = ctx.resource("bench"); }
  void actor(Actor& a) override {
    const int64_t n = a.params().get("points");
    for (int64_t i = 0; i < n; ++i) a.point(OpKind::yield, r_, "bench.yield");
  }
  Resource r_;
};

TargetInfo yields_target() {
  return TargetInfo{.name = "bench.yields",
                    .family = "bench",
                    .variant = Variant::synchronised,
                    .bug_class = "none",
                    .sync = "",
                    .summary = "actors that only reach points",
                    .defaults = {{"actors", 2}, {"points", 10}},
                    .make = [] { return std::make_unique<Yields>(); },
                    .budget_runs = 1,
                    .source = __FILE__};
}

struct StepCost {
  double us_per_step;
  double runs_per_s;
};

StepCost measure(ActorMode mode, int cpu, int points_long, int short_runs) {
  static const TargetInfo t = yields_target();
  RunConfig cfg;
  cfg.mode = mode;
  cfg.cpu = cpu;
  StrategyOptions so;
  so.name = "random";
  so.seed = 1;
  StepCost out{};
  {
    Params p;
    p.set("points", points_long);
    Engine e(t, p, cfg);
    auto st = make_strategy(so);
    st->new_run(0);
    e.run(*st, 1);  // warm up
    st->new_run(1);
    auto t0 = clock_type::now();
    RunResult r = e.run(*st, 2);
    out.us_per_step = since(t0) * 1e6 / double(r.trace.size());
  }
  {
    Params p;
    p.set("points", 10);  // 2 actors x 10 points = 20 steps
    Engine e(t, p, cfg);
    auto st = make_strategy(so);
    auto t0 = clock_type::now();
    for (int i = 0; i < short_runs; ++i) {
      st->new_run(uint64_t(i));
      e.run(*st, uint64_t(i));
    }
    out.runs_per_s = short_runs / since(t0);
  }
  return out;
}

long rss_kb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

long current_rss_kb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

int open_fds() {
  int n = 0;
  if (DIR* d = opendir("/proc/self/fd")) {
    while (dirent* e = readdir(d)) n += e->d_name[0] != '.';
    closedir(d);
  }
  return n - 1;  // the DIR itself
}

}  // namespace

int cmd_bench(const BenchOptions& o) {
  const int cpu = sched_getcpu();
  const int other = std::thread::hardware_concurrency() > 1 ? (cpu == 0 ? 1 : 0) : cpu;
  std::printf("ipcrace bench (CPU %d; %u CPUs; one run in %s)\n\n", cpu, std::thread::hardware_concurrency(),
              "this process");
  const int rounds = o.quick ? 2000 : 20000;
  double pp_same = pingpong_us(false, cpu, cpu, rounds);
  double pp_cross = pingpong_us(false, cpu, other, rounds);
  double tt_same = pingpong_us(true, cpu, cpu, rounds);
  std::printf("floor: raw futex round trip\n");
  std::printf("  processes, one CPU    %8.2f us\n", pp_same);
  std::printf("  processes, two CPUs   %8.2f us   (%.1fx one CPU)\n", pp_cross, pp_cross / pp_same);
  std::printf("  threads, one CPU      %8.2f us\n\n", tt_same);

  const int points = o.quick ? 2000 : 20000;
  const int short_runs = o.quick ? 300 : 2000;
  StepCost proc = measure(ActorMode::processes, cpu, points, short_runs);
  StepCost thr = measure(ActorMode::threads, cpu, points, short_runs * 3);
  StepCost proc_unpinned = measure(ActorMode::processes, -1, points, short_runs);
  std::printf("one scheduled step (actor -> controller -> actor)\n");
  std::printf("  processes, pinned     %8.2f us   %.2fx the process floor\n", proc.us_per_step, proc.us_per_step / pp_same);
  std::printf("  processes, unpinned   %8.2f us   %.2fx the process floor\n", proc_unpinned.us_per_step,
              proc_unpinned.us_per_step / pp_same);
  std::printf("  threads, pinned       %8.2f us   %.2fx the thread floor\n\n", thr.us_per_step, thr.us_per_step / tt_same);
  std::printf("runs per second, 2 actors x 10 points (20 steps)\n");
  std::printf("  processes, pinned     %8.0f runs/s\n", proc.runs_per_s);
  std::printf("  processes, unpinned   %8.0f runs/s\n", proc_unpinned.runs_per_s);
  std::printf("  threads, pinned       %8.0f runs/s   (%.1fx processes)\n\n", thr.runs_per_s,
              thr.runs_per_s / proc.runs_per_s);

  // Growth: a campaign must not grow. Current RSS (not only the peak) and
  // open descriptors after a short and a long campaign of the counter target.
  std::printf("controller growth (shm.counter.mutex, pct)\n");
  for (ActorMode mode : {ActorMode::processes, ActorMode::threads}) {
    const TargetInfo* t = find_target("shm.counter.mutex");
    if (!t) break;
    CampaignOptions co;
    co.run.mode = mode;
    co.run.cpu = cpu;
    uint64_t small = o.quick ? 200 : 1000;
    uint64_t large = mode == ActorMode::threads ? o.long_runs : o.long_runs / 10;
    if (o.quick) large = small * 5;
    co.runs = small;
    run_campaign(*t, co);
    long rss1 = current_rss_kb();
    int fd1 = open_fds();
    co.runs = large;
    auto t0 = clock_type::now();
    run_campaign(*t, co);
    double secs = since(t0);
    long rss2 = current_rss_kb();
    int fd2 = open_fds();
    std::printf("  %-9s after %7llu runs: RSS %6ld kB, %3d fds; after %7llu more (%.0f runs/s): RSS %6ld kB, %3d fds;"
                " peak %ld kB\n",
                actor_mode_name(mode), static_cast<unsigned long long>(small), rss1, fd1,
                static_cast<unsigned long long>(large), double(large) / secs, rss2, fd2, rss_kb());
  }
  return 0;
}

}  // namespace ipcrace::cli
