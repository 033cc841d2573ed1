// Probe runs: what pct, surw and auto know about a target before its
// campaign, learnt from deterministic runs of the same target and workload
// (fixed seeds, independent of the campaign's seed and of --jobs), never from
// the campaign's runs. Probe runs are not campaign runs: they are not counted
// and their findings are not reported.
#include <algorithm>
#include <map>
#include <mutex>
#include <set>

#include "ipcrace/campaign.hpp"
#include "ipcrace/portfolio.hpp"
#include "ipcrace/rng.hpp"

namespace ipcrace {
namespace {

constexpr uint64_t kProbeSeed = 0x70726f6265ULL;  // "probe"
constexpr int kRandomProbes = 3;
constexpr int kDepthProbes = 4;  // runs per candidate depth
constexpr int kMinDepth = 2;     // depth 1 never preempts: n! schedules at most
constexpr int kMaxDepth = 6;

uint64_t op_hash(const Op& op) {
  return fnv1a64(op.label ? op.label : "", 0xcbf29ce484222325ULL ^ (uint64_t(op.kind) << 8));
}

RunResult probe_run(Engine& engine, const StrategyOptions& so, uint64_t index) {
  auto st = make_strategy(so);
  st->new_run(index);
  return engine.run(*st, run_seed(kProbeSeed, index));
}

}  // namespace

std::vector<uint64_t> interleaving_pairs(const RunResult& r) {
  struct Last {
    int actor = -1;
    uint64_t op = 0;
  };
  std::vector<Last> last;
  std::vector<uint64_t> out;
  for (const Step& s : r.trace) {
    if (s.op.resource >= last.size()) last.resize(size_t(s.op.resource) + 1);
    Last& l = last[s.op.resource];
    const uint64_t h = op_hash(s.op);
    if (l.actor >= 0 && l.actor != s.actor) out.push_back(mix64(l.op * 31 + h * 7 + s.op.resource));
    l.actor = s.actor;
    l.op = h;
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

ProbeInfo probe_target(Engine& engine, bool adaptive_depth) {
  // The adaptive phase extends the base probe: the same first runs, memoised once.
  ProbeInfo base;
  if (adaptive_depth) base = probe_target(engine, false);
  static std::mutex mu;
  static std::map<std::string, ProbeInfo> memo;  // a pure function of target, workload, mode, depth phase
  const std::string key = engine.target().name + "|" + engine.params().str() + "|" +
                          actor_mode_name(engine.config().mode) + "|" + std::to_string(engine.config().step_limit) +
                          "|" + (engine.config().faults ? std::to_string(*engine.config().faults) : "t") + "|" +
                          std::to_string(engine.config().fault_budget) + (adaptive_depth ? "|d" : "");
  {
    std::lock_guard<std::mutex> g(mu);
    if (auto it = memo.find(key); it != memo.end()) return it->second;
  }
  ProbeInfo p = base;
  if (!adaptive_depth) {
    std::vector<RunResult> runs;
    StrategyOptions np;
    np.name = "fuzz-bytes";  // no bytes: every actor runs until it blocks or ends
    runs.push_back(probe_run(engine, np, 0));
    p.steps = std::max<int>(1, int(runs[0].trace.size()));
    StrategyOptions rnd;
    rnd.name = "random";
    rnd.seed = kProbeSeed;
    for (int i = 1; i <= kRandomProbes; ++i) runs.push_back(probe_run(engine, rnd, uint64_t(i)));

    std::vector<std::set<int>> touched;  // per resource: actors
    for (const auto& r : runs)
      for (const Step& s : r.trace) {
        if (s.op.resource >= touched.size()) touched.resize(size_t(s.op.resource) + 1);
        if (s.op.kind != OpKind::yield) touched[s.op.resource].insert(s.actor);
        p.actors = std::max(p.actors, int(s.actor) + 1);
      }
    p.shared.assign(touched.size(), 0);
    for (size_t i = 0; i < touched.size(); ++i) p.shared[i] = touched[i].size() >= 2;
    p.events.assign(size_t(p.actors), 0.0);
    for (const auto& r : runs) {
      int shared_steps = 0;
      for (const Step& s : r.trace)
        if (p.is_shared(s.op)) {
          p.events[s.actor] += 1.0 / double(runs.size());
          ++shared_steps;
        }
      p.shared_steps = std::max(p.shared_steps, shared_steps);
      int fault_ops = 0;  // ops that could have failed (a fault the run enables)
      for (const Step& s : r.trace) fault_ops += (s.op.faults & r.faults_enabled) != 0;
      p.fault_ops = std::max(p.fault_ops, fault_ops);
    }
    p.shared_steps = std::max(1, p.shared_steps);
    p.runs = int(runs.size());
  } else {
    // The short adaptive phase: a few pct runs at each depth; the depth whose
    // runs see the most distinct interleaving pairs wins (ties: the smaller).
    size_t best = 0;
    for (int d = kMinDepth; d <= kMaxDepth; ++d) {
      StrategyOptions po;
      po.name = "pct";
      po.seed = kProbeSeed + uint64_t(d);
      po.pct_depth = d;
      po.probe = p;
      std::set<uint64_t> pairs;
      for (int i = 0; i < kDepthProbes; ++i) {
        RunResult r = probe_run(engine, po, uint64_t(i));
        for (uint64_t h : interleaving_pairs(r)) pairs.insert(h);
      }
      p.runs += kDepthProbes;
      if (pairs.size() > best) best = pairs.size(), p.depth = d;
    }
    if (p.depth == 0) p.depth = 3;
  }
  std::lock_guard<std::mutex> g(mu);
  memo.emplace(key, p);
  return p;
}

bool strategy_uses_probe(const std::string& name) { return name == "pct" || name == "surw" || name == "auto"; }

void prepare_strategy(Engine& engine, StrategyOptions& so, bool lazy_depth) {
  if (!strategy_uses_probe(so.name) || so.probe.runs || engine.config().mode == ActorMode::free) return;
  const bool adaptive = so.pct_depth <= 0 && (so.name == "pct" || (so.name == "auto" && !lazy_depth));
  so.probe = probe_target(engine, adaptive);
}

bool depth_due(const StrategyOptions& so, uint64_t index) {
  if (so.name != "auto" || so.pct_depth > 0 || !so.probe.runs || so.probe.depth) return false;
  const auto& m = auto_members();
  const int pct = int(std::find(m.begin(), m.end(), "pct") - m.begin());
  return auto_member(index, so.auto_weights.empty() ? auto_warmup_weights() : so.auto_weights) == pct;
}

}  // namespace ipcrace
