// Issue 13, item 13: a point label is any byte string, and schedule files
// give every byte back (escaped on write, unescaped on read), so a replay of
// a target whose labels have spaces, tabs, non-ASCII bytes or backslashes
// never diverges. Files written before escaping still read and replay.
#include <gtest/gtest.h>

#include <filesystem>

#include "ipcrace/schedule.hpp"
#include "support/support.hpp"

namespace ipcrace {
namespace {

TEST(ScheduleLabels, EscapeRoundTripsEveryByte) {
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(char(c));
  for (const std::string& raw : {all, std::string(), std::string("-"), std::string("a b\tc\\x41\\"),
                                 std::string("\xc3\xa9\xe2\x86\x92")}) {
    const std::string t = escape_label(raw);
    EXPECT_EQ(t.find_first_of(" \t\r\n"), std::string::npos) << t;
    auto back = unescape_label(t);
    ASSERT_TRUE(back) << t;
    EXPECT_EQ(*back, raw) << t;
  }
  EXPECT_FALSE(unescape_label("bad\\q"));
  EXPECT_FALSE(unescape_label("short\\x4"));
}

Schedule labels_finding() {
  test::Quick q;
  q.strategy = "pct";
  q.runs = 200;
  q.stop_at_first = true;
  q.race = false;
  CampaignResult r = test::campaign("test.labels", q);
  if (!r.first) throw std::runtime_error("test.labels: no lost update in 200 pct runs");
  return *r.first;
}

TEST(ScheduleLabels, ReplayOfOddLabelsThroughAFileNeverDiverges) {
  const Schedule found = labels_finding();
  const auto dir = std::filesystem::temp_directory_path() / ("ipcrace-labels-test." + std::to_string(getpid()));
  const std::string path = save_schedule(found, dir.string());
  std::string err;
  auto loaded = load_schedule(path, &err);
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(loaded) << err;
  EXPECT_FALSE(loaded->cleaned_labels);
  ASSERT_EQ(loaded->steps.size(), found.steps.size());
  bool odd = false;
  for (size_t i = 0; i < found.steps.size(); ++i) {
    EXPECT_EQ(loaded->steps[i].label, found.steps[i].label) << "step " << i;
    odd |= found.steps[i].label.find_first_of(" \t\\\xc3") != std::string::npos;
  }
  EXPECT_TRUE(odd) << "the schedule has no label with a space, tab, backslash or non-ASCII byte";
  EXPECT_EQ(loaded->resources, found.resources);
  for (ActorMode mode : {ActorMode::processes, ActorMode::threads}) {
    RunResult r = test::replay(*loaded, mode);
    EXPECT_FALSE(r.diverged) << actor_mode_name(mode) << ": " << r.divergence;
    if (mode == ActorMode::threads && test::kTsan && r.kind == FindingKind::tsan) continue;  // TSan saw the lost update first
    EXPECT_EQ(r.kind, found.finding) << r.message;
  }
}

// A file from before escaping: whitespace in labels was written as '_', and
// no 'labels escaped' line. It still parses, and replays (labels compared
// the way they were written).
TEST(ScheduleLabels, OlderFilesStillReadAndReplay) {
  const Schedule found = labels_finding();
  std::string text = "ipcrace-schedule 2\n";
  text += "target " + found.target + "\nmode processes\nrace off\nrun-seed " + std::to_string(found.run_seed) +
          "\nfinding " + finding_kind_name(found.finding) + "\n";
  for (size_t i = 0; i < found.resources.size(); ++i)
    text += "resource " + std::to_string(i) + " " + legacy_clean_label(found.resources[i]) + "\n";
  for (const auto& st : found.steps)
    text += "step " + std::to_string(st.actor) + " " + op_kind_name(st.kind) + " " + std::to_string(st.resource) + " " +
            legacy_clean_label(st.label) + "\n";
  text += "end\n";
  std::string err;
  auto old = parse_schedule(text, &err);
  ASSERT_TRUE(old) << err;
  EXPECT_TRUE(old->cleaned_labels);
  EXPECT_EQ(old->steps[0].label, legacy_clean_label(found.steps[0].label));
  RunResult r = test::replay(*old, ActorMode::processes);
  EXPECT_FALSE(r.diverged) << r.divergence;
  EXPECT_EQ(r.kind, found.finding) << r.message;
}

TEST(ScheduleLabels, BadEscapeIsALineError) {
  std::string err;
  EXPECT_FALSE(parse_schedule("ipcrace-schedule 2\ntarget t\nlabels escaped\nstep 0 yield 0 a\\qb\nend\n", &err));
  EXPECT_NE(err.find("line 4"), std::string::npos) << err;
  EXPECT_FALSE(parse_schedule("ipcrace-schedule 2\ntarget t\nstep 0 yield 0 a\nlabels escaped\nend\n", &err));
  EXPECT_NE(err.find("line 4"), std::string::npos) << err;
}

}  // namespace
}  // namespace ipcrace
