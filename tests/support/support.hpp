// Test support: short campaign helpers and a snapshot of what runs can leak.
#pragma once
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ipcrace/campaign.hpp"
#include "ipcrace/engine.hpp"
#include "ipcrace/replay.hpp"

namespace ipcrace::test {

const TargetInfo& target(const std::string& name);
// The CPU this test process pins its runs to (spread by pid, so that parallel
// ctest processes do not all share one CPU).
int test_cpu();  // fails the test (throws) if unknown

struct Quick {
  std::string strategy = "pct";
  uint64_t runs = 200;
  uint64_t seed = 1;
  ActorMode mode = ActorMode::processes;
  bool stop_at_first = false;
  Params params;
  int watchdog_ms = 3000;
  std::string out_dir;  // "" = no files
  std::optional<uint32_t> faults;  // unset: the target's own (TargetInfo::faults)
  int fault_budget = 1;
  bool race = true;     // RunConfig::race
};
CampaignResult campaign(const std::string& target_name, const Quick& q);

// Run one schedule strictly (divergence reported in the result).
RunResult replay(const Schedule& s, ActorMode mode);

// Everything a run must not leave behind, as names: child processes of this
// process, /dev/shm and /dev/mqueue entries and /tmp entries containing
// "ipcrace". Mounts the mqueue file system when it is not (root only), so the
// queue check never passes blind; mqueue_visible() says whether it could.
std::set<std::string> leftovers();
bool mqueue_visible();

// Path of the built ipcrace command (IPCRACE_BIN, set by ctest).
std::string ipcrace_bin();
struct Cmd {
  int code = -1;
  std::string out;
  std::string err;
};
Cmd run_cmd(const std::vector<std::string>& args, const std::string& env = "");
// A shell command line; stdout and stderr captured.
Cmd run_shell(const std::string& command);

// ---- per-family mechanism tests (tests/mechanisms/) --------------------------

// A racy target and what its finding must be: the kind (none: any) and a
// word its message contains (any one of `says`; empty: any message).
struct RacyCase {
  std::string name;
  FindingKind kind = FindingKind::none;
  std::vector<std::string> says;
};
// pct finds c.name within its budget_runs for seeds 1..seeds (race detection
// off: this is the oracle's test), each first finding as expected (in a TSan build, thread mode may give a tsan finding
// instead); nothing is left behind.
void expect_found(const RacyCase& c, ActorMode mode, int seeds);
// random, pct and pos (`runs` each) and a bounded dfs (`dfs_runs`, 0: runs)
// find nothing in the synchronised target; nothing is left behind.
void expect_clean(const std::string& name, ActorMode mode, uint64_t runs, const Params& params = {},
                  uint64_t dfs_runs = 0);
// A family's targets, for IPCRACE_FAMILY_TESTS (family_tests.hpp).
struct Family {
  std::string name;  // shm, sync, ...
  std::vector<RacyCase> racy;
  std::vector<std::string> synchronised;
  uint64_t dfs_runs_processes = 0;  // expect_clean's dfs budget (0: as the others)
  uint64_t dfs_runs_threads = 0;
};
// Every listed target is registered in the family (a synchronised one names
// its coordination), and the lists cover every target the family registers.
void expect_family_registered(const Family& f);
// The first finding of each racy target replays to the same outcome and
// message in processes and in threads.
void expect_findings_replay(const Family& f);
// gtest parameter names: "shm.counter.racy" -> "shm_counter_racy".
std::string test_name(std::string target);
std::string describe(const CampaignResult& r);
// Built with ThreadSanitizer.
extern const bool kTsan;

// rapidcheck: check `property` as the current gtest test does with
// RC_GTEST_PROP (same test id, RC_PARAMS="reproduce=..." replays a failure),
// but with `cases` successful cases unless RC_PARAMS names max_success
// (IPCRACE_PROPERTY_CASES overrides `cases`). Fails the test with
// rapidcheck's message, counterexample and reproduce string.
void rc_check(const std::function<void()>& property, int cases);
int64_t env_int(const char* name, int64_t fallback);

}  // namespace ipcrace::test
