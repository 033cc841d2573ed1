#include "support/support.hpp"

#include <dirent.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace ipcrace::test {

int test_cpu() {
  static const int cpu = [] {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0) return -1;
    int n = CPU_COUNT(&set);
    int pick = int(getpid()) % (n ? n : 1);
    for (int c = 0; c < CPU_SETSIZE; ++c)
      if (CPU_ISSET(c, &set) && pick-- == 0) return c;
    return -1;
  }();
  return cpu;
}

const TargetInfo& target(const std::string& name) {
  const TargetInfo* t = find_target(name);
  if (!t) throw std::runtime_error("no target " + name);
  return *t;
}

CampaignResult campaign(const std::string& name, const Quick& q) {
  CampaignOptions o;
  o.strategy.name = q.strategy;
  o.strategy.seed = q.seed;
  o.runs = q.runs;
  o.run.mode = q.mode;
  o.run.watchdog_ms = q.watchdog_ms;
  o.run.cpu = test_cpu();
  o.run.race = q.race;
  o.stop_at_first = q.stop_at_first;
  o.overrides = q.params;
  o.out_dir = q.out_dir;
  o.run.faults = q.faults;
  o.run.fault_budget = q.fault_budget;
  return run_campaign(target(name), o);
}

RunResult replay(const Schedule& s, ActorMode mode) {
  RunConfig cfg = replay_config(s);  // faults, race, step limit, watchdog as recorded
  cfg.mode = mode;
  cfg.cpu = test_cpu();
  Engine e(target(s.target), s.params, cfg);
  auto st = make_replay_strategy(s);
  st->new_run(0);
  return e.run(*st, s.run_seed);
}

static std::vector<std::string> list_dir(const std::string& dir) {
  std::vector<std::string> out;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) out.emplace_back(e->d_name);
    closedir(d);
  }
  return out;
}

bool mqueue_visible() {
  struct stat st;
  if (stat("/dev/mqueue", &st) != 0) {
    mkdir("/dev/mqueue", 01777);
  }
  // Mounted when it holds the mqueue fs: its files report size lines; simplest is
  // to check /proc/mounts.
  std::ifstream mounts("/proc/mounts");
  std::string line;
  while (std::getline(mounts, line))
    if (line.find(" /dev/mqueue mqueue ") != std::string::npos) return true;
  return mount("none", "/dev/mqueue", "mqueue", 0, nullptr) == 0;
}

std::set<std::string> leftovers() {
  std::set<std::string> out;
  const std::string me = std::to_string(getpid());
  for (const auto& pid : list_dir("/proc")) {
    if (pid.empty() || pid[0] < '0' || pid[0] > '9') continue;
    std::ifstream stat("/proc/" + pid + "/stat");
    std::string s;
    std::getline(stat, s);
    auto close = s.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(s.substr(close + 2));
    std::string state, ppid;
    rest >> state >> ppid;
    // The sanitizers' own symbolizer is a child of the test process, not an actor.
    if (ppid == me && s.find("(llvm-symbolizer)") == std::string::npos) out.insert("process " + pid + " (" + state + ")");
  }
  mqueue_visible();
  // Objects of this process's runs are named ipcrace.<pid>.*; other processes
  // (parallel tests) may legitimately hold theirs.
  const std::string ours = "ipcrace." + me + ".";
  for (const auto& n : list_dir("/dev/shm"))
    if (n.find(ours) != std::string::npos) out.insert("/dev/shm/" + n);
  for (const auto& n : list_dir("/dev/mqueue"))
    if (n.find(ours) != std::string::npos) out.insert("/dev/mqueue/" + n);
  const std::string root = socket_folder_root();
  for (const auto& n : list_dir(root))
    if (n.rfind("ipcrace." + me + ".", 0) == 0) {
      for (const auto& f : list_dir(root + "/" + n))
        if (f != "." && f != "..") out.insert(root + "/" + n + "/" + f);
    }
  return out;
}

std::string ipcrace_bin() {
  const char* b = std::getenv("IPCRACE_BIN");
  if (!b) throw std::runtime_error("IPCRACE_BIN is not set (run through ctest)");
  return b;
}

static std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Cmd run_shell(const std::string& command) {
  char out_t[] = "/tmp/ipcrace-test-outXXXXXX";
  char err_t[] = "/tmp/ipcrace-test-errXXXXXX";
  int o = mkstemp(out_t), e = mkstemp(err_t);
  close(o);
  close(e);
  const std::string cmd = command + " >" + out_t + " 2>" + err_t + " </dev/null";
  int status = std::system(cmd.c_str());
  Cmd r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(out_t);
  r.err = slurp(err_t);
  unlink(out_t);
  unlink(err_t);
  return r;
}

Cmd run_cmd(const std::vector<std::string>& args, const std::string& env) {
  std::string cmd = env + " " + ipcrace_bin();
  for (const auto& a : args) cmd += " '" + a + "'";
  return run_shell(cmd);
}

int64_t env_int(const char* name, int64_t fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtoll(v, nullptr, 10) : fallback;
}

