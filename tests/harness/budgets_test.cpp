// Known outcomes at full budget (label heavy: the default preset runs them,
// the sanitizer presets do not): the racy counter is found by pct within
// 1,000 runs for 20 seeds; the mutex counter survives 5,000 runs of each
// strategy.
#include <gtest/gtest.h>

#include "support/support.hpp"

namespace ipcrace {
namespace {

TEST(KnownOutcomes, RacyCounterFoundByPctWithin1000RunsFor20Seeds) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    test::Quick q;
    q.strategy = "pct";
    q.seed = seed;
    q.runs = 1000;
    q.stop_at_first = true;
    q.race = false;  // pct's budget for the oracle's lost update (the race is found in run 1)
    auto r = test::campaign("shm.counter.racy", q);
    ASSERT_EQ(r.findings, 1u) << "seed " << seed << " found nothing in " << r.runs << " runs";
    EXPECT_EQ(r.first->finding, FindingKind::assertion);
    EXPECT_NE(r.first->message.find("lost update"), std::string::npos);
  }
}

class MutexSurvives : public ::testing::TestWithParam<const char*> {};
TEST_P(MutexSurvives, FiveThousandRuns) {
  test::Quick q;
  q.strategy = GetParam();
  q.runs = 5000;
  q.seed = 3;
  auto r = test::campaign("shm.counter.mutex", q);
  EXPECT_EQ(r.findings, 0u) << (r.first ? r.first->message : "");
  EXPECT_EQ(r.runs, 5000u);
}
INSTANTIATE_TEST_SUITE_P(Strategies, MutexSurvives, ::testing::Values("random", "pct", "pos"));

}  // namespace
}  // namespace ipcrace
