// One rapidcheck property per registered target, in-tree or added with
// IPCRACE_EXTRA_DIRS, registered at start-up (no edit here when a target is
// added). A case generates a workload (each parameter drawn from the target's
// ranges: actors 2-4 where the target allows, ops, sizes, ...), a strategy and
// its seed, then runs a campaign in real processes:
//   racy target          the harness finds its bug within budget_runs (pct),
//   synchronised target  no oracle fails in IPCRACE_PROPERTY_RUNS runs.
// A failure prints rapidcheck's RC_PARAMS="reproduce=..." and either the
// `ipcrace replay` command of the finding's saved schedule (synchronised) or
// the `ipcrace run` command of the campaign that found nothing (racy).
// Environment: IPCRACE_PROPERTY_CASES (cases per target, default 4, unless
// RC_PARAMS sets max_success), IPCRACE_PROPERTY_RUNS (runs per case of a
// synchronised target, default 100), IPCRACE_PROPERTY_OUT (schedule folder, default property-findings/).
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <unistd.h>

#include <cstdlib>
#include <stdexcept>

#include "ipcrace/campaign.hpp"
#include "support/support.hpp"

namespace ipcrace::test {
namespace {

std::string out_dir() {
  const char* v = std::getenv("IPCRACE_PROPERTY_OUT");
  return v && *v ? v : "property-findings";  // in ctest's working directory (the build tree)
}

std::string injected_env() {
  const char* v = std::getenv("IPCRACE_INJECT");
  return v && *v ? std::string("IPCRACE_INJECT=") + v + " " : "";
}

std::string param_flags(const Params& p) {
  std::string s;
  for (const auto& [k, v] : p.all()) s += " --param " + k + "=" + std::to_string(v);
  return s;
}

// The property of target t, for one generated case.
void target_property(const TargetInfo& t) {
  Params p;
  for (const auto& [k, def] : t.defaults.all()) {
    const auto [lo, hi] = property_range(t, k);
    p.set(k, hi > lo ? *rc::gen::inRange<int64_t>(lo, hi + 1).as(k) : def);
  }
  const bool racy = t.expect() == Expect::finding;
  CampaignOptions o;
  o.overrides = p;
  o.strategy.name = racy ? "pct" : *rc::gen::element<std::string>("pct", "random", "pos").as("strategy");
  o.strategy.seed = *rc::gen::inRange<uint64_t>(1, uint64_t(1) << 31).as("strategy seed");
  o.run.cpu = test_cpu();
  o.runs = racy ? uint64_t(t.budget_runs) : uint64_t(env_int("IPCRACE_PROPERTY_RUNS", 100));
  o.stop_at_first = true;
  o.out_dir = out_dir();
  o.max_saved = 1;
  CampaignResult r;
  try {
    r = run_campaign(t, o);
  } catch (const std::invalid_argument& e) {
    RC_DISCARD(std::string("workload rejected by the target: ") + e.what());
  }
  const std::string flags = param_flags(p) + " --strategy " + o.strategy.name + " --seed " +
                            std::to_string(o.strategy.seed) + " --runs " + std::to_string(o.runs);
  if (racy && r.findings == 0)
    RC_FAIL(t.name + ": the race was not found within " + std::to_string(o.runs) + " runs\n  rerun: " +
            injected_env() + "ipcrace run " + t.name + flags);
  if (!racy && r.findings > 0) {
    const std::string file = r.schedule_files.empty() ? std::string("(not saved)") : r.schedule_files.front();
    RC_FAIL(t.name + ": " + finding_kind_name(r.first->finding) + ": " + r.first->message + "\n  replay: " +
            injected_env() + "ipcrace replay " + file + "\n  campaign: " + injected_env() + "ipcrace run " + t.name +
            flags);
  }
}

class TargetProperty : public testing::Test {
 public:
  explicit TargetProperty(const TargetInfo* t) : t_(t) {}
  void TestBody() override {
    const TargetInfo* t = t_;
    rc_check([t] { target_property(*t); }, 4);
  }

