// The tests every mechanism family shares (tests/mechanisms/<family>_test.cpp):
// each racy target is found by pct within its budget for seeds 1..10 in
// processes and 1..3 in threads, with the finding its bug class predicts;
// each synchronised target stays clean under random, pct, pos and a bounded
// dfs in both modes; the family's lists cover every target it registers;
// racy findings replay in both modes; no run leaves anything behind.
#pragma once
#include <gtest/gtest.h>

#include "support/support.hpp"

// At namespace scope, after `const ipcrace::test::Family kFamily = {...};`.
#define IPCRACE_FAMILY_TESTS(Suite, kFamily)                                                                        \
  class Suite##Racy : public testing::TestWithParam<RacyCase> {};                                                   \
  class Suite##Synchronised : public testing::TestWithParam<std::string> {};                                        \
  TEST_P(Suite##Racy, PctFindsItWithinBudgetInProcesses) { expect_found(GetParam(), ActorMode::processes, 10); }    \
  TEST_P(Suite##Racy, PctFindsItWithinBudgetInThreads) { expect_found(GetParam(), ActorMode::threads, 3); }         \
  TEST_P(Suite##Synchronised, CleanInProcesses) {                                                                   \
    expect_clean(GetParam(), ActorMode::processes, 300, {}, kFamily.dfs_runs_processes);                            \
  }                                                                                                                 \
  TEST_P(Suite##Synchronised, CleanInThreads) {                                                                     \
    expect_clean(GetParam(), ActorMode::threads, 100, {}, kFamily.dfs_runs_threads);                                \
  }                                                                                                                 \
  INSTANTIATE_TEST_SUITE_P(Suite, Suite##Racy, testing::ValuesIn(kFamily.racy),                                     \
                           [](const testing::TestParamInfo<RacyCase>& i) { return test_name(i.param.name); });    \
  INSTANTIATE_TEST_SUITE_P(Suite, Suite##Synchronised, testing::ValuesIn(kFamily.synchronised),                     \
                           [](const testing::TestParamInfo<std::string>& i) { return test_name(i.param); });      \
  TEST(Suite, TargetsAreRegisteredWithTheirFamily) { expect_family_registered(kFamily); }                           \
  TEST(Suite, RacyFindingsReplayInBothModes) { expect_findings_replay(kFamily); }
