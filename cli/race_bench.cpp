// ipcrace bench --race: the race detector's cost, measured in one run.
//   runs/s       each shm-family target, --race on against off, processes and
//                threads (the two alternate in rounds, so drift hits both)
//   per access   the detector alone over the recorded traces of those runs:
//                nanoseconds per checked access (shm load/store/rmw) and per step
// Ratios are of figures measured in the same run; nothing is asserted
// (goal: on/off <= 1.5x per run).
#include <sched.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "bench.hpp"
#include "ipcrace/engine.hpp"
#include "ipcrace/strategy.hpp"
#include "ipcrace/rng.hpp"
#include "race/detector.hpp"

namespace ipcrace::cli {
namespace {

using clock_type = std::chrono::steady_clock;
double since(clock_type::time_point t0) { return std::chrono::duration<double>(clock_type::now() - t0).count(); }

bool is_access(OpKind k) { return k == OpKind::shm_load || k == OpKind::shm_store || k == OpKind::shm_rmw; }

struct Side {
  double seconds = 0;
  uint64_t runs = 0;
};

}  // namespace

int cmd_race_bench(bool quick) {
  const int cpu = sched_getcpu();
  const uint64_t rounds = quick ? 4 : 10, per_round = quick ? 25 : 100;
  std::printf("ipcrace bench --race (CPU %d; random, %llu runs per side per target and mode, in %llu rounds)\n\n", cpu,
              static_cast<unsigned long long>(rounds * per_round), static_cast<unsigned long long>(rounds));
  std::printf("%-22s %-9s %10s %10s %7s %12s %12s\n", "target", "actors", "off runs/s", "on runs/s", "on/off",
              "ns/access", "ns/step");
  double worst = 0;
  for (const TargetInfo& t : all_targets()) {
    if (t.family != "shm") continue;
    for (ActorMode mode : {ActorMode::processes, ActorMode::threads}) {
      RunConfig on_cfg, off_cfg;
      on_cfg.mode = off_cfg.mode = mode;
      on_cfg.cpu = off_cfg.cpu = cpu;
      on_cfg.race = true;
      off_cfg.race = false;
      Engine on(t, {}, on_cfg), off(t, {}, off_cfg);
      StrategyOptions so;
      so.name = "random";
      so.seed = 1;
      auto st = make_strategy(so);
      Side s_on, s_off;
      std::vector<std::vector<Step>> traces;
      int actors = 0;
      for (uint64_t r = 0; r < rounds; ++r)
        for (Engine* e : {&off, &on}) {
          Side& side = e == &on ? s_on : s_off;
          const auto t0 = clock_type::now();
          for (uint64_t k = 0; k < per_round; ++k) {
            const uint64_t index = r * per_round + k;  // the same schedules on both sides
            st->new_run(index);
            RunResult res = e->run(*st, run_seed(1, index));
            if (e == &off && traces.size() < 200) {
              for (const Step& s : res.trace) actors = std::max(actors, int(s.actor) + 1);
              traces.push_back(std::move(res.trace));
            }
          }
          side.seconds += since(t0);
          side.runs += per_round;
        }
      // The detector alone, over the recorded traces, repeated to a measurable time.
      uint64_t accesses = 0, steps = 0, reps = 0;
      const auto t0 = clock_type::now();
      do {
        for (const auto& tr : traces) {
          auto races = race::detect_races(tr, actors);
          steps += tr.size();
          for (const Step& s : tr) accesses += is_access(s.op.kind);
          (void)races;
        }
        ++reps;
      } while (since(t0) < (quick ? 0.05 : 0.2));
      const double det = since(t0);
      const double r_off = double(s_off.runs) / s_off.seconds, r_on = double(s_on.runs) / s_on.seconds;
      worst = std::max(worst, r_off / r_on);
      std::printf("%-22s %-9s %10.0f %10.0f %6.2fx %12.1f %12.1f\n", t.name.c_str(), actor_mode_name(mode), r_off, r_on,
                  r_off / r_on, accesses ? det * 1e9 / double(accesses) : 0.0, steps ? det * 1e9 / double(steps) : 0.0);
    }
  }
  std::printf("\nworst on/off ratio (time per run, race on over off): %.2fx (goal <= 1.5x)\n", worst);
  return 0;
}

}  // namespace ipcrace::cli
