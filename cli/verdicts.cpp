// ipcrace verdicts: the verdict table of the README, generated from the
// harness. Per target: family, variant, bug class, expected verdict; per racy
// target: the median number of runs to the first finding over N seeds under
// pct and under random, and, as the baseline users have today, how often
// free-run mode (real concurrency, no scheduler) hits the bug in the same
// wall-clock budget that pct needed for all N seeds. For a program target
// (ipcrace exec) the baseline is a plain shell-style stress loop of the same
// binary: fork + exec of its command line, no scheduler, runs counted whose
// exit status differs from the expected one, for the same wall time.
#include "verdicts.hpp"

#include <sched.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "ipcrace/campaign.hpp"

namespace ipcrace::cli {
namespace {

struct Found {
  std::vector<int64_t> runs;  // per seed; -1 when not found within the cap
  double seconds = 0;
};

Found runs_to_find(const TargetInfo& t, const std::string& strategy, int seeds, uint64_t cap, int cpu) {
  Found f;
  for (int s = 1; s <= seeds; ++s) {
    CampaignOptions o;
    o.strategy.name = strategy;
    o.strategy.seed = uint64_t(s);
    o.runs = cap;
    o.stop_at_first = true;
    o.run.cpu = cpu;
    CampaignResult r = run_campaign(t, o);
    f.runs.push_back(r.first_finding_run < 0 ? -1 : r.first_finding_run + 1);
    f.seconds += r.seconds;
  }
  return f;
}

std::string median(std::vector<int64_t> v, uint64_t cap) {
  std::sort(v.begin(), v.end(), [](int64_t a, int64_t b) { return (a < 0 ? INT64_MAX : a) < (b < 0 ? INT64_MAX : b); });
  int64_t m = v[v.size() / 2];
  int missed = int(std::count(v.begin(), v.end(), -1));
  std::string s = m < 0 ? ">" + std::to_string(cap) : std::to_string(m);
  if (missed) s += " (" + std::to_string(missed) + " of " + std::to_string(v.size()) + " seeds not found)";
  return s;
}

// A corpus program's bug class: the "Bug (...)" of its header comment.
std::string program_bug_class(const TargetInfo& t) {
  std::ifstream in(std::string(IPCRACE_SOURCE_DIR) + "/" + t.source);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  const size_t b = text.find("Bug (");
  const size_t e = b == std::string::npos ? b : text.find(')', b);
  if (e == std::string::npos) return t.bug_class;
  std::string c = text.substr(b + 5, e - b - 5);
  for (auto pos = c.find("\n"); pos != std::string::npos; pos = c.find("\n")) {
    size_t end = c.find_first_not_of(" */", pos + 1);
    c.replace(pos, (end == std::string::npos ? c.size() : end) - pos, " ");
  }
  return c;
}

// The stress loop users run today: `while :; do ./prog || echo FAIL; done`.
std::string stress_loop(const TargetInfo& t, double seconds) {
  std::vector<char*> argv;
  for (const auto& a : t.exec) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  uint64_t runs = 0, fails = 0;
  const auto t0 = std::chrono::steady_clock::now();
  double elapsed = 0;
  while (elapsed < seconds) {
    const pid_t pid = fork();
    if (pid == 0) {
      const int null = open("/dev/null", O_WRONLY);
      dup2(null, 1);
      dup2(null, 2);
      execv(argv[0], argv.data());
      _exit(127);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    ++runs;
    fails += !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  char buf[96];
  std::snprintf(buf, sizeof buf, "%llu of %llu runs (%.2f s, shell loop)", static_cast<unsigned long long>(fails),
                static_cast<unsigned long long>(runs), elapsed);
  return buf;
}

}  // namespace

int cmd_verdicts(const VerdictOptions& o) {
  const int cpu = sched_getcpu();
  std::printf("| target | family | variant | bug class | expect | pct: median runs to find | random: median runs to find | free run: hits in pct's wall time |\n");
  std::printf("|---|---|---|---|---|---|---|---|\n");
  for (const TargetInfo* tp : select_targets(o.targets, o.targets.empty())) {
    const TargetInfo& t = *tp;
    std::string pct = "-", rnd = "-", free_hits = "-";
    if (t.expect() == Expect::finding) {
      Found p = runs_to_find(t, "pct", o.seeds, o.cap, cpu);
      Found r = runs_to_find(t, "random", o.seeds, o.cap, cpu);
      pct = median(p.runs, o.cap);
      rnd = median(r.runs, o.cap);
      if (!t.exec.empty()) {
        free_hits = stress_loop(t, std::max(p.seconds, 0.05));
        std::printf("| %s | %s | %s | %s | %s | %s | %s | %s |\n", t.name.c_str(), t.family.c_str(),
                    variant_name(t.variant), program_bug_class(t).c_str(), expect_name(t.expect()), pct.c_str(), rnd.c_str(),
                    free_hits.c_str());
        std::fflush(stdout);
        continue;
      }
      CampaignOptions f;
      f.run.mode = ActorMode::free;
      f.runs = 0;
      f.seconds = std::max(p.seconds, 0.05);
      CampaignResult fr = run_campaign(t, f);
      char buf[96];
      std::snprintf(buf, sizeof buf, "%llu of %llu runs (%.2f s)", static_cast<unsigned long long>(fr.findings),
                    static_cast<unsigned long long>(fr.runs), fr.seconds);
      free_hits = buf;
    }
    std::printf("| %s | %s | %s | %s | %s | %s | %s | %s |\n", t.name.c_str(), t.family.c_str(), variant_name(t.variant),
                t.bug_class.c_str(), expect_name(t.expect()), pct.c_str(), rnd.c_str(), free_hits.c_str());
    std::fflush(stdout);
  }
  std::printf("\n%d seeds per strategy, at most %llu runs each; processes mode; generated by `ipcrace verdicts`.\n",
              o.seeds, static_cast<unsigned long long>(o.cap));
  return 0;
}

}  // namespace ipcrace::cli
