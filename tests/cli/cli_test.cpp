// The ipcrace command: JSON shapes, exit codes, bad input.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "ipcrace/exit_codes.hpp"
#include "support/support.hpp"

namespace ipcrace {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

int lines(const std::string& s) { return int(std::count(s.begin(), s.end(), '\n')); }

fs::path scratch(const std::string& name) {
  auto p = fs::temp_directory_path() / ("ipcrace-test-cli-" + std::to_string(getpid()) + "-" + name);
  fs::remove_all(p);
  fs::create_directories(p);
  return p;
}

TEST(Cli, ListJsonHasTheDocumentedFields) {
  auto r = test::run_cmd({"list", "--json"});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  json j = json::parse(r.out);
  ASSERT_TRUE(j.is_array());
  ASSERT_GE(j.size(), 4u);
  for (const auto& t : j) {
    for (const char* k : {"name", "family", "variant", "bug_class", "expect"}) EXPECT_TRUE(t.contains(k)) << k;
    EXPECT_TRUE(t["variant"] == "racy" || t["variant"] == "synchronised");
    EXPECT_EQ(t["expect"], t["variant"] == "racy" ? "finding" : "clean");
    // Every parameter has the range the property tests draw it from, around its default.
    for (const auto& [k, v] : t["params"].items()) {
      ASSERT_TRUE(t["ranges"].contains(k)) << t["name"] << " " << k;
      EXPECT_LE(t["ranges"][k][0].get<int64_t>(), t["ranges"][k][1].get<int64_t>()) << t["name"] << " " << k;
    }
    if (t["name"] == "shm.counter.racy") {
      EXPECT_EQ(t["model"], "counter");
      EXPECT_EQ(t["ranges"]["actors"], json::array({2, 4}));
    }
  }
}

TEST(Cli, RunJsonAndReplayOfItsScheduleFile) {
  auto out = scratch("run");
  auto r = test::run_cmd({"run", "shm.counter.racy", "shm.counter.mutex", "--runs", "300", "--seed", "5", "--json",
                          "--race", "off", "--out", out.string()});
  ASSERT_EQ(r.code, kExitFinding) << r.err;
  json j = json::parse(r.out);
  ASSERT_EQ(j["targets"].size(), 2u);
  const json& racy = j["targets"][0];
  EXPECT_EQ(racy["target"], "shm.counter.racy");
  EXPECT_EQ(racy["runs"], 300);
  EXPECT_GT(racy["findings"].get<int>(), 0);
  EXPECT_GE(racy["first_finding_run"].get<int>(), 0);
  ASSERT_FALSE(racy["schedule_files"].empty());
  EXPECT_EQ(j["targets"][1]["findings"], 0);
  std::string file = racy["schedule_files"][0];
  EXPECT_EQ(fs::path(file).parent_path(), out);
  auto rep = test::run_cmd({"replay", file});
  EXPECT_EQ(rep.code, kExitFinding) << rep.out << rep.err;
  EXPECT_NE(rep.out.find("reproduced assertion"), std::string::npos) << rep.out;
  fs::remove_all(out);
}

// The strategy comparison table: one column per strategy with found/seeds,
// median and max runs to the first finding, the free-run baseline, and below
// it the geometric means and how auto compares with the best single strategy.
TEST(Cli, VerdictsTablePerStrategy) {
  auto r = test::run_cmd({"verdicts", "--seeds", "3", "--cap", "50", "--strategies", "auto,surw,random",
                          "shm.counter.racy", "shm.counter.mutex"});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_NE(r.out.find("| auto: found, median, max runs | surw: found, median, max runs | random: found, median, max runs |"),
            std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| shm.counter.racy | shm | racy | lost update | finding | 3/3, "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| shm.counter.mutex | shm | synchronised | lost update | clean | - | - | - | - |"),
            std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Geometric mean over the 1 racy targets"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("auto's median is within 1.5x"), std::string::npos) << r.out;
  auto bad = test::run_cmd({"verdicts", "--strategies", "dfs", "shm.counter.racy"});
  EXPECT_EQ(bad.code, kExitUsage) << bad.out << bad.err;
}

TEST(Cli, FindingPrintsTheExactReplayCommand) {
  auto out = scratch("print");
  auto r = test::run_cmd({"run", "shm.counter.racy", "--runs", "50", "-q", "--out", out.string()});
  ASSERT_EQ(r.code, kExitFinding);
  auto at = r.out.find("replay: ipcrace replay ");
  ASSERT_NE(at, std::string::npos) << r.out;
  std::string file = r.out.substr(at + 23, r.out.find('\n', at) - at - 23);
  EXPECT_TRUE(fs::exists(file)) << file;
  fs::remove_all(out);
}

TEST(Cli, EditedScheduleReportsDivergenceWithExitCode) {
  auto out = scratch("edit");
  auto r = test::run_cmd({"run", "shm.counter.racy", "--runs", "50", "--json", "--race", "off", "--out", out.string()});
  std::string file = json::parse(r.out)["targets"][0]["schedule_files"][0];
  std::ifstream in(file);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  auto at = text.find("counter.store");
  text.replace(at, 13, "counter.stxre");
  std::ofstream(file) << text;
  auto rep = test::run_cmd({"replay", file});
  EXPECT_EQ(rep.code, kExitDivergence) << rep.out << rep.err;
  EXPECT_NE(rep.out.find("divergence: step"), std::string::npos) << rep.out;
  fs::remove_all(out);
}

TEST(CliBadInput, MalformedScheduleFile) {
  auto dir = scratch("bad");
  std::ofstream(dir / "bad.schedule") << "ipcrace-schedule 1\ntarget shm.counter.racy\nstep 0 warp 0 x\nend\n";
  auto r = test::run_cmd({"replay", (dir / "bad.schedule").string()});
  EXPECT_EQ(r.code, kExitBadInput);
  EXPECT_EQ(lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("line 3: unknown op kind 'warp'"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());
  auto missing = test::run_cmd({"replay", (dir / "missing.schedule").string()});
  EXPECT_EQ(missing.code, kExitBadInput);
  EXPECT_EQ(lines(missing.err), 1) << missing.err;
  fs::remove_all(dir);
}

TEST(CliBadInput, UnknownTarget) {
  auto r = test::run_cmd({"run", "no.such.target", "--runs", "1"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_EQ(lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("unknown target 'no.such.target'"), std::string::npos) << r.err;
}

TEST(CliBadInput, BadFlagAndBadValues) {
  for (std::vector<std::string> args : {std::vector<std::string>{"run", "--all", "--bogus"},
                                        {"run", "shm.counter.racy", "--strategy", "sideways"},
                                        {"run", "shm.counter.racy", "--actors", "fibers"},
                                        {"run", "shm.counter.racy", "--runs", "many"},
                                        {"run", "shm.counter.racy", "--param", "ops=x"},
                                        {"run", "shm.counter.racy", "--param", "colour=3"},
                                        {"run", "shm.counter.racy", "--param", "actors=99"},
                                        {"frobnicate"}}) {
    auto r = test::run_cmd(args);
    EXPECT_EQ(r.code, kExitUsage) << args.back() << ": " << r.err;
    EXPECT_EQ(lines(r.err), 1) << args.back() << ": " << r.err;
    EXPECT_EQ(r.err.rfind("ipcrace: error: ", 0), 0u) << r.err;
  }
}

TEST(Cli, ExitCodesAvoidTakenRanges) {
  for (int c : {kExitOk, kExitFinding, kExitGateMismatch, kExitUsage, kExitBadInput, kExitDivergence, kExitInternal}) {
    EXPECT_NE(c, 66);
    EXPECT_NE(c, 70);
    EXPECT_NE(c, 77);
    EXPECT_FALSE(c >= 100 && c <= 127);
  }
}

TEST(Cli, ExploreReportsTheBoundedSpace) {
  auto r = test::run_cmd({"explore", "shm.counter.mutex", "--preemptions", "2", "--param", "ops=1"});
  EXPECT_EQ(r.code, kExitOk) << r.err;
  EXPECT_NE(r.out.find("complete"), std::string::npos) << r.out;
  auto out = scratch("exp");
  auto racy = test::run_cmd({"explore", "shm.counter.racy", "--preemptions", "1", "--out", out.string()});
  EXPECT_EQ(racy.code, kExitFinding);
  EXPECT_NE(racy.out.find("schedules explored"), std::string::npos) << racy.out;
  fs::remove_all(out);
}

}  // namespace
}  // namespace ipcrace
