#include "ipcrace/campaign.hpp"

#include <chrono>
#include <stdexcept>

#include "ipcrace/portfolio.hpp"
#include "ipcrace/rng.hpp"

namespace ipcrace {

int probe_steps(Engine& engine) {
  StrategyOptions o;
  o.name = "fuzz-bytes";  // no bytes: every actor runs until it blocks or ends
  auto st = make_strategy(o);
  st->new_run(0);
  RunResult r = engine.run(*st, 0);
  return std::max<int>(1, static_cast<int>(r.trace.size()));
}

bool auto_adapts(const CampaignOptions& o) {
  if (o.strategy.name != "auto" || !o.strategy.auto_adapt) return false;
  if (o.shard_count > 1)
    throw std::invalid_argument("auto's reallocation (--adapt) needs every earlier run's results: it does not shard");
  return true;
}

CampaignResult run_campaign(const TargetInfo& target, const CampaignOptions& opts) {
  if (opts.runs == 0 && opts.seconds <= 0) throw std::invalid_argument("a campaign needs a budget: runs or seconds");
  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  Engine engine(target, opts.overrides, opts.run);
  StrategyOptions so = opts.strategy;
  prepare_strategy(engine, so, /*lazy_depth=*/true);
  const bool portfolio = auto_adapts(opts);
  PortfolioLedger ledger;
  if (portfolio) so.auto_weights = ledger.weights;
  auto strategy = make_strategy(so);

  CampaignResult res;
  res.target = target.name;
  res.expect = target.expect();
  res.strategy = so.name;
  res.mode = opts.run.mode;
  res.seed = so.seed;
  auto elapsed = [&] { return std::chrono::duration<double>(clock::now() - t0).count(); };
  auto last_progress = t0;
  if (opts.shard_count == 0 || opts.shard_index >= opts.shard_count)
    throw std::invalid_argument("shard index must be below the shard count");
  const uint64_t shard_runs = opts.shard_runs();
  for (uint64_t k = 0;; ++k) {
    if (opts.runs && k >= shard_runs) break;
    const uint64_t i = opts.global_index(k);  // the global run index
    if (opts.seconds > 0 && elapsed() >= opts.seconds) break;
    if (portfolio && i == ledger.epoch_end()) {  // the next epoch's weights: from every run before it
      ledger.next_epoch();
      so.auto_weights = ledger.weights;
      strategy = make_strategy(so);
    }
    if (depth_due(so, i)) {  // auto's first pct run: its depth phase now
      so.probe = probe_target(engine, true);
      strategy = make_strategy(so);
    }
    if (!strategy->new_run(i)) {
      res.exhausted = true;
      break;
    }
    // dfs re-executes one program under every interleaving: one run seed for all.
    const uint64_t rs = run_seed(so.seed, strategy->independent_runs() ? i : 0);
    RunResult r = engine.run(*strategy, rs);
    ++res.runs;
    if (portfolio) ledger.record(i, interleaving_pairs(r));
    if (r.pruned) ++res.pruned;
    if (r.found()) {
      ++res.findings;
      res.finding_runs.push_back(i);
      ++res.by_kind[static_cast<size_t>(r.kind)];
      bool first = res.first_finding_run < 0;
      bool new_kind = res.by_kind[static_cast<size_t>(r.kind)] == 1;
      if (first) res.first_finding_run = static_cast<int64_t>(i);
      auto make = [&] { return schedule_from_run(target.name, engine.params(), opts.run.mode, so.name, so.seed, i, rs, r); };
      note_races(res.race_findings, i, r, make);
      if (first || new_kind) {
        Schedule s = make();
        if (!opts.out_dir.empty() && int(res.schedule_files.size()) < opts.max_saved)
          res.schedule_files.push_back(save_schedule(s, opts.out_dir));
        res.kind_firsts.push_back(s);
        if (first) res.first = std::move(s);
      }
      if (opts.stop_at_first) break;
    }
    if (opts.progress && clock::now() - last_progress > std::chrono::milliseconds(100)) {
      last_progress = clock::now();
      opts.progress({&target, res.runs, shard_runs, elapsed(), opts.seconds, res.findings});
    }
  }
  save_race_findings(res.race_findings, opts.out_dir);
  res.seconds = elapsed();
  res.strategy_summary = strategy->summary();
  if (opts.progress) opts.progress({&target, res.runs, shard_runs, res.seconds, opts.seconds, res.findings});
  return res;
}

}  // namespace ipcrace
