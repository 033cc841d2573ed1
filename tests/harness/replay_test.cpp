// Replay round trip: every finding found by random and pct replays to the same
// finding 100 out of 100 times; an edited schedule never passes silently.
#include <gtest/gtest.h>

#include <filesystem>

#include "support/support.hpp"

namespace ipcrace {
namespace {

std::vector<Schedule> findings_of(const std::string& target, const std::string& strategy, ActorMode mode) {
  // Collect up to 5 distinct finding schedules over a few seeds.
  std::vector<Schedule> out;
  RunConfig cfg;
  cfg.mode = mode;
  cfg.cpu = test::test_cpu();
  Engine engine(test::target(target), {}, cfg);
  for (uint64_t seed = 1; seed <= 20 && out.size() < 5; ++seed) {
    StrategyOptions so;
    so.name = strategy;
    so.seed = seed;
    so.pct_steps_hint = probe_steps(engine);
    auto st = make_strategy(so);
    for (uint64_t i = 0; i < 200; ++i) {
      st->new_run(i);
      RunResult r = engine.run(*st, run_seed(seed, i));
      if (r.found()) {
        out.push_back(schedule_from_run(target, engine.params(), mode, strategy, seed, i, run_seed(seed, i), r));
        break;
      }
    }
  }
  return out;
}

struct Case {
  const char* target;
  const char* strategy;
  ActorMode mode;
};
class ReplayRoundTrip : public ::testing::TestWithParam<Case> {};

TEST_P(ReplayRoundTrip, EveryFindingReplays100Of100) {
  const Case c = GetParam();
  auto found = findings_of(c.target, c.strategy, c.mode);
  ASSERT_FALSE(found.empty()) << "no finding to replay";
  for (const auto& s : found) {
    // Through the file format, as a user would.
    std::string err;
    auto parsed = parse_schedule(format_schedule(s), &err);
    ASSERT_TRUE(parsed) << err;
    for (int i = 0; i < 100; ++i) {
      RunResult r = test::replay(*parsed, c.mode);
      ASSERT_FALSE(r.diverged) << r.divergence;
      ASSERT_EQ(r.kind, s.finding) << "replay " << i;
      ASSERT_EQ(r.message, s.message) << "replay " << i;
      ASSERT_EQ(r.trace.size(), s.steps.size());
    }
  }
  EXPECT_TRUE(test::leftovers().empty());
}

INSTANTIATE_TEST_SUITE_P(Strategies, ReplayRoundTrip,
                         ::testing::Values(Case{"shm.counter.racy", "random", ActorMode::processes},
                                           Case{"shm.counter.racy", "pct", ActorMode::processes},
                                           Case{"shm.counter.racy", "pct", ActorMode::threads},
                                           Case{"sync.lock_order.racy", "random", ActorMode::processes},
                                           Case{"sync.lock_order.racy", "pct", ActorMode::processes},
                                           Case{"sync.lock_order.racy", "random", ActorMode::threads}),
                         [](const auto& info) {
                           return std::string(info.param.strategy) + "_" +
                                  (std::string(info.param.target).find("counter") != std::string::npos ? "counter"
                                                                                                       : "lockorder") +
                                  "_" + actor_mode_name(info.param.mode);
                         });

Schedule a_counter_finding() {
  auto found = findings_of("shm.counter.racy", "pct", ActorMode::processes);
  if (found.empty()) throw std::runtime_error("no finding");
  return found[0];
}

// Hand edits: swap a decision to another actor, change an op, cut the file
// short, or claim another outcome. None of them may pass silently.
TEST(ReplayEdited, DifferentDecisionIsDivergenceOrDifferentOutcome) {
  Schedule s = a_counter_finding();
  int edits = 0;
  for (size_t i = 0; i < s.steps.size(); ++i) {
    Schedule e = s;
    e.steps[i].actor = 1 - e.steps[i].actor;
    RunResult r = test::replay(e, ActorMode::processes);
    EXPECT_TRUE(r.diverged || r.kind != s.finding || r.message != s.message)
        << "editing step " << i << " passed silently";
    ++edits;
  }
  EXPECT_GT(edits, 3);
}

TEST(ReplayEdited, ChangedOpNamesTheStep) {
  Schedule s = a_counter_finding();
  s.steps[2].label = "counter.bogus";
  RunResult r = test::replay(s, ActorMode::processes);
  ASSERT_TRUE(r.diverged);
  EXPECT_NE(r.divergence.find("step 2"), std::string::npos) << r.divergence;
  EXPECT_NE(r.divergence.find("counter.bogus"), std::string::npos) << r.divergence;
}

TEST(ReplayEdited, TruncatedAndExtendedScheduleDiverge) {
  Schedule s = a_counter_finding();
  Schedule shorter = s;
  shorter.steps.pop_back();
  EXPECT_TRUE(test::replay(shorter, ActorMode::processes).diverged);
  Schedule longer = s;
  longer.steps.push_back(s.steps.back());
  RunResult r = test::replay(longer, ActorMode::processes);
  EXPECT_TRUE(r.diverged);
  EXPECT_NE(r.divergence.find("ended"), std::string::npos) << r.divergence;
}

TEST(ReplayFiles, SavedAtomicallyNamedByContentHash) {
  Schedule s = a_counter_finding();
  auto dir = std::filesystem::temp_directory_path() / ("ipcrace-test-sched-" + std::to_string(getpid()));
  std::string p1 = save_schedule(s, dir.string());
  std::string p2 = save_schedule(s, dir.string());
  EXPECT_EQ(p1, p2);  // same content, same name
  EXPECT_NE(p1.find("shm.counter.racy-"), std::string::npos);
  int files = 0;
  for (auto& e : std::filesystem::directory_iterator(dir)) {
    ++files;
    EXPECT_EQ(e.path().extension(), ".schedule") << e.path();  // no temp file left
  }
  EXPECT_EQ(files, 1);
  std::string err;
  auto loaded = load_schedule(p1, &err);
  ASSERT_TRUE(loaded) << err;
  EXPECT_EQ(loaded->steps, s.steps);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ipcrace
