// Determinism: the same target, strategy and seed give an identical trace
// 200 times in a row, in process mode and in thread mode.
#include <gtest/gtest.h>

#include "support/support.hpp"

namespace ipcrace {
namespace {

struct Case {
  const char* target;
  const char* strategy;
  ActorMode mode;
};

class Determinism : public ::testing::TestWithParam<Case> {};

TEST_P(Determinism, SameSeedSameTrace200Times) {
  const Case c = GetParam();
  RunConfig cfg;
  cfg.mode = c.mode;
  cfg.cpu = test::test_cpu();
  Engine engine(test::target(c.target), {}, cfg);
  StrategyOptions so;
  so.name = c.strategy;
  so.seed = 7;
  so.pct_steps_hint = 12;
  // Several run indices, each re-run 200 times from a fresh strategy.
  for (uint64_t index : {0u, 5u, 17u}) {
    uint64_t first_hash = 0;
    size_t first_len = 0;
    for (int rep = 0; rep < 200; ++rep) {
      auto st = make_strategy(so);
      ASSERT_TRUE(st->new_run(index));
      RunResult r = engine.run(*st, run_seed(so.seed, index));
      ASSERT_FALSE(r.trace.empty());
      if (rep == 0) {
        first_hash = r.trace_hash();
        first_len = r.trace.size();
      } else {
        ASSERT_EQ(r.trace_hash(), first_hash) << "run " << index << " repetition " << rep << " diverged ("
                                              << r.trace.size() << " vs " << first_len << " steps)";
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Modes, Determinism,
    ::testing::Values(Case{"shm.counter.racy", "pct", ActorMode::processes},
                      Case{"shm.counter.racy", "pct", ActorMode::threads},
                      Case{"shm.counter.mutex", "random", ActorMode::processes},
                      Case{"shm.counter.mutex", "random", ActorMode::threads},
                      Case{"sync.lock_order.racy", "pos", ActorMode::processes},
                      Case{"sync.lock_order.racy", "pos", ActorMode::threads}),
    [](const auto& info) {
      std::string n = std::string(info.param.target) + "_" + info.param.strategy + "_" +
                      actor_mode_name(info.param.mode);
      for (char& ch : n)
        if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
      return n;
    });

// Different seeds explore different interleavings (the strategy is not stuck).
TEST(Determinism, DifferentSeedsDiffer) {
  std::set<uint64_t> hashes;
  RunConfig cfg;
  cfg.cpu = test::test_cpu();
  Engine engine(test::target("shm.counter.racy"), {}, cfg);
  for (uint64_t seed = 1; seed <= 30; ++seed) {
    StrategyOptions so;
    so.name = "random";
    so.seed = seed;
    auto st = make_strategy(so);
    st->new_run(0);
    hashes.insert(engine.run(*st, run_seed(seed, 0)).trace_hash());
  }
  EXPECT_GT(hashes.size(), 5u);
}

}  // namespace
}  // namespace ipcrace
