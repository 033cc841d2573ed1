// Helpers of the minimisation tests.
#pragma once
#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>

#include "ipcrace/minimize.hpp"
#include "support/support.hpp"

namespace ipcrace::mintest {

// race: race detection on (then a data-race target's finding is the race,
// which needs no preemption); off: the oracle's finding.
inline Schedule pct_finding(const TargetInfo& t, uint64_t seed, bool race = true) {
  test::Quick q;
  q.race = race;
  q.strategy = "pct";
  q.seed = seed;
  q.runs = uint64_t(std::max(t.budget_runs, 1000));
  q.stop_at_first = true;
  CampaignResult r = test::campaign(t.name, q);
  if (!r.first) throw std::runtime_error(t.name + ": pct found nothing within " + std::to_string(q.runs) + " runs");
  return *r.first;
}

inline MinimizeOptions quick_options() {
  MinimizeOptions o;
  o.max_runs = 300;
  o.max_seconds = 20;
  o.cpu = test::test_cpu();
  return o;
}

inline void expect_reproduces(const Schedule& s, int times) {
  RunConfig cfg = replay_config(s);
  cfg.cpu = test::test_cpu();
  Engine e(test::target(s.target), s.params, cfg);
  for (int i = 0; i < times; ++i) {
    auto st = make_replay_strategy(s);
    st->new_run(0);
    RunResult r = e.run(*st, s.run_seed);
    ASSERT_FALSE(r.diverged) << s.target << " replay " << i << ": " << r.divergence << "\n" << format_schedule(s);
    ASSERT_EQ(r.kind, s.finding) << s.target << " replay " << i << ": " << r.message << "\n" << format_schedule(s);
  }
}

}  // namespace ipcrace::mintest
