// The happens-before race detector (harness/src/race/): one run is enough on
// every data-race target, no report on any synchronised or message-passing
// target, the edge cases, the report, replay and the schedule key.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "ipcrace/minimize.hpp"
#include "ipcrace/parallel_campaign.hpp"
#include "ipcrace/rng.hpp"
#include "ipcrace/schedule.hpp"
#include "support/support.hpp"

namespace ipcrace {
namespace {

// Every in-tree target whose bug is a data race on shared memory
// (TargetInfo::data_race, the default for a racy target).
const std::vector<std::string> kDataRaceTargets = {
    "mqueue.ring.racy", "rpc.kv.racy", "shm.counter.racy", "shm.once.racy", "shm.record.racy", "sync.tas_lock.racy",
};
// Racy targets whose bug is not a data race but that do race on plain
// memory on some schedules (a flag read outside its lock): their races are
// real and reported; the gate still expects their oracle finding.
const std::set<std::string> kRacesOnSomeSchedules = {"sync.condvar.lost_wakeup", "sync.condvar.unlocked_signal",
                                                     "sync.semaphore.missed_post"};
// Families this test does not cover yet: exec programs (family program: their
// races are checked by programs_test's gate) and faults (decided by faults).
bool covered(const TargetInfo& t) { return t.family != "test" && t.family != "program" && t.family != "faults"; }

struct Runner {
  Runner(const std::string& name, ActorMode mode, bool race = true) {
    RunConfig cfg;
    cfg.mode = mode;
    cfg.cpu = test::test_cpu();
    cfg.race = race;
    engine = std::make_unique<Engine>(test::target(name), Params{}, cfg);
  }
  // Run `index` of a campaign of `strategy` with `seed`.
  RunResult run(const std::string& strategy, uint64_t seed, uint64_t index = 0) {
    StrategyOptions so;
    so.name = strategy;
    so.seed = seed;
    if (strategy == "pct") so.pct_steps_hint = 40;
    auto st = make_strategy(so);
    st->new_run(index);
    return engine->run(*st, run_seed(seed, index));
  }
  // The serial schedule: fuzz-bytes without bytes never preempts (every actor
  // runs until it blocks or ends).
  RunResult serial() { return run("fuzz-bytes", 0); }
  std::unique_ptr<Engine> engine;
};

std::vector<std::string> racy_without_data_race() {
  std::vector<std::string> out;
  for (const auto& t : all_targets())
    if (covered(t) && t.variant == Variant::racy && !t.data_race && !kRacesOnSomeSchedules.count(t.name))
      out.push_back(t.name);
  return out;
}

std::vector<std::string> synchronised_targets() {
  std::vector<std::string> out;
  for (const auto& t : all_targets())
    if (covered(t) && t.variant == Variant::synchronised) out.push_back(t.name);
  return out;
}

std::string first_race(const RunResult& r) {
  return r.races.empty() ? "" : race_site_pair(r.races[0]) + ": " + r.message;
}

TEST(RaceTargets, TheListIsEveryRacyTargetDeclaringADataRace) {
  std::vector<std::string> declared;
  for (const auto& t : all_targets())
    if (covered(t) && t.variant == Variant::racy && t.data_race) declared.push_back(t.name);
  EXPECT_EQ(declared, kDataRaceTargets);
  for (const auto& n : kRacesOnSomeSchedules) EXPECT_FALSE(test::target(n).data_race) << n;
}

// ---- one run is enough ------------------------------------------------------

class OneRun : public ::testing::TestWithParam<std::tuple<std::string, ActorMode>> {};

TEST_P(OneRun, SerialAndHundredRandomSeedsReportTheRace) {
  const auto& [name, mode] = GetParam();
  Runner race(name, mode), plain(name, mode, /*race=*/false);
  int runs = 0, reported = 0, oracle = 0;
  auto one = [&](const RunResult& r, const RunResult& without) {
    ++runs;
    reported += r.kind == FindingKind::race && !r.races.empty();
    oracle += without.found();
    EXPECT_TRUE(r.race_checked);
    if (r.races.empty()) std::printf("  no race in run %d: %s\n", runs, r.message.c_str());
  };
  one(race.serial(), plain.serial());
  for (uint64_t seed = 1; seed <= 100; ++seed) one(race.run("random", seed), plain.run("random", seed));
  std::printf("%s (%s): race in %d of %d runs; the oracle alone fails %d of them\n", name.c_str(),
              actor_mode_name(mode), reported, runs, oracle);
  EXPECT_GE(reported * 100, runs * 99) << name;
  EXPECT_EQ(test::leftovers(), std::set<std::string>{});
}

INSTANTIATE_TEST_SUITE_P(DataRaceTargets, OneRun,
                         ::testing::Combine(::testing::ValuesIn(kDataRaceTargets),
                                            ::testing::Values(ActorMode::processes, ActorMode::threads)),
                         [](const auto& info) {
                           return test::test_name(std::get<0>(info.param)) + "_" +
                                  actor_mode_name(std::get<1>(info.param));
                         });

// ---- no false reports -------------------------------------------------------

// IPCRACE_RACE_CLEAN_RUNS runs (default 25; label soak: 10,000) per strategy
// and mode; not one may report a race.
void expect_no_race(const std::string& name) {
  const uint64_t runs = uint64_t(test::env_int("IPCRACE_RACE_CLEAN_RUNS", 25));
  for (ActorMode mode : {ActorMode::processes, ActorMode::threads}) {
    Runner r(name, mode);
    for (const char* strategy : {"random", "pct", "pos"}) {
      uint64_t raced = 0;
      std::string first;
      for (uint64_t i = 0; i < runs; ++i) {
        const RunResult res = r.run(strategy, 7, i);
        if (!res.races.empty()) {
          if (!raced) first = first_race(res);
          ++raced;
        }
      }
      EXPECT_EQ(raced, 0u) << name << " " << strategy << " " << actor_mode_name(mode) << " over " << runs
                           << " runs; first: " << first;
    }
  }
  EXPECT_EQ(test::leftovers(), std::set<std::string>{});
}

class RaceClean : public ::testing::TestWithParam<std::string> {};
TEST_P(RaceClean, NoRaceOnAnySchedule) { expect_no_race(GetParam()); }
INSTANTIATE_TEST_SUITE_P(Synchronised, RaceClean, ::testing::ValuesIn(synchronised_targets()),
                         [](const auto& info) { return test::test_name(info.param); });
INSTANTIATE_TEST_SUITE_P(MessagePassing, RaceClean, ::testing::ValuesIn(racy_without_data_race()),
                         [](const auto& info) { return test::test_name(info.param); });

// ---- edge cases (tests/support/race_targets.cpp) ----------------------------

// Reported in the serial run and in every one of 50 random runs.
void expect_race_every_run(const std::string& name, const std::string& pair) {
  for (ActorMode mode : {ActorMode::processes, ActorMode::threads}) {
    Runner r(name, mode);
    RunResult s = r.serial();
    ASSERT_EQ(s.kind, FindingKind::race) << name << ": " << s.message;
    EXPECT_EQ(race_site_pair(s.races[0]), pair) << s.message;
    for (uint64_t seed = 1; seed <= 50; ++seed) EXPECT_EQ(r.run("random", seed).kind, FindingKind::race) << name;
  }
}

TEST(RaceEdge, WrongMutexHidesNothing) {
  expect_race_every_run("test.race.wrong_mutex", "shm_load:data.load | shm_store:data.store");
}

TEST(RaceEdge, RelaxedPublicationRaces) {
  expect_race_every_run("test.race.publish_relaxed", "shm_load:data.load | shm_store:data.store");
}

TEST(RaceEdge, ReleaseAcquirePublicationAndAMessageOrderTheAccesses) {
  for (const char* name : {"test.race.publish_release", "test.race.message_orders"})
    for (ActorMode mode : {ActorMode::processes, ActorMode::threads}) {
      Runner r(name, mode);
      EXPECT_FALSE(r.serial().found()) << name;
      for (uint64_t seed = 1; seed <= 100; ++seed) {
        const RunResult res = r.run(seed % 2 ? "random" : "pct", seed);
        EXPECT_FALSE(res.found()) << name << ": " << res.message;
      }
    }
}

// A seqlock's reads that overlap a write are discarded by its sequence check,
// but with plain data words they are data races under the C++ memory model
// (and ThreadSanitizer reports them): reported exactly when a read overlaps
// a write. The in-tree seqlock (shm.record.seqlock) reads relaxed atomics and
// is clean (RaceClean above).
TEST(RaceEdge, SeqlockWithPlainWordsRacesWhenAReadOverlapsAWrite) {
  for (ActorMode mode : {ActorMode::processes, ActorMode::threads}) {
    Runner r("test.race.seqlock_plain", mode);
    EXPECT_FALSE(r.serial().found()) << "the writer finishes before the reader starts";
    int raced = 0;
    for (uint64_t seed = 1; seed <= 100; ++seed) {
      const RunResult res = r.run("random", seed);
      if (res.kind != FindingKind::race) {
        EXPECT_FALSE(res.found()) << res.message;  // never a torn snapshot kept
        continue;
      }
      ++raced;
      EXPECT_EQ(race_site_pair(res.races[0]), "shm_load:word.load | shm_store:word.store") << res.message;
    }
    EXPECT_GT(raced, 10);
    EXPECT_LT(raced, 100);
  }
}

// ---- the report, replay and minimisation -----------------------------------

TEST(RaceReport, NamesBothAccessesTheirValuesAndLastSync) {
  RunConfig cfg;
  cfg.cpu = test::test_cpu();
  Engine racy(test::target("shm.record.racy"), {}, cfg);
  StrategyOptions so;
  so.name = "fuzz-bytes";
  auto st = make_strategy(so);
  st->new_run(0);
  const RunResult res = racy.run(*st, 0);
  ASSERT_EQ(res.kind, FindingKind::race);
  ASSERT_FALSE(res.races.empty());
  const RaceReport& rep = res.races[0];
  EXPECT_NE(rep.first.actor, rep.second.actor);
  EXPECT_LT(rep.first.step, rep.second.step);
  EXPECT_TRUE(rep.first.is_write() || rep.second.is_write());
  EXPECT_TRUE(rep.first.has_value && rep.second.has_value);
  EXPECT_EQ(res.trace[size_t(rep.first.step)].actor, rep.first.actor);
  EXPECT_NE(res.message.find("data race on record.w0"), std::string::npos) << res.message;
  EXPECT_NE(res.message.find(", wrote "), std::string::npos) << res.message;
  EXPECT_NE(res.message.find(", read "), std::string::npos) << res.message;
  EXPECT_NE(res.message.find("last sync"), std::string::npos) << res.message;
  // With a lock, the last sync edge is named: the unlock the lock took its clock from.
  Runner wrong("test.race.wrong_mutex", ActorMode::processes);
  const RunResult w = wrong.serial();
  ASSERT_EQ(w.kind, FindingKind::race);
  EXPECT_GE(w.races[0].second.sync_step, 0);
  EXPECT_NE(w.message.find("actor 1 step 6 lock (start.lock) from actor 0 step 1 unlock (start.unlock)"),
            std::string::npos)
      << w.message;
}

TEST(RaceReport, OnePerPairOfSitesInARun) {
  Runner r("shm.counter.racy", ActorMode::processes);
  const RunResult res = r.run("random", 3);
  std::set<std::string> pairs;
  for (const auto& rep : res.races) EXPECT_TRUE(pairs.insert(race_site_pair(rep)).second) << race_site_pair(rep);
}

TEST(RaceReplay, ARaceScheduleReplaysAndMinimisesToARace) {
  for (ActorMode mode : {ActorMode::processes, ActorMode::threads}) {
    test::Quick q;
    q.mode = mode;
    q.stop_at_first = true;
    const CampaignResult c = test::campaign("shm.once.racy", q);
    ASSERT_TRUE(c.first.has_value());
    EXPECT_EQ(c.first->finding, FindingKind::race);
    EXPECT_TRUE(c.first->race);
    std::string err;
    auto parsed = parse_schedule(format_schedule(*c.first), &err);
    ASSERT_TRUE(parsed) << err;
    EXPECT_TRUE(parsed->race);
    const RunResult again = test::replay(*parsed, mode);
    EXPECT_FALSE(again.diverged) << again.divergence;
    EXPECT_EQ(again.kind, FindingKind::race);
    EXPECT_EQ(again.message, c.first->message);
    MinimizeOptions mo;
    mo.max_runs = 200;
    mo.cpu = test::test_cpu();
    const MinimizeResult m = minimize_schedule(*parsed, mo);
    EXPECT_EQ(m.schedule.finding, FindingKind::race);
    EXPECT_LE(m.schedule.steps.size(), parsed->steps.size());
    EXPECT_EQ(test::replay(m.schedule, mode).kind, FindingKind::race);
  }
  EXPECT_EQ(test::leftovers(), std::set<std::string>{});
}

// ---- campaign-level deduplication ------------------------------------------

constexpr const char* kManyPairs = "shm.counter.racy";  // load/store and store/store pairs

// One finding per unordered pair of access sites per campaign, with the first
// run that showed it and how many did: the same as the runs one by one say;
// the same with two workers; each pair's schedule replays to that pair and
// minimises to a schedule that still shows it.
TEST(RaceCampaign, OneFindingPerPairOfSitesWithItsFirstSchedule) {
  const uint64_t kRuns = 40;
  Runner one(kManyPairs, ActorMode::processes);
  std::map<std::string, std::pair<uint64_t, uint64_t>> want;  // pair -> (first run, runs)
  for (uint64_t i = 0; i < kRuns; ++i) {
    const RunResult r = one.run("random", 7, i);
    if (r.kind != FindingKind::race) continue;
    for (const auto& rep : r.races) {
      auto [it, fresh] = want.try_emplace(race_site_pair(rep), i, 0);
      ++it->second.second;
    }
  }
  ASSERT_GE(want.size(), 2u) << "the test needs a target with several racing pairs";
  test::Quick q;
  q.strategy = "random";
  q.seed = 7;
  q.runs = kRuns;
  const CampaignResult c = test::campaign(kManyPairs, q);
  CampaignOptions o;
  o.strategy.name = "random";
  o.strategy.seed = 7;
  o.runs = kRuns;
  o.run.cpu = test::test_cpu();
  const CampaignResult par = run_campaign_jobs(test::target(kManyPairs), o, 2);
  for (const CampaignResult* cr : {&c, &par}) {
    ASSERT_EQ(cr->race_findings.size(), want.size());
    for (size_t k = 0; k < cr->race_findings.size(); ++k) {
      const RaceFinding& f = cr->race_findings[k];
      ASSERT_TRUE(want.count(f.pair)) << f.pair;
      EXPECT_EQ(f.run, want[f.pair].first) << f.pair;
      EXPECT_EQ(f.runs, want[f.pair].second) << f.pair;
      EXPECT_EQ(f.schedule.run, f.run);
      EXPECT_EQ(f.schedule.race_pair, f.pair);
      EXPECT_EQ(f.schedule.finding, FindingKind::race);
      if (k) EXPECT_LE(cr->race_findings[k - 1].run, f.run);
    }
  }
  for (const RaceFinding& f : c.race_findings) {
    std::string err;
    auto parsed = parse_schedule(format_schedule(f.schedule), &err);
    ASSERT_TRUE(parsed) << err;
    EXPECT_EQ(parsed->race_pair, f.pair);
    const RunResult again = test::replay(*parsed, ActorMode::processes);
    EXPECT_FALSE(again.diverged) << again.divergence;
    ASSERT_EQ(again.kind, FindingKind::race);
    EXPECT_TRUE(std::any_of(again.races.begin(), again.races.end(),
                            [&](const RaceReport& r) { return race_site_pair(r) == f.pair; }))
        << f.pair << ": " << again.message;
    MinimizeOptions mo;
    mo.max_runs = 120;
    mo.cpu = test::test_cpu();
    const MinimizeResult m = minimize_schedule(*parsed, mo);
    EXPECT_EQ(m.schedule.race_pair, f.pair);
    EXPECT_LE(m.schedule.steps.size(), parsed->steps.size());
    EXPECT_NE(m.schedule.message.find("data race on"), std::string::npos) << m.schedule.message;
    const RunResult mr = test::replay(m.schedule, ActorMode::processes);
    ASSERT_EQ(mr.kind, FindingKind::race);
    EXPECT_TRUE(std::any_of(mr.races.begin(), mr.races.end(),
                            [&](const RaceReport& r) { return race_site_pair(r) == f.pair; }))
        << f.pair << " lost by the minimiser: " << mr.message;
  }
  EXPECT_EQ(test::leftovers(), std::set<std::string>{});
}

// A schedule about one pair does not reproduce when its pair is gone.
TEST(RaceCampaign, AMinimiserInputMustShowItsPair) {
  test::Quick q;
  q.strategy = "random";
  q.stop_at_first = true;
  const CampaignResult c = test::campaign(kManyPairs, q);
  ASSERT_FALSE(c.race_findings.empty());
  Schedule s = c.race_findings[0].schedule;
  s.race_pair = "shm_load:nowhere | shm_store:nowhere";
  EXPECT_THROW(minimize_schedule(s), std::runtime_error);
}

TEST(RaceSchedule, RaceOffIsRecordedAndAVersion1FileMeansOff) {
  test::Quick q;
  q.race = false;
  q.stop_at_first = true;
  const CampaignResult c = test::campaign("shm.counter.racy", q);
  ASSERT_TRUE(c.first.has_value());
  EXPECT_EQ(c.first->finding, FindingKind::assertion);
  EXPECT_FALSE(c.first->race);
  const std::string text = format_schedule(*c.first);
  EXPECT_NE(text.find("ipcrace-schedule 2\n"), std::string::npos);
  EXPECT_NE(text.find("\nrace off\n"), std::string::npos);
  std::string v1 = text;
  v1.replace(v1.find("ipcrace-schedule 2"), 18, "ipcrace-schedule 1");
  v1.erase(v1.find("race off\n"), 9);
  std::string err;
  auto parsed = parse_schedule(v1, &err);
  ASSERT_TRUE(parsed) << err;
  EXPECT_FALSE(parsed->race);
  const RunResult again = test::replay(*parsed, ActorMode::processes);
  EXPECT_EQ(again.kind, FindingKind::assertion) << again.message;
  EXPECT_FALSE(parse_schedule("ipcrace-schedule 2\ntarget x\nrace maybe\nend\n", &err));
  EXPECT_NE(err.find("on or off"), std::string::npos) << err;
}

}  // namespace
}  // namespace ipcrace
