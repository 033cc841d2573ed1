#include "exec/symbolize.hpp"
#include "commands.hpp"

#include <sched.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>

#include "ipcrace/atomic_file.hpp"
#include "ipcrace/exit_codes.hpp"
#include "ipcrace/program.hpp"
#include "ipcrace/parallel_campaign.hpp"
#include "ipcrace/replay.hpp"
#include "minimize_cmd.hpp"
#include "fuzz_replay.hpp"
#include "output.hpp"
#include "shard.hpp"
#include "trace_cmd.hpp"
#include "trace_view.hpp"
#include "ux_outputs.hpp"

namespace ipcrace::cli {

using nlohmann::json;

std::vector<const TargetInfo*> select_targets(const std::vector<std::string>& names, bool all) {
  std::vector<const TargetInfo*> out;
  if (all) {
    if (!names.empty()) throw UsageError("give target names or --all, not both");
    for (const auto& t : all_targets()) out.push_back(&t);
    return out;
  }
  if (names.empty()) throw UsageError("no target given (name one, or use --all; 'ipcrace list' shows them)");
  for (const auto& n : names) {
    if (n.size() > 1 && n.back() == '*') {  // a prefix pattern: 'shm.*'
      const std::string prefix = n.substr(0, n.size() - 1);
      size_t before = out.size();
      for (const auto& t : all_targets())
        if (t.name.rfind(prefix, 0) == 0) out.push_back(&t);
      if (out.size() == before) throw UsageError("no target matches '" + n + "' ('ipcrace list' shows the targets)");
      continue;
    }
    const TargetInfo* t = find_target(n);
    if (!t) throw UsageError("unknown target '" + n + "' ('ipcrace list' shows the targets)");
    out.push_back(t);
  }
  return out;
}

static Params parse_params(const std::vector<std::string>& kvs, const TargetInfo& t, bool only_known) {
  Params p;
  for (const auto& kv : kvs) {
    auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) throw UsageError("--param takes name=value, got '" + kv + "'");
    std::string key = kv.substr(0, eq);
    std::string val = kv.substr(eq + 1);
    char* end = nullptr;
    long long v = std::strtoll(val.c_str(), &end, 10);
    if (val.empty() || *end) throw UsageError("--param " + key + " needs an integer, got '" + val + "'");
    if (only_known && !t.defaults.has(key)) continue;
    p.set(key, v);
  }
  try {
    (void)resolve_params(t, p);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  return p;
}

static ActorMode parse_mode(const std::string& s) {
  auto m = actor_mode_from_name(s);
  if (!m) throw UsageError("--actors must be processes, threads or free, got '" + s + "'");
  return *m;
}

CampaignOptions campaign_options(const Common& c, const TargetInfo& t) {
  CampaignOptions o;
  o.strategy.name = c.strategy;
  o.strategy.seed = c.seed;
  o.strategy.pct_depth = c.depth;
  o.strategy.preemption_bound = c.preemptions;
  o.strategy.auto_adapt = c.adapt;
  try {
    (void)make_strategy(o.strategy);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  o.run.mode = parse_mode(c.actors);
  o.run.race = c.race != "off";
  o.run.watchdog_ms = c.watchdog_ms;
  o.run.step_limit = c.step_limit;
  o.run.cpu = c.cpu == -2 ? sched_getcpu() : c.cpu;
  if (!c.faults.empty()) {
    std::string err;
    auto m = parse_fault_mask(c.faults, &err);
    if (!m) throw UsageError("--faults: " + err);
    o.run.faults = *m;
  }
  o.run.fault_budget = c.fault_budget;
  o.runs = c.runs;
  o.seconds = c.seconds;
  o.stop_at_first = c.stop_at_first;
  o.out_dir = c.out;
  o.overrides = parse_params(c.params, t, /*only_known=*/true);
  const ShardSpec shard = shard_spec(c);
  o.shard_index = shard.index;
  o.shard_count = shard.count;
  try {
    (void)auto_adapts(o);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  return o;
}

static void check_params_apply(const Common& c, const std::vector<const TargetInfo*>& targets) {
  for (const auto& kv : c.params) {
    std::string key = kv.substr(0, kv.find('='));
    bool any = std::any_of(targets.begin(), targets.end(), [&](const TargetInfo* t) { return t->defaults.has(key); });
    if (!any) throw UsageError("no selected target has a parameter '" + key + "'");
  }
}

int cmd_list(bool as_json) {
  if (as_json) {
    json arr = json::array();
    for (const auto& t : all_targets()) arr.push_back(target_json(t));
    std::printf("%s\n", arr.dump(2).c_str());
  } else {
    print_target_table(all_targets());
  }
  return kExitOk;
}

static void check_budget(const Common& c) {
  if (c.runs == 0 && c.seconds <= 0)
    throw UsageError("no budget: --runs 0 needs --seconds (or give --budget <N>runs,<S>s)");
}

int cmd_run(const std::vector<std::string>& names, bool all, const Common& c0) {
  Common c = c0;
  apply_budget(c);
  check_budget(c);
  prepare_outputs(c);
  auto targets = select_targets(names, all);
  check_params_apply(c, targets);
  check_params_accepted(c, targets);
  const ShardSpec shard = shard_spec(c);
  for (const TargetInfo* t : targets) c.target_names.push_back(t->name);
  std::vector<CampaignResult> results;
  Progress progress(!c.json && !c.quiet);
  try {
    for (const TargetInfo* t : targets) {
      CampaignOptions o = campaign_options(c, *t);
      o.progress = progress.callback();
      results.push_back(run_campaign_jobs(*t, o, c.jobs));
      confirm_hang(results.back());
      if (!c.no_minimize) minimize_campaign_finding(results.back(), c.out);
      progress.done(results.back());
    }
  } catch (const std::exception& e) {
    // A shard that fails says so in its result, so the merge names it.
    if (!c.results.empty()) write_failed_shard_result(c, shard, "run", e.what());
    throw;
  }
  bool found = false;
  for (const auto& r : results) found |= r.findings > 0;
  if (c.json) {
    json arr = json::array();
    for (const auto& r : results) arr.push_back(campaign_json(r));
    std::printf("%s\n", json{{"targets", arr}}.dump(2).c_str());
  } else {
    print_summary(results);
  }
  write_run_outputs(results, c);
  if (!c.results.empty()) {
    const std::string path = write_shard_result(c, shard, shard_result_json("run", c, shard, results, {}));
    if (!c.json && !c.quiet) std::printf("shard %s: result in %s (combine shards with 'ipcrace merge')\n", shard.str().c_str(), path.c_str());
  }
  if (!c.trace_out.empty()) {  // the first finding (minimised, when it was)
    for (const auto& r : results)
      if (r.first) {
        write_chrome_trace_of(r.minimized ? *r.minimized : *r.first, c.trace_out);
        break;
      }
  }
  return found ? kExitFinding : kExitOk;
}

int cmd_explore(const std::string& name, const Common& c) {
  auto targets = select_targets({name}, false);
  Common cc = c;
  cc.strategy = "dfs";
  apply_budget(cc);
  check_budget(cc);
  prepare_outputs(cc);
  cc.target_names = {targets[0]->name};
  CampaignOptions o = campaign_options(cc, *targets[0]);
  // dfs shards split the schedule tree, not the run indices (dfs.cpp).
  o.strategy.dfs_shard_index = o.shard_index;
  o.strategy.dfs_shard_count = o.shard_count;
  o.shard_index = 0;
  o.shard_count = 1;
  const ShardSpec shard{o.strategy.dfs_shard_index, o.strategy.dfs_shard_count};
  Progress progress(!c.json && !c.quiet);
  o.progress = progress.callback();  // a large bound explores for minutes: say how far it got
  CampaignResult r;
  try {
    r = run_campaign(*targets[0], o);
  } catch (const std::exception& e) {
    if (!cc.results.empty()) write_failed_shard_result(cc, shard, "explore", e.what());
    throw;
  }
  if (c.json) {
    std::printf("%s\n", campaign_json(r).dump(2).c_str());
  } else {
    std::printf("%s: %s\n", r.target.c_str(), r.strategy_summary.c_str());
    print_finding_lines(r);
    if (r.findings == 0) std::printf("  no finding in %llu schedules\n", static_cast<unsigned long long>(r.runs));
  }
  write_run_outputs({r}, cc);
  if (!cc.results.empty()) write_shard_result(cc, shard, shard_result_json("explore", cc, shard, {r}, {}));
  return r.findings ? kExitFinding : kExitOk;
}

// The run's recorded history in the check-history format, with the target's
// model named in a comment, so `ipcrace check-history FILE --model M` reads it.
static void write_history(const std::string& out, const TargetInfo& t, const RunResult& r) {
  if (r.history.size() == 0)
    throw UsageError("target " + t.name + " records no history (its actors do not call Actor::invoke/complete)");
  std::string text = "# ipcrace history of " + t.name + (t.model.empty() ? "" : ", model " + t.model) +
                     (r.history_truncated ? " (truncated: the log was full)" : "") + "\n" + format_history(r.history);
  if (out == "-") {
    std::fputs(text.c_str(), stdout);
    return;
  }
  try {
    write_file_atomic(out, text);
  } catch (const std::system_error& e) {
    throw InputError(std::string("cannot write the history: ") + e.what());
  }
}

int cmd_replay(const std::string& file, const std::string& actors_override, bool as_json,
               const std::string& crash_target, const std::string& history_out, const ReplayExtras& extras) {
  if (std::string why = check_input_file(file, kMaxInputBytes); !why.empty()) throw InputError(why);
  std::string err;
  auto sched = crash_file_schedule(file, crash_target, actors_override);  // a libFuzzer crash file?
  if (!sched) sched = load_schedule(file, &err);
  if (!sched) throw InputError(err);
  const TargetInfo* t = nullptr;
  try {
    t = schedule_target(*sched);  // a program target: registered from its command line, binary checked
  } catch (const std::runtime_error& e) {
    throw InputError(file + ": " + e.what());
  }
  if (!t) throw InputError(file + ": unknown target '" + sched->target + "'");
  RunConfig cfg = replay_config(*sched);  // every setting the schedule records
  cfg.mode = actors_override.empty() ? sched->mode : parse_mode(actors_override);
  if (extras.step_limit > 0) cfg.step_limit = extras.step_limit;
  if (extras.watchdog_ms > 0) cfg.watchdog_ms = extras.watchdog_ms;
  if (cfg.mode == ActorMode::free) {
    if (actors_override.empty()) throw InputError(file + ": mode free: a free run has no schedule to replay");
    throw UsageError("--actors free: a free run has no schedule to replay; use processes or threads");
  }
  cfg.cpu = sched_getcpu();
  Params params;
  try {
    params = resolve_params(*t, sched->params);
  } catch (const std::invalid_argument& e) {
    throw InputError(file + ": " + e.what());
  }
  ReplayExtras x = extras;
  x.file = file;
  configure_stop_at(x, *sched, cfg);
  Engine engine(*t, params, cfg);
  auto st = make_replay_strategy(*sched);
  st->new_run(0);
  RunResult r = engine.run(*st, sched->run_seed);
  if (!history_out.empty()) write_history(history_out, *t, r);
  replay_outputs(x, *sched, r, as_json);
  int code;
  std::string verdict;
  if (r.diverged) {
    code = kExitDivergence;
    verdict = "divergence: " + r.divergence;
  } else if (r.kind != sched->finding) {
    code = kExitDivergence;
    verdict = std::string("divergence: outcome differs: the schedule recorded ") + finding_kind_name(sched->finding) +
              ", the replay gave " + finding_kind_name(r.kind) + (r.found() ? " (" + r.message + ")" : "");
  } else if (r.kind == FindingKind::race && !sched->race_pair.empty() &&
             std::none_of(r.races.begin(), r.races.end(),
                          [&](const RaceReport& rep) { return race_site_pair(rep) == sched->race_pair; })) {
    code = kExitDivergence;
    verdict = "divergence: the schedule recorded the race " + sched->race_pair + ", the replay gave " + r.message;
  } else {
    code = r.found() ? kExitFinding : kExitOk;
    verdict = r.found() ? std::string("reproduced ") + finding_kind_name(r.kind) + ": " + symbolized_message(sched->target, r.message)
                        : "reproduced: no finding, as recorded";
  }
  if (as_json && x.trace) {
    std::printf("%s\n", json{{"event", "verdict"}, {"verdict", verdict}, {"exit_code", code}}.dump().c_str());
  } else if (as_json) {
    json j{{"file", file},         {"target", t->name},        {"steps", r.trace.size()},
           {"diverged", r.diverged}, {"divergence", r.divergence}, {"finding", finding_kind_name(r.kind)},
           {"message", r.message},  {"recorded", finding_kind_name(sched->finding)}, {"exit_code", code}};
    std::printf("%s\n", j.dump(2).c_str());
  } else {
    std::printf("%s (%zu steps, %d preemptions): %s\n", t->name.c_str(), r.trace.size(), r.preemptions,
                verdict.c_str());
    if (!r.actor_stderr.empty()) std::printf("%s", r.actor_stderr.c_str());
  }
  return code;
}

int cmd_gate(const std::vector<std::string>& names, bool all, const Common& c, int seeds, uint64_t clean_runs,
             const std::vector<std::string>& strategies) {
  if (!c.budget.empty()) throw UsageError("gate sets its own budgets (--seeds, --clean-runs); --budget is for run");
  prepare_outputs(c);
  auto targets = select_targets(names, all);
  check_params_apply(c, targets);
  check_params_accepted(c, targets);
  const ShardSpec shard = shard_spec(c);
  bool ok = true;
  bool clean_ok = true;  // no synchronised target had a finding: decisive even in one shard
  // The campaign as the shard result describes it (ipcrace merge checks that all shards ran the same).
  auto described = [&] {
    Common rc = c;
    for (const TargetInfo* t : targets) rc.target_names.push_back(t->name);
    rc.gate_seeds = seeds;
    rc.gate_clean_runs = clean_runs;
    rc.gate_strategies = strategies;
    return rc;
  };
  json arr = json::array();
  std::vector<GateLine> lines;
  try {
    for (const TargetInfo* t : targets) {
      GateLine line;
      line.target = t;
      line.strategy = c.strategy;
      if (t->expect() == Expect::finding) {
        for (int s = 1; s <= seeds; ++s) {
          Common cc = c;
          cc.seed = uint64_t(s);
          cc.runs = uint64_t(t->budget_runs);
          cc.stop_at_first = true;
          if (!t->data_race) cc.race = "off";  // its bug is not a data race: the oracle must find it
          CampaignResult r = run_campaign_jobs(*t, campaign_options(cc, *t), c.jobs);
          line.runs_to_find.push_back(r.first_finding_run < 0 ? -1 : r.first_finding_run + 1);
          line.total_runs += r.runs;
        }
        line.pass = std::none_of(line.runs_to_find.begin(), line.runs_to_find.end(), [](int64_t v) { return v < 0; });
      } else {
        line.pass = true;
        for (const auto& sname : strategies) {
          Common cc = c;
          cc.strategy = sname;
          cc.runs = clean_runs;
          cc.stop_at_first = true;
          CampaignResult r = run_campaign_jobs(*t, campaign_options(cc, *t), c.jobs);
          line.total_runs += r.runs;
          if (r.findings) {
            line.pass = false;
            clean_ok = false;
            line.unexpected.push_back(r);
          }
        }
      }
      ok &= line.pass;
      lines.push_back(line);
      if (c.json)
        arr.push_back(gate_json(line));
      else
        print_gate_line(line, seeds, clean_runs, strategies);
    }
  } catch (const std::exception& e) {
    if (!c.results.empty()) {
      write_failed_shard_result(described(), shard, "gate", e.what());
    }
    throw;
  }
  write_gate_outputs(lines, c);
  if (!c.results.empty()) {
    const Common rc = described();
    const std::string path = write_shard_result(rc, shard, shard_result_json("gate", rc, shard, {}, lines));
    if (!c.json && !c.quiet) std::printf("shard %s: result in %s\n", shard.str().c_str(), path.c_str());
  }
  if (shard.sharded()) {
    // One shard cannot judge a racy target (another shard may find it): the
    // merge gives the verdict. A synchronised target's finding is decisive.
    if (c.json) std::printf("%s\n", json{{"pass", clean_ok}, {"shard", shard.str()}, {"targets", arr}}.dump(2).c_str());
    else std::printf("gate: shard %s: %s\n", shard.str().c_str(),
                     clean_ok ? "no synchronised target had a finding; 'ipcrace merge' gives the verdict" : "VERDICT MISMATCH");
    return clean_ok ? kExitOk : kExitGateMismatch;
  }
  if (c.json) std::printf("%s\n", json{{"pass", ok}, {"targets", arr}}.dump(2).c_str());
  else std::printf("gate: %s\n", ok ? "every verdict as expected" : "VERDICT MISMATCH");
  return ok ? kExitOk : kExitGateMismatch;
}

}  // namespace ipcrace::cli
