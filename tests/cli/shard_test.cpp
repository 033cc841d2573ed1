// Past one machine: --shard I/N runs, `ipcrace merge` combines. N shards
// together are the unsharded campaign, run for run; a merge with a shard
// missing, failed or given twice says so and fails.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "ipcrace/exit_codes.hpp"
#include "support/support.hpp"

namespace ipcrace {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

fs::path scratch(const std::string& name) {
  auto p = fs::temp_directory_path() / ("ipcrace-test-shard-" + std::to_string(getpid()) + "-" + name);
  fs::remove_all(p);
  fs::create_directories(p);
  return p;
}

const std::vector<std::string> kTargets = {"shm.counter.racy", "shm.once.racy", "pipe.large_write.racy",
                                           "shm.counter.mutex"};

std::string quoted_targets() {
  std::string s;
  for (const auto& t : kTargets) s += " " + t;
  return s;
}

// What must agree between the merged shards and the unsharded campaign.
json essence(const json& merged) {
  json out = json::array();
  for (const auto& t : merged["targets"]) {
    json races = json::array();  // one per pair of access sites: its first run, how many showed it
    if (t.contains("races"))
      for (const auto& r : t["races"]) races.push_back({r["pair"], r["first_run"], r["runs"], r["message"]});
    out.push_back({t["target"], t["verdict"], t["verdict_ok"], t["runs"], t["findings"], t["first_finding_run"],
                   t["findings_by_kind"], t.contains("minimized") ? t["minimized"]["steps"] : json(), races});
  }
  json sigs = json::array();
  for (const auto& f : merged["findings"]) sigs.push_back(f["signature"]);
  std::sort(sigs.begin(), sigs.end());
  return {out, sigs};
}

json load(const fs::path& p) {
  std::ifstream in(p);
  return json::parse(in);
}

// Run the campaign as N shards at once (background processes), then merge.
json sharded(const fs::path& dir, int n, const std::string& extra) {
  std::string cmd = "cd " + dir.string() + " || exit 99; ";
  for (int i = 0; i < n; ++i)
    cmd += test::ipcrace_bin() + " run" + quoted_targets() + " --runs 42 --seed 5 -q --cpu -1 " + extra + " --shard " +
           std::to_string(i) + "/" + std::to_string(n) + " --results results/ --out f" + std::to_string(i) +
           " >/dev/null 2>&1 & ";
  cmd += "wait; " + test::ipcrace_bin() + " merge results/*.json -o merged.json --out fm --junit m.xml --sarif m.sarif";
  auto r = test::run_shell(cmd);
  EXPECT_EQ(r.code, kExitFinding) << r.out << r.err;
  return load(dir / "merged.json");
}

TEST(Shards, MergedShardsEqualTheUnshardedCampaignRunForRun) {
  auto base = scratch("base");
  auto r = test::run_shell("cd " + base.string() + " && " + test::ipcrace_bin() + " run" + quoted_targets() +
                           " --runs 42 --seed 5 -q --cpu -1 --results one.json --out f; " + test::ipcrace_bin() +
                           " merge one.json -o merged.json --out fm");
  ASSERT_EQ(r.code, kExitFinding) << r.out << r.err;
  const json want = essence(load(base / "merged.json"));
  // Sanity: the campaign has findings and a clean target, so equality means something.
  ASSERT_EQ(want[0].size(), kTargets.size());
  EXPECT_GT(want[0][0][4].get<int>(), 0);
  EXPECT_EQ(want[0][3][4].get<int>(), 0);
  // The race findings come through the merge: the unsharded run's own list.
  auto direct = test::run_shell("cd " + base.string() + " && " + test::ipcrace_bin() +
                                " run shm.counter.racy --runs 42 --seed 5 -q --cpu -1 --json --out g");
  const json own = json::parse(direct.out)["targets"][0]["races"];
  ASSERT_FALSE(own.empty()) << direct.out;
  ASSERT_EQ(want[0][0][8].size(), own.size());
  for (size_t i = 0; i < own.size(); ++i) {
    EXPECT_EQ(want[0][0][8][i][0], own[i]["pair"]);
    EXPECT_EQ(want[0][0][8][i][1], own[i]["first_run"]);
    EXPECT_EQ(want[0][0][8][i][2], own[i]["runs"]);
  }
  for (int n : {1, 2, 3, 7}) {
    auto dir = scratch("n" + std::to_string(n));
    json got = sharded(dir, n, "");
    EXPECT_EQ(essence(got), want) << n << " shards";
    EXPECT_EQ(got["shards_merged"], n);
    EXPECT_TRUE(got["problems"].empty());
    EXPECT_TRUE(fs::exists(dir / "m.xml"));
    EXPECT_TRUE(fs::exists(dir / "m.sarif"));
    fs::remove_all(dir);
  }
  // Shards and --jobs compose: 2 shards of 2 workers each.
  auto dir = scratch("jobs");
  EXPECT_EQ(essence(sharded(dir, 2, "--jobs 2")), want);
  fs::remove_all(dir);
  fs::remove_all(base);
}

TEST(Shards, AMissingFailedOrRepeatedShardIsNamedAndFailsTheMerge) {
  auto dir = scratch("honest");
  for (int i = 0; i < 3; ++i) {
    auto r = test::run_cmd({"run", "shm.counter.racy", "--runs", "9", "-q", "--shard", std::to_string(i) + "/3",
                            "--results", (dir / ("s" + std::to_string(i) + ".json")).string(), "--out",
                            (dir / "f").string()});
    ASSERT_EQ(r.code, kExitFinding) << r.err;
  }
  auto missing = test::run_cmd({"merge", (dir / "s0.json").string(), (dir / "s2.json").string()});
  EXPECT_EQ(missing.code, kExitIncompleteMerge);
  EXPECT_NE(missing.err.find("shard 1/3 is missing"), std::string::npos) << missing.err;

  auto twice = test::run_cmd({"merge", (dir / "s0.json").string(), (dir / "s1.json").string(),
                              (dir / "s1.json").string(), (dir / "s2.json").string()});
  EXPECT_EQ(twice.code, kExitBadInput);
  EXPECT_NE(twice.err.find("shard 1/3 given twice"), std::string::npos) << twice.err;

  json failed = load(dir / "s1.json");
  failed["status"] = "failed";
  failed["error"] = "fork: Resource temporarily unavailable";
  std::ofstream(dir / "s1-failed.json") << failed.dump();
  auto bad = test::run_cmd({"merge", (dir / "s0.json").string(), (dir / "s1-failed.json").string(),
                            (dir / "s2.json").string()});
  EXPECT_EQ(bad.code, kExitIncompleteMerge);
  EXPECT_NE(bad.err.find("shard 1/3"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("failed: fork"), std::string::npos) << bad.err;

  // Another campaign (another seed) is not a shard of this one.
  auto other = test::run_cmd({"run", "shm.counter.racy", "--runs", "9", "--seed", "2", "-q", "--shard", "1/3",
                              "--results", (dir / "other.json").string(), "--out", (dir / "f").string()});
  ASSERT_EQ(other.code, kExitFinding);
  auto mixed = test::run_cmd({"merge", (dir / "s0.json").string(), (dir / "other.json").string(),
                              (dir / "s2.json").string()});
  EXPECT_EQ(mixed.code, kExitBadInput);
  EXPECT_NE(mixed.err.find("another campaign"), std::string::npos) << mixed.err;
  EXPECT_NE(mixed.err.find("differ: seed"), std::string::npos) << mixed.err;

  // Shards with other fault settings (issue 12) are other campaigns too, and
  // the result records them.
  EXPECT_EQ(load(dir / "s0.json")["campaign"]["faults"], "target");
  EXPECT_EQ(load(dir / "s0.json")["campaign"]["fault_budget"], 1);
  for (const std::vector<std::string>& flags :
       {std::vector<std::string>{"--faults", "short,eintr"}, std::vector<std::string>{"--fault-budget", "2"}}) {
    std::vector<std::string> args = {"run", "shm.counter.racy", "--runs", "9", "-q", "--shard", "1/3", "--results",
                                     (dir / "faulted.json").string(), "--out", (dir / "f").string()};
    args.insert(args.end(), flags.begin(), flags.end());
    auto faulted = test::run_cmd(args);
    ASSERT_EQ(faulted.code, kExitFinding) << faulted.err;
    EXPECT_EQ(load(dir / "faulted.json")["campaign"][flags[0] == "--faults" ? "faults" : "fault_budget"],
              flags[0] == "--faults" ? json("short,eintr") : json(2));
    auto m = test::run_cmd({"merge", (dir / "s0.json").string(), (dir / "faulted.json").string(),
                            (dir / "s2.json").string()});
    EXPECT_EQ(m.code, kExitBadInput) << m.err;
    EXPECT_NE(m.err.find(flags[0] == "--faults" ? "differ: faults" : "differ: fault_budget"), std::string::npos)
        << m.err;
  }

  auto all = test::run_cmd({"merge", (dir / "s0.json").string(), (dir / "s1.json").string(), (dir / "s2.json").string()});
  EXPECT_EQ(all.code, kExitFinding) << all.err;
  fs::remove_all(dir);
}

TEST(Shards, TheIndexComesFromTheFlagOrTheEnvironment) {
  auto dir = scratch("env");
  auto k8s = test::run_shell("cd " + dir.string() + " && JOB_COMPLETION_INDEX=2 " + test::ipcrace_bin() +
                             " run shm.counter.mutex --runs 12 -q --shard auto/4 --results r/");
  EXPECT_EQ(k8s.code, kExitOk) << k8s.err;
  EXPECT_TRUE(fs::exists(dir / "r" / "shard-2-of-4.json"));
  auto matrix = test::run_shell("cd " + dir.string() + " && IPCRACE_SHARD_INDEX=1 IPCRACE_SHARD_COUNT=4 " +
                                test::ipcrace_bin() + " run shm.counter.mutex --runs 12 -q --shards-from-env --results r/");
  EXPECT_EQ(matrix.code, kExitOk) << matrix.err;
  json m = load(dir / "r" / "shard-1-of-4.json");
  EXPECT_EQ(m["shard"]["index"], 1);
  EXPECT_EQ(m["targets"][0]["runs"], 3);  // global indices 1, 5, 9 of 0..11
  for (const char* bad : {"4/4", "1", "x/2", "1/0", "-1/3"}) {
    auto r = test::run_cmd({"run", "shm.counter.mutex", "--runs", "4", "-q", "--shard", bad});
    EXPECT_EQ(r.code, kExitUsage) << bad << ": " << r.err;
  }
  auto no_env = test::run_shell("env -u JOB_COMPLETION_INDEX -u IPCRACE_SHARD_INDEX " + test::ipcrace_bin() +
                                " run shm.counter.mutex --runs 4 -q --shard auto/2");
  EXPECT_EQ(no_env.code, kExitUsage) << no_env.err;
  fs::remove_all(dir);
}

TEST(Shards, AShardedGateMergesToTheUnshardedVerdict) {
  auto dir = scratch("gate");
  std::string cmd = "cd " + dir.string() + " || exit 99; ";
  for (int i = 0; i < 3; ++i)
    cmd += test::ipcrace_bin() + " gate shm.counter.racy shm.counter.mutex --seeds 3 --clean-runs 30 -q --cpu -1 --shard " +
           std::to_string(i) + "/3 --results r/ >/dev/null 2>&1 & ";
  cmd += "wait; " + test::ipcrace_bin() + " merge r/*.json -o merged.json --json";
  auto r = test::run_shell(cmd);
  ASSERT_EQ(r.code, kExitOk) << r.out << r.err;
  auto one = test::run_cmd({"gate", "shm.counter.racy", "shm.counter.mutex", "--seeds", "3", "--clean-runs", "30",
                            "--json", "-q"});
  ASSERT_EQ(one.code, kExitOk) << one.err;
  json m = load(dir / "merged.json"), u = json::parse(one.out);
  EXPECT_EQ(m["pass"], true);
  ASSERT_EQ(m["targets"].size(), u["targets"].size());
  for (size_t i = 0; i < u["targets"].size(); ++i) {
    EXPECT_EQ(m["targets"][i]["pass"], u["targets"][i]["pass"]);
    if (u["targets"][i].contains("runs_to_find"))
      EXPECT_EQ(m["targets"][i]["runs_to_find"], u["targets"][i]["runs_to_find"]);
  }
  fs::remove_all(dir);
}

// explore shards split the schedule tree: every schedule of the bounded space
// is explored by exactly one shard, so findings and explored schedules add up.
TEST(Shards, ExploreShardsSplitTheScheduleTree) {
  auto explored = [](const json& t) {
    int n = 0;
    std::string s = t["exploration"]["summary"];
    std::regex re("(\\d+) schedules explored");
    for (std::sregex_iterator it(s.begin(), s.end(), re), end; it != end; ++it) n += std::stoi((*it)[1]);
    return n;
  };
  for (const char* target : {"shm.counter.racy", "sync.condvar.lost_wakeup", "shm.counter.mutex"}) {
    auto dir = scratch("explore");
    auto one = test::run_cmd({"explore", target, "--preemptions", "2", "-q", "--json", "--out", (dir / "f").string()});
    ASSERT_TRUE(one.code == kExitOk || one.code == kExitFinding) << one.err;
    json u = json::parse(one.out);
    ASSERT_TRUE(u["exploration"]["complete"].get<bool>());
    for (int n : {2, 3, 5}) {
      for (int i = 0; i < n; ++i) {
        auto r = test::run_cmd({"explore", target, "--preemptions", "2", "-q", "--shard",
                                std::to_string(i) + "/" + std::to_string(n), "--results",
                                (dir / ("n" + std::to_string(n)) / "").string() + "/", "--out", (dir / "f").string()});
        ASSERT_TRUE(r.code == kExitOk || r.code == kExitFinding) << r.err;
      }
      std::vector<std::string> args = {"merge", "--json", "--out", (dir / "fm").string()};
      for (int i = 0; i < n; ++i)
        args.push_back((dir / ("n" + std::to_string(n)) / ("shard-" + std::to_string(i) + "-of-" + std::to_string(n) + ".json")).string());
      auto m = test::run_cmd(args);
      ASSERT_EQ(m.code, u["findings"].get<int>() ? kExitFinding : kExitOk) << m.err;
      json t = json::parse(m.out)["targets"][0];
      EXPECT_EQ(t["findings"], u["findings"]) << target << " in " << n << " shards";
      EXPECT_EQ(explored(t), explored(u)) << target << " in " << n << " shards";
      EXPECT_TRUE(t["exploration"]["complete"].get<bool>());
    }
    fs::remove_all(dir);
  }
}

}  // namespace
}  // namespace ipcrace
