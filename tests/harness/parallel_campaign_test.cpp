// Parallel campaigns (--jobs): worker processes, merged in run-index order, so
// a run budget gives the same result for any number of jobs.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "ipcrace/campaign.hpp"
#include "ipcrace/parallel_campaign.hpp"
#include "ipcrace/portfolio.hpp"
#include "support/support.hpp"

namespace ipcrace::test {
namespace {

namespace fs = std::filesystem;

CampaignOptions options(uint64_t runs, uint64_t seed, bool stop_at_first, const std::string& out) {
  CampaignOptions o;
  o.strategy.name = "pct";
  o.strategy.seed = seed;
  o.run.cpu = test_cpu();
  o.runs = runs;
  o.stop_at_first = stop_at_first;
  o.out_dir = out;
  return o;
}

std::vector<std::string> names(const std::vector<std::string>& files) {
  std::vector<std::string> out;
  for (const auto& f : files) out.push_back(fs::path(f).filename().string());
  return out;
}

void expect_same(const CampaignResult& a, const CampaignResult& b) {
  EXPECT_EQ(a.runs, b.runs) << a.target;
  EXPECT_EQ(a.findings, b.findings) << a.target;
  EXPECT_EQ(a.first_finding_run, b.first_finding_run) << a.target;
  EXPECT_EQ(a.finding_runs, b.finding_runs) << a.target;
  EXPECT_EQ(a.by_kind, b.by_kind) << a.target;
  EXPECT_EQ(names(a.schedule_files), names(b.schedule_files)) << a.target;
  ASSERT_EQ(a.first.has_value(), b.first.has_value());
  if (a.first) EXPECT_EQ(a.first->steps, b.first->steps);
}

TEST(ParallelCampaign, OneTwoAndThreeJobsGiveTheSameResult) {
  auto before = leftovers();
  for (const char* name : {"shm.counter.racy", "shm.counter.mutex", "pipe.large_write.racy"}) {
    std::vector<CampaignResult> rs;
    std::vector<fs::path> dirs;
    for (int jobs : {1, 2, 3}) {
      fs::path d = fs::temp_directory_path() / ("ipcrace-test-par-" + std::to_string(getpid()) + "-" + std::to_string(jobs));
      fs::remove_all(d);
      dirs.push_back(d);
      rs.push_back(run_campaign_jobs(target(name), options(60, 9, false, d.string()), jobs));
    }
    EXPECT_EQ(rs[0].runs, 60u);
    if (std::string(name).find("racy") != std::string::npos) EXPECT_GT(rs[0].findings, 0u) << name;
    else EXPECT_EQ(rs[0].findings, 0u) << name;
    expect_same(rs[0], rs[1]);
    expect_same(rs[0], rs[2]);
    for (const auto& d : dirs) fs::remove_all(d);
  }
  EXPECT_EQ(leftovers(), before);
}

// auto reallocates between epochs (runs 0-8, 8-16, 16-32, 32-64, 64-...) from
// the merged coverage of earlier epochs only: every run's result, the weights
// of the last epoch and the saved schedules are the same for 1, 2 and 3 jobs.
TEST(ParallelCampaign, AutoGivesTheSamePerRunResultsForAnyJobs) {
  auto before = leftovers();
  for (const char* name : {"shm.counter.racy", "sync.semaphore.missed_post"}) {
    std::vector<CampaignResult> rs;
    for (int jobs : {1, 2, 3}) {
      CampaignOptions o = options(70, 5, false, "");
      o.strategy.name = "auto";
      o.strategy.auto_adapt = true;
      o.run.race = false;  // the oracle's findings: with race detection every run of the racy counter finds
      rs.push_back(run_campaign_jobs(target(name), o, jobs));
    }
    EXPECT_EQ(rs[0].runs, 70u);
    EXPECT_GT(rs[0].findings, 0u) << name;
    EXPECT_LT(rs[0].findings, 70u) << name << ": every run found; the per-run comparison says little";
    EXPECT_NE(rs[0].strategy_summary.find("auto: weights"), std::string::npos) << rs[0].strategy_summary;
    for (int k : {1, 2}) {
      expect_same(rs[0], rs[size_t(k)]);
      EXPECT_EQ(rs[0].strategy_summary, rs[size_t(k)].strategy_summary) << name;
    }
  }
  EXPECT_EQ(leftovers(), before);
}

// auto's pct member chooses its depth (the probe's adaptive phase, 20 runs)
// only when its first run comes: a bug surw, random or pos finds first costs
// no depth runs. The depth is the same pure function of the target as pct's
// own, and the results equal the eager probe's (--jobs 2 probes up front).
TEST(ParallelCampaign, AutoChoosesPctsDepthAtPctsFirstRun) {
  StrategyOptions so;
  so.name = "auto";
  so.probe.runs = 4;
  const auto& m = auto_members();
  const int pct = int(std::find(m.begin(), m.end(), "pct") - m.begin());
  int due = 0;
  for (uint64_t i = 0; i < 8; ++i) {
    EXPECT_EQ(depth_due(so, i), auto_member(i, auto_warmup_weights()) == pct) << i;
    due += depth_due(so, i);
  }
  EXPECT_EQ(due, 2);
  so.probe.depth = 3;
  for (uint64_t i = 0; i < 8; ++i) EXPECT_FALSE(depth_due(so, i));
  so.probe.depth = 0;
  so.pct_depth = 2;  // --depth given: nothing to choose
  for (uint64_t i = 0; i < 8; ++i) EXPECT_FALSE(depth_due(so, i));

  auto depth_of = [](const std::string& summary) {
    const size_t at = summary.find("pct: d=");
    return at == std::string::npos ? std::string() : summary.substr(at + 7, summary.find(',', at) - at - 7);
  };
  CampaignOptions o = options(8, 3, false, "");
  o.strategy.name = "auto";
  auto lazy = run_campaign_jobs(target("shm.counter.mutex"), o, 1);
  auto eager = run_campaign_jobs(target("shm.counter.mutex"), o, 2);
  expect_same(lazy, eager);
  EXPECT_EQ(lazy.strategy_summary, eager.strategy_summary);
  auto alone = run_campaign_jobs(target("shm.counter.mutex"), options(8, 3, false, ""), 1);
  EXPECT_NE(depth_of(lazy.strategy_summary).find("(adaptive)"), std::string::npos) << lazy.strategy_summary;
  EXPECT_EQ(depth_of(lazy.strategy_summary), depth_of(alone.strategy_summary)) << alone.strategy_summary;

  o.runs = 3;  // surw, random, pos: pct's depth never chosen, and the same runs as with it
  auto before = run_campaign_jobs(target("shm.counter.mutex"), o, 1);
  EXPECT_EQ(depth_of(before.strategy_summary), "not chosen (no pct run)") << before.strategy_summary;
  expect_same(before, run_campaign_jobs(target("shm.counter.mutex"), o, 2));
}

TEST(ParallelCampaign, StopAtFirstCountsTheSameRuns) {
  for (uint64_t seed : {1, 2, 3, 4}) {
    auto one = run_campaign_jobs(target("shm.counter.racy"), options(500, seed, true, ""), 1);
    auto two = run_campaign_jobs(target("shm.counter.racy"), options(500, seed, true, ""), 2);
    ASSERT_EQ(one.findings, 1u);
    EXPECT_EQ(one.runs, uint64_t(one.first_finding_run + 1));
    expect_same(one, two);
  }
}

TEST(ParallelCampaign, DfsRunsInOneProcessAndStaysComplete) {
  CampaignOptions o = options(100000, 1, false, "");
  o.strategy.name = "dfs";
  o.strategy.preemption_bound = 1;
  o.overrides.set("ops", 1);
  auto one = run_campaign_jobs(target("shm.counter.mutex"), o, 1);
  auto two = run_campaign_jobs(target("shm.counter.mutex"), o, 2);
  EXPECT_TRUE(one.exhausted);
  EXPECT_TRUE(two.exhausted);
  EXPECT_EQ(one.runs, two.runs);
}

TEST(ParallelCampaign, WorkerErrorsReachTheCaller) {
  CampaignOptions o = options(10, 1, false, "");
  o.overrides.set("actors", 99);
  EXPECT_ANY_THROW(run_campaign_jobs(target("shm.counter.racy"), o, 2));
}

}  // namespace
}  // namespace ipcrace::test