void rc_check(const std::function<void()>& property, int cases) {
  const auto* info = testing::UnitTest::GetInstance()->current_test_info();
  rc::detail::TestMetadata md;
  md.id = std::string(info->test_suite_name()) + "/" + info->name();
  md.description = info->name();
  rc::detail::TestParams params = rc::detail::configuration().testParams;
  const char* rc_params = std::getenv("RC_PARAMS");
  if (!rc_params || !std::strstr(rc_params, "max_success"))
    params.maxSuccess = int(env_int("IPCRACE_PROPERTY_CASES", cases));
  const auto result = rc::detail::checkProperty(rc::detail::toProperty([&property] { property(); }), md, params);
  std::ostringstream ss;
  rc::detail::printResultMessage(result, ss);
  if (!result.template is<rc::detail::SuccessResult>()) {
    ADD_FAILURE() << ss.str();
    return;
  }
  std::printf("%s\n", ss.str().c_str());
}

#if defined(__SANITIZE_THREAD__)
const bool kTsan = true;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
const bool kTsan = true;
#else
const bool kTsan = false;
#endif
#else
const bool kTsan = false;
#endif

std::string test_name(std::string target) {
  for (char& c : target)
    if (c == '.') c = '_';
  return target;
}

std::string describe(const CampaignResult& r) {
  std::string s = r.target + " " + r.strategy + " seed " + std::to_string(r.seed) + " (" + actor_mode_name(r.mode) +
                  "): " + std::to_string(r.findings) + " finding(s) in " + std::to_string(r.runs) + " runs";
  if (r.first) s += "; first: " + std::string(finding_kind_name(r.first->finding)) + ": " + r.first->message;
  return s;
}

void expect_found(const RacyCase& c, ActorMode mode, int seeds) {
  const TargetInfo& t = target(c.name);
  ASSERT_EQ(t.variant, Variant::racy);
  ASSERT_LE(t.budget_runs, 1000);
  for (int s = 1; s <= seeds; ++s) {
    Quick q;
    q.strategy = "pct";
    q.seed = uint64_t(s);
    q.runs = uint64_t(t.budget_runs);
    q.mode = mode;
    q.stop_at_first = true;
    q.race = false;  // the oracle's finding (tests/harness/race_test.cpp checks the race)
    const CampaignResult r = campaign(c.name, q);
    ASSERT_GT(r.findings, 0u) << describe(r);
    ASSERT_TRUE(r.first.has_value());
    if (kTsan && mode == ActorMode::threads && r.first->finding == FindingKind::tsan) continue;
    if (c.kind != FindingKind::none) EXPECT_EQ(r.first->finding, c.kind) << describe(r);
    bool says = c.says.empty();
    for (const auto& w : c.says) says |= r.first->message.find(w) != std::string::npos;
    EXPECT_TRUE(says) << describe(r);
  }
  EXPECT_EQ(leftovers(), std::set<std::string>{});
}

void expect_family_registered(const Family& f) {
  for (const auto& c : f.racy) {
    EXPECT_EQ(target(c.name).family, f.name);
    EXPECT_EQ(target(c.name).variant, Variant::racy) << c.name;
  }
  for (const auto& n : f.synchronised) {
    EXPECT_EQ(target(n).family, f.name);
    EXPECT_EQ(target(n).variant, Variant::synchronised) << n;
    EXPECT_FALSE(target(n).sync.empty()) << n;
  }
  size_t registered = 0;
  for (const auto& t : all_targets()) registered += t.family == f.name;
  EXPECT_EQ(registered, f.racy.size() + f.synchronised.size()) << "a " << f.name << " target is not listed";
}

void expect_findings_replay(const Family& f) {
  for (const auto& c : f.racy)
    for (ActorMode mode : {ActorMode::processes, ActorMode::threads}) {
      Quick q;
      q.runs = uint64_t(target(c.name).budget_runs) * 2;
      q.mode = mode;
      q.stop_at_first = true;
      const CampaignResult r = campaign(c.name, q);
      ASSERT_TRUE(r.first.has_value()) << describe(r);
      const RunResult again = replay(*r.first, mode);
      EXPECT_FALSE(again.diverged) << c.name << ": " << again.divergence;
      EXPECT_EQ(again.kind, r.first->finding) << c.name;
      EXPECT_EQ(again.message, r.first->message) << c.name;
    }
  EXPECT_EQ(leftovers(), std::set<std::string>{});
}

void expect_clean(const std::string& name, ActorMode mode, uint64_t runs, const Params& params, uint64_t dfs_runs) {
  ASSERT_EQ(target(name).variant, Variant::synchronised);
  for (const char* strategy : {"random", "pct", "pos", "dfs"}) {
    Quick q;
    q.strategy = strategy;
    q.runs = std::string(strategy) == "dfs" && dfs_runs ? dfs_runs : runs;  // dfs: preemption bound 2
    q.seed = 7;
    q.mode = mode;
    q.stop_at_first = true;
    q.params = params;
    const CampaignResult r = campaign(name, q);
    EXPECT_EQ(r.findings, 0u) << describe(r);
    EXPECT_GT(r.runs, 0u);
  }
  EXPECT_EQ(leftovers(), std::set<std::string>{});
}

}  // namespace ipcrace::test
