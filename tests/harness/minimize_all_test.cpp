// Minimisation over every racy target (heavy): a minimised schedule keeps the finding kind, replays strictly
// 100 out of 100 times, and has no more preemptions than the original; the
// shared counter's lost update needs exactly one preemption.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "harness/minimize_helpers.hpp"

namespace ipcrace {
namespace {

using namespace mintest;

// Every racy target: find under pct, minimise, replay the result 100 times.
class MinimizeAll : public ::testing::TestWithParam<std::string> {};

std::vector<std::string> racy_targets() {
  std::vector<std::string> out;
  for (const auto& t : all_targets())
    if (t.variant == Variant::racy && t.family != "test") out.push_back(t.name);
  return out;
}

TEST_P(MinimizeAll, ReproducesWithNoMorePreemptions) {
  const TargetInfo& t = test::target(GetParam());
  Schedule orig = pct_finding(t, 1);
  MinimizeResult m = minimize_schedule(orig, quick_options());
  EXPECT_EQ(m.schedule.finding, orig.finding);
  EXPECT_LE(m.after.preemptions, m.before.preemptions);
  std::printf("minimize %s %s: steps %zu -> %zu, preemptions %d -> %d, params %s -> %s, %d runs, %.1f s\n",
              t.name.c_str(), finding_kind_name(orig.finding), m.before.steps, m.after.steps, m.before.preemptions,
              m.after.preemptions, m.before.params.str().c_str(), m.after.params.str().c_str(), m.runs, m.seconds);
  expect_reproduces(m.schedule, 100);
  // The lost update needs one preemption; its data race none (race detection is on).
  if (t.name == "shm.counter.racy") EXPECT_EQ(m.after.preemptions, orig.finding == FindingKind::race ? 0 : 1);
}

INSTANTIATE_TEST_SUITE_P(Racy, MinimizeAll, ::testing::ValuesIn(racy_targets()), [](const auto& info) {
  std::string n = info.param;
  for (char& c : n)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return n;
});

}  // namespace
}  // namespace ipcrace
