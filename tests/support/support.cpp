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
  o.stop_at_first = q.stop_at_first;
  o.overrides = q.params;
  o.out_dir = q.out_dir;
  return run_campaign(target(name), o);
}

RunResult replay(const Schedule& s, ActorMode mode) {
  RunConfig cfg;
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
  for (const auto& n : list_dir("/tmp"))
    if (n.rfind("ipcrace." + me, 0) == 0) {
      for (const auto& f : list_dir("/tmp/" + n))
        if (f != "." && f != "..") out.insert("/tmp/" + n + "/" + f);
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

}  // namespace ipcrace::test

namespace ipcrace::test {

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

}  // namespace ipcrace::test