 private:
  const TargetInfo* t_;
};

std::string between(const std::string& s, const std::string& from, const std::string& to) {
  const size_t a = s.find(from);
  if (a == std::string::npos) return {};
  const size_t b = s.find(to, a + from.size());
  return s.substr(a + from.size(), b == std::string::npos ? std::string::npos : b - a - from.size());
}

// A failing property (the synchronised counter with its lock removed by
// IPCRACE_INJECT=no-lock) prints a reproduce string and a replay command; the
// reproduce string run again fails in the same way, with the same
// counterexample, and the replay command reproduces the finding.
TEST(ReproduceString, RunAgainFailsTheSameWay) {
  char dir[] = "/tmp/ipcrace-repro-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  struct RemoveDir {
    const char* d;
    ~RemoveDir() { std::system((std::string("rm -rf ") + d).c_str()); }
  } remove_dir{dir};
  const std::string self = "/proc/" + std::to_string(getpid()) + "/exe";
  const std::string env = std::string("IPCRACE_INJECT=no-lock IPCRACE_PROPERTY_OUT=") + dir + " ";
  const std::string filter = " --gtest_filter=TargetProperty.shm.counter.mutex";
  char exe[4096];
  const ssize_t n = readlink(self.c_str(), exe, sizeof exe - 1);
  ASSERT_GT(n, 0);
  exe[n] = 0;
  const Cmd first = run_shell(env + exe + filter);
  ASSERT_NE(first.code, 0) << "the property did not fail with the lock removed:\n" << first.out;
  const std::string all = first.out + first.err;
  const std::string repro = between(all, "RC_PARAMS=\"reproduce=", "\"");
  ASSERT_FALSE(repro.empty()) << all;
  // Without its lock the counter's first finding is the data race (race detection is on).
  const std::string failure = between(all, "shm.counter.mutex: race: ", "\n");
  ASSERT_NE(failure.find("data race on counter"), std::string::npos) << all;
  const std::string counterexample = between(all, "Falsifiable after", "RC_FAIL");
  const std::string example = counterexample.substr(counterexample.find('\n'));  // drop the case/shrink counts
  const std::string replay = between(all, "\n  replay: ", "\n");
  ASSERT_NE(replay.find("ipcrace replay " + std::string(dir)), std::string::npos) << all;

  const Cmd again = run_shell(env + "RC_PARAMS=\"reproduce=" + repro + "\" " + exe + filter);
  const std::string all2 = again.out + again.err;
  EXPECT_NE(again.code, 0) << all2;
  EXPECT_EQ(between(all2, "shm.counter.mutex: race: ", "\n"), failure) << all2;
  const std::string counterexample2 = between(all2, "Falsifiable after", "RC_FAIL");
  EXPECT_EQ(counterexample2.substr(counterexample2.find('\n')), example) << all2;

  // The printed replay command: IPCRACE_INJECT=no-lock ipcrace replay FILE.
  const std::string bin_cmd = replay.substr(0, replay.find("ipcrace replay")) + ipcrace_bin() +
                              replay.substr(replay.find("ipcrace replay") + std::string("ipcrace").size());
  const Cmd rep = run_shell(bin_cmd);
  EXPECT_EQ(rep.code, 10) << bin_cmd << "\n" << rep.out << rep.err;
  EXPECT_NE(rep.out.find("reproduced race: data race on counter"), std::string::npos) << rep.out;
}

}  // namespace
}  // namespace ipcrace::test

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  for (const ipcrace::TargetInfo& t : ipcrace::all_targets()) {
    if (t.family == "test") continue;  // the harness's own fixtures (crash, hang, ...)
    const ipcrace::TargetInfo* tp = &t;
    testing::RegisterTest("TargetProperty", t.name.c_str(), nullptr, nullptr, __FILE__, __LINE__,
                          [tp]() -> testing::Test* { return new ipcrace::test::TargetProperty(tp); });
  }
  return RUN_ALL_TESTS();
}
