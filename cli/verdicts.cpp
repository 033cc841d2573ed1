// ipcrace verdicts: the verdict table of the README, generated from the
// harness. Per target: family, variant, bug class, expected verdict; per racy
// target and strategy: for how many of N seeds a campaign found the bug within
// the cap, and the median and the maximum number of runs to the first
// finding; and, as the baseline users have today, how often free-run mode
// (real concurrency, no scheduler) hits the bug in the wall-clock time the
// first strategy needed for all N seeds. Below the table: the geometric mean
// of the medians per strategy and how the first strategy (auto) compares with
// the best single one on each target. For a program target (ipcrace exec)
// the baseline is a plain shell-style stress loop of the same binary: fork +
// exec of its command line, no scheduler, runs counted whose exit status
// differs from the expected one, for the same wall time.
#include "verdicts.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
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

// Not found counts as cap + 1, so a median or maximum over missed seeds is above the cap.
std::vector<int64_t> sorted_runs(std::vector<int64_t> v, uint64_t cap) {
  for (auto& x : v)
    if (x < 0) x = int64_t(cap) + 1;
  std::sort(v.begin(), v.end());
  return v;
}
int64_t median_of(const std::vector<int64_t>& sorted) { return sorted[sorted.size() / 2]; }
std::string runs_text(int64_t v, uint64_t cap) { return v > int64_t(cap) ? ">" + std::to_string(cap) : std::to_string(v); }

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

// The stress loop users run today: `while :; do timeout T ./prog || echo FAIL; done`,
// for the wall time given. The run still going when the time is up is given
// as long again (at least a second) to end and is then counted like any
// other; one still going after that hangs (a lost wakeup natively is a
// hang), is killed with its process group and counts as a failure.
struct LoopCount {
  uint64_t runs = 0, fails = 0, hung = 0;
  double seconds = 0;
};

LoopCount stress_loop_here(const TargetInfo& t, double seconds) {
  std::vector<char*> argv;
  for (const auto& a : t.exec) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  LoopCount c;
  const double grace = std::max(seconds, 1.0);
  const auto t0 = std::chrono::steady_clock::now();
  auto now = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
  while (c.seconds < seconds) {
    const pid_t pid = fork();
    if (pid == 0) {
      setpgid(0, 0);  // its own group: a hung run is killed with every process it forked
      const int null = open("/dev/null", O_WRONLY);
      dup2(null, 1);
      dup2(null, 2);
      execv(argv[0], argv.data());
      _exit(127);
    }
    if (pid < 0) break;
    setpgid(pid, pid);
    int st = 0;
    bool killed = false;
    for (;;) {
      const pid_t w = waitpid(pid, &st, WNOHANG);
      if (w == pid || (w < 0 && errno != EINTR)) break;
      if (!killed && now() >= seconds + grace) {
        kill(-pid, SIGKILL);
        killed = true;
        ++c.hung;
      }
      usleep(killed ? 1000 : 100);
    }
    kill(-pid, SIGKILL);  // whatever the run left behind in its group
    ++c.runs;
    c.fails += killed || !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    c.seconds = now();
  }
  return c;
}

// The loop runs in a child of its own, in a private mount and IPC namespace
// with a private /dev/shm where the machine allows one (root, or user
// namespaces): a run killed for hanging cannot remove its segments or
// queues, and those then vanish with the namespace instead of staying on the
// machine. Without one it runs here, and the cell says so.
std::string stress_loop(const TargetInfo& t, double seconds) {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("verdicts: pipe failed");
  const pid_t loop = fork();
  if (loop < 0) throw std::runtime_error("verdicts: fork failed");
  if (loop == 0) {
    close(fds[0]);
    bool isolated = unshare(CLONE_NEWNS | CLONE_NEWIPC) == 0;
    if (!isolated) {
      const uid_t uid = getuid();
      const gid_t gid = getgid();
      if (unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWIPC) == 0) {
        auto put = [](const char* path, const std::string& text) {
          const int fd = open(path, O_WRONLY);
          const bool ok = fd >= 0 && write(fd, text.data(), text.size()) == ssize_t(text.size());
          if (fd >= 0) close(fd);
          return ok;
        };
        isolated = put("/proc/self/setgroups", "deny") && put("/proc/self/uid_map", std::to_string(uid) + " " + std::to_string(uid) + " 1") &&
                   put("/proc/self/gid_map", std::to_string(gid) + " " + std::to_string(gid) + " 1");
      }
    }
    isolated = isolated && mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0 &&
               mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") == 0;
    LoopCount c;
    if (isolated) c = stress_loop_here(t, seconds);
    const char flag = isolated ? 1 : 0;
    const bool ok = write(fds[1], &flag, 1) == 1 && write(fds[1], &c, sizeof c) == ssize_t(sizeof c);
    _exit(ok ? 0 : 1);
  }
  close(fds[1]);
  char flag = 0;
  LoopCount c;
  const bool got = read(fds[0], &flag, 1) == 1 && read(fds[0], &c, sizeof c) == ssize_t(sizeof c);
  close(fds[0]);
  int st = 0;
  while (waitpid(loop, &st, 0) < 0 && errno == EINTR) {
  }
  if (!got) throw std::runtime_error("verdicts: the stress loop's child failed");
  const bool isolated = flag == 1;
  if (!isolated) c = stress_loop_here(t, seconds);
  std::string text = std::to_string(c.fails) + " of " + std::to_string(c.runs) + " runs (";
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.2f s", c.seconds);
  text += secs;
  text += ", shell loop";
  if (c.hung) text += "; the last one hung, killed";
  if (!isolated) text += "; no private namespace";
  return text + ")";
}

}  // namespace

