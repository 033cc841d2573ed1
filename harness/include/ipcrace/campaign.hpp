// Campaigns: many runs of one target under a strategy and a budget.
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ipcrace/engine.hpp"
#include "ipcrace/schedule.hpp"

namespace ipcrace {

struct CampaignProgress {
  const TargetInfo* target = nullptr;
  uint64_t runs = 0;
  uint64_t budget_runs = 0;  // 0: no run budget
  double seconds = 0;
  double budget_seconds = 0;  // 0: no time budget
  uint64_t findings = 0;
};

struct CampaignOptions {
  Params overrides;
  StrategyOptions strategy;
  RunConfig run;
  uint64_t runs = 1000;   // run budget (0: none, then seconds must be set)
  double seconds = 0;     // time budget (0: none)
  bool stop_at_first = false;
  std::string out_dir;    // where finding schedules are saved ("" = not saved)
  int max_saved = 3;      // schedules saved per campaign (first finding, then new kinds)
  std::function<void(const CampaignProgress&)> progress;  // called about every 100 ms
  // Shards (ipcrace ... --shard I/N): this campaign runs exactly the global
  // run indices i < runs with i mod shard_count == shard_index, the k-th of
  // them being i = shard_index + k * shard_count (run i keeps
  // run_seed(seed, i)), so N shards together are the unsharded campaign, run
  // for run. `runs` stays the campaign's bound on the global index; the time
  // budget and stop_at_first act on each shard alone.
  uint64_t shard_index = 0;
  uint64_t shard_count = 1;
  uint64_t global_index(uint64_t k) const { return shard_index + k * shard_count; }
  // How many of the first `runs` global indices are this shard's (0: no bound).
  uint64_t shard_runs() const {
    if (runs == 0) return 0;
    return runs > shard_index ? (runs - shard_index + shard_count - 1) / shard_count : 0;
  }
};

// One data race of a campaign: an unordered pair of access sites
// (race_site_pair), whatever runs showed it. Its schedule is the first run's,
// focused on the pair (Schedule::race_pair, the pair's message), so replay
// and minimisation keep that pair.
struct RaceFinding {
  std::string pair;
  uint64_t run = 0;   // run index of the first run that showed it
  uint64_t runs = 0;  // runs that showed it
  Schedule schedule;
  std::string file;   // where the schedule was saved ("" = not saved)
};
inline constexpr size_t kMaxRaceFindings = 64;  // distinct pairs kept per campaign

struct CampaignResult {
  std::string target;
  Expect expect = Expect::clean;
  std::string strategy;
  ActorMode mode = ActorMode::processes;
  uint64_t seed = 0;
  uint64_t runs = 0;
  uint64_t findings = 0;
  uint64_t pruned = 0;
  int64_t first_finding_run = -1;  // run index (0-based) of the first finding
  std::vector<uint64_t> finding_runs;  // run index of every finding, ascending
  std::array<uint64_t, kFindingKinds> by_kind{};
  std::optional<Schedule> first;   // schedule of the first finding
  // The first finding of each kind, in run order (first.has_value() ==
  // !kind_firsts.empty()); what shards hand to `ipcrace merge`.
  std::vector<Schedule> kind_firsts;
  std::vector<std::string> schedule_files;
  // Race findings deduplicated by site pair, by first run (runs whose finding
  // is `race`; a pair also seen in a crash or hang run is not counted there).
  std::vector<RaceFinding> race_findings;
  std::string strategy_summary;
  bool exhausted = false;          // dfs explored the whole bounded space
  double seconds = 0;
  bool verdict_ok() const { return expect == Expect::finding ? findings > 0 : findings == 0; }
  // ipcrace run: the first finding minimised (ipcrace/minimize.hpp), if it was.
  std::optional<Schedule> minimized;
  int minimized_preemptions = -1;  // as run: switches away from a still-enabled actor
  int original_preemptions = -1;
  std::string minimized_file;
};

CampaignResult run_campaign(const TargetInfo& target, const CampaignOptions& opts);

// Record the races of run `run` (its finding is `race`) in `into`: a new
// pair gets `make()`'s schedule focused on it; a known pair counts the run and
// keeps the earlier run's schedule. Bounded by kMaxRaceFindings.
void note_races(std::vector<RaceFinding>& into, uint64_t run, const RunResult& r,
                const std::function<Schedule()>& make);
// Merge a finding of another worker or shard (the earlier run wins, counts add).
void merge_race_finding(std::vector<RaceFinding>& into, RaceFinding f);
// Save every race finding's schedule into `dir` (the one of `first`, if it is
// the same schedule, keeps its file).
void save_race_findings(std::vector<RaceFinding>& fs, const std::string& dir);

// The step count of one non-preemptive run.
int probe_steps(Engine& engine);

// Probe runs (probe.cpp): deterministic runs of the engine's target and
// workload with fixed seeds, independent of the campaign: actors, steps,
// shared resources, interesting events per actor, and with adaptive_depth
// pct's depth from a short phase at depths 2-6. Memoised per process.
ProbeInfo probe_target(Engine& engine, bool adaptive_depth);
bool strategy_uses_probe(const std::string& name);
// Fill so.probe when so's strategy needs it (pct, surw, auto) and it is empty.
// lazy_depth: auto gets the base probe only, and its pct member's adaptive
// depth phase waits for the first run that member makes (depth_due), so a
// bug found by surw, random or pos first costs no depth probe runs. The
// depth is a pure function of the target either way: results are the same.
void prepare_strategy(Engine& engine, StrategyOptions& so, bool lazy_depth = false);
// Whether run `index` of auto is its pct member's and the depth is still to choose.
bool depth_due(const StrategyOptions& so, uint64_t index);
// Whether this campaign reallocates auto's runs between epochs (auto with
// auto_adapt; throws for a sharded campaign: epochs need every earlier run).
bool auto_adapts(const CampaignOptions& o);
// Interleaving coverage of a run: hashes of the pairs of ops of different
// actors that ran consecutively on one resource (sorted, distinct).
std::vector<uint64_t> interleaving_pairs(const RunResult& r);

}  // namespace ipcrace