int cmd_verdicts(const VerdictOptions& o) {
  if (o.strategies.empty()) throw UsageError("--strategies needs at least one strategy");
  for (const auto& s : o.strategies) {
    StrategyOptions so;
    so.name = s;
    try {
      if (!make_strategy(so)->independent_runs()) throw UsageError("--strategies: " + s + " has no independent runs");
    } catch (const std::invalid_argument& e) {
      throw UsageError(e.what());
    }
  }
  const std::vector<const TargetInfo*> targets = select_targets(o.targets, o.targets.empty());
  const int cpu = sched_getcpu();
  const size_t ns = o.strategies.size();
  std::printf("| target | family | variant | bug class | expect |");
  for (const auto& s : o.strategies) std::printf(" %s: found, median, max runs |", s.c_str());
  std::printf(" free run: hits in %s's wall time |\n|---|---|---|---|---|", o.strategies[0].c_str());
  for (size_t i = 0; i <= ns; ++i) std::printf("---|");
  std::printf("\n");
  std::fflush(stdout);
  std::vector<std::vector<double>> log_medians(ns);
  std::vector<std::string> notes;
  int racy = 0, within = 0, first_best_or_tie = 0;
  for (const TargetInfo* t : targets) {
    const std::string bug_class = t->exec.empty() ? t->bug_class : program_bug_class(*t);
    std::printf("| %s | %s | %s | %s | %s |", t->name.c_str(), t->family.c_str(), variant_name(t->variant),
                bug_class.c_str(), expect_name(t->expect()));
    if (t->expect() != Expect::finding) {
      for (size_t i = 0; i <= ns; ++i) std::printf(" - |");
      std::printf("\n");
      std::fflush(stdout);
      continue;
    }
    ++racy;
    std::vector<int64_t> med(ns);
    double first_seconds = 0;
    for (size_t i = 0; i < ns; ++i) {
      Found f = runs_to_find(*t, o.strategies[i], o.seeds, o.cap, cpu);
      if (i == 0) first_seconds = f.seconds;
      auto v = sorted_runs(f.runs, o.cap);
      const int found = int(std::count_if(f.runs.begin(), f.runs.end(), [](int64_t x) { return x > 0; }));
      med[i] = median_of(v);
      log_medians[i].push_back(std::log(double(med[i])));
      std::printf(" %d/%d, %s, %s |", found, o.seeds, runs_text(med[i], o.cap).c_str(),
                  runs_text(v.back(), o.cap).c_str());
      std::fflush(stdout);
    }
    if (!t->exec.empty()) {
      std::printf(" %s |\n", stress_loop(*t, std::max(first_seconds, 0.05)).c_str());
    } else {
      CampaignOptions f;
      f.run.mode = ActorMode::free;
      f.runs = 0;
      f.seconds = std::max(first_seconds, 0.05);
      CampaignResult fr = run_campaign(*t, f);
      std::printf(" %llu of %llu runs (%.2f s) |\n", static_cast<unsigned long long>(fr.findings),
                  static_cast<unsigned long long>(fr.runs), fr.seconds);
    }
    std::fflush(stdout);
    if (ns > 1) {
      const int64_t best = *std::min_element(med.begin() + 1, med.end());
      within += double(med[0]) <= 1.5 * double(best);
      first_best_or_tie += med[0] <= best;
      if (double(med[0]) > 1.5 * double(best))
        notes.push_back(t->name + " (" + std::to_string(med[0]) + " against " + std::to_string(best) + ")");
    }
  }
  std::printf("\n%d seeds per strategy, at most %llu runs each; processes mode; runs to the first finding count the "
              "campaign's runs (pct, surw and auto also make %s probe runs first, with fixed seeds, not counted); "
              "generated by `ipcrace verdicts`.\n",
              o.seeds, static_cast<unsigned long long>(o.cap), "a few");
  if (racy > 0) {
    std::printf("\nGeometric mean over the %d racy targets of the median runs to the first finding:", racy);
    for (size_t i = 0; i < ns; ++i) {
      double sum = 0;
      for (double x : log_medians[i]) sum += x;
      std::printf(" %s %.2f%s", o.strategies[i].c_str(), std::exp(sum / double(racy)), i + 1 < ns ? "," : ".\n");
    }
    if (ns > 1) {
      std::printf("%s's median is within 1.5x of the best other strategy's on %d of %d racy targets "
                  "(the best or tied on %d)%s",
                  o.strategies[0].c_str(), within, racy, first_best_or_tie, notes.empty() ? ".\n" : "; not on:");
      for (size_t i = 0; i < notes.size(); ++i) std::printf(" %s%s", notes[i].c_str(), i + 1 < notes.size() ? "," : ".\n");
    }
  }
  return 0;
}

}  // namespace ipcrace::cli
