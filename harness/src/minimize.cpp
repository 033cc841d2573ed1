// Minimisation of failing schedules: see ipcrace/minimize.hpp.
//
// Candidates, tried in rounds until none improves or the budget runs out:
//   1. truncation: a prefix of the decisions, ending just before or just after
//      a context switch (lenient replay then lets the running actor go on);
//   2. preemption removal: at a switch away from actor p, move p's next block
//      of decisions forward so that p keeps running;
//   3. block shortening: every run of one actor's decisions cut to 1..4 steps;
//   4. delta debugging: remove chunks of decisions (halves, quarters, ...);
//   5. workload: each integer parameter halved, then decreased by one, with the
//      current decisions and with their blocks cut short;
//   6. faults: each fault of the schedule dropped (its step kept);
//   7. bounded search, when a round of 1-6 found nothing: for each preemption,
//      from the last to the first, the decisions before it are kept and dfs
//      explores the continuations with one preemption fewer in all (CHESS's
//      iterative context bounding, rooted at the schedule's own prefix).
// A decision is an actor and the fault it was granted with (code: actor |
// fault << 8); the passes move faults with their decisions.
// A candidate is accepted when it is the same bug (the same finding
// signature, ipcrace/signature.hpp: a deadlock's blocked ops, an assertion's
// message with numbers normalised, a race's pair of sites) and lowers the key
// (faults, preemptions, steps, sum of parameters) lexicographically; parameter
// candidates may keep the same faults, preemptions and steps.
#include "ipcrace/minimize.hpp"

#include <sched.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <tuple>

#include "ipcrace/errors.hpp"
#include "ipcrace/fault_kind.hpp"
#include "ipcrace/replay.hpp"
#include "race/findings.hpp"
#include "ipcrace/signature.hpp"

namespace ipcrace {
namespace {

using Clock = std::chrono::steady_clock;

struct Candidate {
  Params params;
  Schedule schedule;  // re-recorded, complete
  int preemptions = 0;
};

int64_t param_sum(const Params& p) {
  int64_t s = 0;
  for (const auto& [k, v] : p.all()) s += v;
  return s;
}

std::tuple<std::pair<int, int>, size_t, int64_t> key(const Candidate& c) {
  return {{c.schedule.fault_steps(), c.preemptions}, c.schedule.steps.size(), param_sum(c.params)};
}

int actor_of(int code) { return code & 0xff; }

std::vector<int> codes(const Schedule& s) {
  std::vector<int> d;
  for (const auto& st : s.steps) d.push_back(st.actor | int(st.fault) << 8);
  return d;
}

// The first decisions as given (a prefix of a recorded schedule: actor |
// fault << 8), then dfs over every continuation within `bound` preemptions
// more (switches at yields, blocking and exits are free, preemption_steps).
class PrefixDfs final : public Strategy {
 public:
  PrefixDfs(std::vector<int> prefix, int bound) : prefix_(std::move(prefix)) {
    StrategyOptions o;
    o.name = "dfs";
    o.preemption_bound = bound;
    dfs_ = make_strategy(o);
  }
  std::string name() const override { return "dfs"; }
  bool independent_runs() const override { return false; }
  bool new_run(uint64_t index) override { return dfs_->new_run(index); }
  int next_actor(const SchedView& v) override {
    if (size_t(v.step) >= prefix_.size()) return dfs_->next_actor(v);
    const int a = actor_of(prefix_[size_t(v.step)]);
    return std::find(v.enabled.begin(), v.enabled.end(), a) != v.enabled.end() ? a : kAbortRun;
  }
  int next_fault(const SchedView& v, int actor, uint32_t possible) override {
    if (size_t(v.step) >= prefix_.size()) return dfs_->next_fault(v, actor, possible);
    const int f = prefix_[size_t(v.step)] >> 8;
    return f && (possible & fault_bit(FaultKind(f))) ? f : 0;
  }
  uint64_t next_value(uint64_t bound) override { return dfs_->next_value(bound); }
  void end_run(RunResult& r) override { dfs_->end_run(r); }

 private:
  std::vector<int> prefix_;
  std::unique_ptr<Strategy> dfs_;
};

class Minimizer {
 public:
  Minimizer(const TargetInfo& t, const Schedule& in, const MinimizeOptions& o) : t_(t), in_(in), o_(o) {
    cfg_ = replay_config(in);  // every setting the schedule records
    if (o.watchdog_ms > 0) cfg_.watchdog_ms = o.watchdog_ms;
    if (o.step_limit > 0) cfg_.step_limit = o.step_limit;
    cfg_.cpu = o.cpu == -2 ? sched_getcpu() : o.cpu;
    t0_ = Clock::now();
  }

  MinimizeResult run() {
    Params p0 = resolve_params(t_, in_.params);
    Engine* e = engine(p0);
    if (!e) throw std::invalid_argument("the schedule's parameters are not valid for " + t_.name);
    auto strict = make_replay_strategy(in_, false);
    strict->new_run(0);
    RunResult r = e->run(*strict, in_.run_seed);
    ++runs_;
    if (r.diverged || r.kind != in_.finding || !same_race(r))
      throw std::runtime_error("the schedule does not reproduce its finding (" +
                               std::string(r.diverged ? "divergence: " + r.divergence
                                                      : std::string("got ") + finding_kind_name(r.kind)) +
                               "), nothing to minimise");
    signature_ = finding_signature(r);
    Candidate cur{p0, record(*e, r), r.preemptions};
    MinimizeResult res;
    res.before = counts(cur);

    bool improved = true;
    while (improved && !out_of_budget()) {
      improved = false;
      improved |= truncate(cur);
      improved |= remove_preemptions(cur);
      improved |= shorten_blocks(cur);
      improved |= ddmin(cur);
      improved |= drop_faults(cur);
      if (o_.workload) improved |= shrink_params(cur);
      if (!improved) improved = bounded_search(cur);
    }
    res.schedule = cur.schedule;
    const std::string suffix = "+min";
    if (res.schedule.strategy.size() < suffix.size() ||
        res.schedule.strategy.compare(res.schedule.strategy.size() - suffix.size(), suffix.size(), suffix) != 0)
      res.schedule.strategy += suffix;
    res.after = counts(cur);
    res.runs = runs_;
    res.seconds = std::chrono::duration<double>(Clock::now() - t0_).count();
    res.budget_hit = out_of_budget();
    return res;
  }

 private:
  static MinimizeCounts counts(const Candidate& c) { return {c.schedule.steps.size(), c.preemptions, c.params}; }
  static bool rejected_message(const std::string& m) { return m.find("uncaught exception") != std::string::npos; }
  static bool rejected(const RunResult& r) { return rejected_message(r.message); }

  bool out_of_budget() const {
    if (o_.max_runs > 0 && runs_ >= o_.max_runs) return true;
    if (o_.max_seconds > 0 && std::chrono::duration<double>(Clock::now() - t0_).count() >= o_.max_seconds) return true;
    return false;
  }

  Engine* engine(const Params& p) {
    const std::string k = p.str();
    auto it = engines_.find(k);
    if (it != engines_.end()) return it->second.get();
    if (engines_.size() > 6) engines_.clear();  // bounded; the current one is rebuilt on demand
    std::unique_ptr<Engine> e;
    for (int attempt = 0; attempt < 2 && !e; ++attempt) {
      try {
        e = std::make_unique<Engine>(t_, resolve_params(t_, p), cfg_);
      } catch (const std::exception&) {
        if (attempt == 0 && !engines_.empty() && resource_error_now()) {
          engines_.clear();  // the cached engines hold descriptors: free them, try once more
          continue;
        }
        rethrow_if_resource_error();  // out of descriptors or space: not a rejected workload
        e.reset();
        break;
      }
    }
    return (engines_[k] = std::move(e)).get();
  }

  static bool resource_error_now() {
    try {
      throw;
    } catch (const std::system_error& e) {
      return is_resource_error(e);
    } catch (...) {
      return false;
    }
  }

  // One run of `st` on the engine for `p`. Nullopt when the scenario rejects
  // the workload (an exception); a resource error (descriptors, space) first
  // frees the cached engines and retries once, then propagates.
  std::optional<RunResult> run_on(const Params& p, const Schedule& s, bool lenient) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      Engine* e = engine(p);
      if (!e) return std::nullopt;
      auto st = make_replay_strategy(s, lenient);
      st->new_run(0);
      try {
        return e->run(*st, in_.run_seed);
      } catch (const std::exception&) {
        if (attempt == 0 && engines_.size() > 1 && resource_error_now()) {
          auto keep = std::move(engines_[p.str()]);
          engines_.clear();
          engines_[p.str()] = std::move(keep);
          continue;
        }
        rethrow_if_resource_error();
        return std::nullopt;  // the scenario rejects this workload (e.g. too few actors for its roles)
      }
    }
    return std::nullopt;
  }

  // A race schedule about one pair of access sites (Schedule::race_pair):
  // every candidate must show that pair, and is recorded focused on it.
  bool same_race(const RunResult& r) const {
    return in_.finding != FindingKind::race || in_.race_pair.empty() || race::race_on_pair(r, in_.race_pair);
  }

  Schedule record(Engine& e, const RunResult& r) const {
    Schedule s = schedule_from_run(in_.target, e.params(), cfg_.mode, in_.strategy, in_.seed, in_.run, in_.run_seed, r);
    if (in_.finding == FindingKind::race && !in_.race_pair.empty())
      if (const RaceReport* rep = race::race_on_pair(r, in_.race_pair)) race::focus_schedule(s, r, *rep);
    return s;
  }

  // Lenient replay of `decisions` under `p`; the re-recorded candidate if it
  // keeps the finding kind and a strict replay of it agrees.
  std::optional<Candidate> test(const Params& p, const std::vector<int>& decisions) {
    if (out_of_budget()) return std::nullopt;
    std::string k = p.str() + "|";
    for (int d : decisions) k += std::to_string(d) + ",";
    if (!tried_.insert(k).second) return std::nullopt;
    Schedule want;
    want.target = in_.target;
    for (int d : decisions)
      want.steps.push_back(ScheduleStep{actor_of(d), OpKind::yield, 0, "", static_cast<FaultKind>(d >> 8)});
    ++runs_;
    std::optional<RunResult> got = run_on(p, want, true);
    if (!got) return std::nullopt;
    RunResult& r = *got;
    Engine* e = engine(p);
    if (std::getenv("IPCRACE_MINIMIZE_DEBUG"))
      std::fprintf(stderr, "candidate %s [%zu decisions]: %s, %zu steps\n", p.str().c_str(), decisions.size(),
                   finding_kind_name(r.kind), r.trace.size());
    if (r.kind != in_.finding || !same_race(r)) return std::nullopt;
    // Another bug of the same kind (a race: its pair of sites, same_race).
    if (r.kind != FindingKind::race && finding_signature(r) != signature_) return std::nullopt;
    // A workload the scenario rejects (an actor throws: "too few actors for
    // its roles") is an assertion too, but not this finding.
    if (rejected(r) && !rejected_message(in_.message)) return std::nullopt;
    Candidate c{p, record(*e, r), r.preemptions};
    return c;
  }

  // Accept `c` if it is better than `cur` and a strict replay reproduces it.
  bool accept(Candidate& cur, std::optional<Candidate>& c, bool params_step) {
    if (!c) return false;
    auto kc = key(*c), kk = key(cur);
    bool better = params_step ? (std::get<0>(kc) < std::get<0>(kk) ||
                                 (std::get<0>(kc) == std::get<0>(kk) && std::get<1>(kc) <= std::get<1>(kk))) &&
                                    std::get<2>(kc) < std::get<2>(kk)
                              : kc < kk;
    if (!better) return false;
    ++runs_;
    std::optional<RunResult> got = run_on(c->params, c->schedule, false);
    if (!got) return false;
    RunResult& r = *got;
    if (r.diverged || r.kind != in_.finding || !same_race(r)) return false;
    if (r.kind != FindingKind::race && finding_signature(r) != signature_) return false;
    if (rejected(r) && !rejected_message(in_.message)) return false;
    c->schedule.message = record(*engine(c->params), r).message;
    cur = std::move(*c);
    if (o_.log)
      o_.log(std::to_string(cur.schedule.steps.size()) + " steps, " + std::to_string(cur.preemptions) +
             " preemptions, " + cur.params.str());
    return true;
  }

  static std::vector<size_t> switches(const std::vector<int>& d) {
    std::vector<size_t> s;
    for (size_t i = 1; i < d.size(); ++i)
      if (actor_of(d[i]) != actor_of(d[i - 1])) s.push_back(i);
    return s;
  }

  static std::vector<int> cap_blocks(const std::vector<int>& d, size_t cap) {
    std::vector<int> out;
    for (size_t i = 0; i < d.size();) {
      size_t j = i;
      while (j < d.size() && actor_of(d[j]) == actor_of(d[i])) ++j;
      for (size_t k = 0; k < std::min(cap, j - i); ++k) out.push_back(d[i]);
      i = j;
    }
    return out;
  }

  // Every block of one actor's steps cut to `cap` steps, for small caps.
  bool shorten_blocks(Candidate& cur) {
    bool any = false;
    for (size_t cap = 1; cap <= 4 && !out_of_budget(); ++cap) {
      auto c = test(cur.params, cap_blocks(codes(cur.schedule), cap));
      any |= accept(cur, c, false);
    }
    return any;
  }

  bool truncate(Candidate& cur) {
    bool any = false;
    for (bool again = true; again && !out_of_budget();) {
      again = false;
      auto d = codes(cur.schedule);
      std::vector<size_t> cuts{0};
      for (size_t i : switches(d)) {
        cuts.push_back(i);
        cuts.push_back(i + 1);
      }
      for (size_t n : cuts) {
        if (n >= d.size()) break;
        auto c = test(cur.params, std::vector<int>(d.begin(), d.begin() + long(n)));
        if (accept(cur, c, false)) {
          any = again = true;
          break;
        }
      }
    }
    return any;
  }

  bool remove_preemptions(Candidate& cur) {
    bool any = false;
    for (bool again = true; again && !out_of_budget();) {
      again = false;
      auto d = codes(cur.schedule);
      for (size_t i : switches(d)) {
        int p = actor_of(d[i - 1]);
        size_t j = i;
        while (j < d.size() && actor_of(d[j]) != p) ++j;
        if (j == d.size()) continue;
        size_t k = j;
        while (k < d.size() && actor_of(d[k]) == p) ++k;
        std::vector<int> m(d.begin(), d.begin() + long(i));
        m.insert(m.end(), d.begin() + long(j), d.begin() + long(k));
        m.insert(m.end(), d.begin() + long(i), d.begin() + long(j));
        m.insert(m.end(), d.begin() + long(k), d.end());
        auto c = test(cur.params, m);
        if (accept(cur, c, false)) {
          any = again = true;
          break;
        }
      }
    }
    return any;
  }

  // Each fault in turn dropped (its decision kept): a minimised finding keeps
  // only the faults it needs.
  bool drop_faults(Candidate& cur) {
    bool any = false;
    for (bool again = true; again && !out_of_budget();) {
      again = false;
      auto d = codes(cur.schedule);
      for (size_t i = 0; i < d.size(); ++i) {
        if (d[i] >> 8 == 0) continue;
        auto m = d;
        m[i] = actor_of(m[i]);
        auto c = test(cur.params, m);
        if (accept(cur, c, false)) {
          any = again = true;
          break;
        }
      }
    }
    return any;
  }

  bool bounded_search(Candidate& cur) {
    const auto d = codes(cur.schedule);
    const auto pre = preemption_steps(cur.schedule);
    for (size_t k = pre.size(); k-- > 0 && !out_of_budget();) {
      const int bound = cur.preemptions - 1 - int(k);  // the prefix keeps k of them
      if (bound < 0) continue;
      PrefixDfs st(std::vector<int>(d.begin(), d.begin() + long(pre[k])), bound);
      for (int i = 0; i < kSearchRuns && !out_of_budget() && st.new_run(uint64_t(i)); ++i) {
        ++runs_;
        Engine* e = engine(cur.params);
        if (!e) return false;
        std::optional<RunResult> got;
        try {
          got = e->run(st, in_.run_seed);
        } catch (const std::exception&) {
          rethrow_if_resource_error();
          break;  // e.g. dfs found the prefix's continuation not deterministic: the next preemption
        }
        RunResult& r = *got;
        if (r.aborted || r.pruned || r.kind != in_.finding || !same_race(r)) continue;
        if (r.kind != FindingKind::race && finding_signature(r) != signature_) continue;
        if (rejected(r) && !rejected_message(in_.message)) continue;
        std::optional<Candidate> c = Candidate{cur.params, record(*e, r), r.preemptions};
        if (accept(cur, c, false)) return true;
      }
    }
    return false;
  }
  static constexpr int kSearchRuns = 100;  // dfs runs per preemption tried

  bool ddmin(Candidate& cur) {
    bool any = false;
    size_t n = 2;
    while (!out_of_budget()) {
      auto d = codes(cur.schedule);
      if (d.size() < 2 || n > d.size()) break;
      size_t chunk = (d.size() + n - 1) / n;
      bool hit = false;
      for (size_t s = 0; s < d.size() && !out_of_budget(); s += chunk) {
        std::vector<int> m(d.begin(), d.begin() + long(s));
        m.insert(m.end(), d.begin() + long(std::min(d.size(), s + chunk)), d.end());
        auto c = test(cur.params, m);
        if (accept(cur, c, false)) {
          any = hit = true;
          break;
        }
      }
      if (hit) {
        n = std::max<size_t>(2, n - 1);
      } else {
        if (chunk == 1) break;
        n = std::min(d.size(), n * 2);
      }
    }
    return any;
  }

  bool shrink_params(Candidate& cur) {
    bool any = false;
    std::vector<std::string> keys;
    if (cur.params.has("actors")) keys.push_back("actors");
    for (const auto& [k, v] : cur.params.all())
      if (k != "actors") keys.push_back(k);
    for (const auto& k : keys) {
      for (bool again = true; again && !out_of_budget();) {
        again = false;
        int64_t v = cur.params.get(k);
        std::vector<int64_t> tries;
        if (v > 2) tries.push_back(v / 2);
        if (v > 1) tries.push_back(v - 1);
        for (int64_t nv : tries) {
          Params p = cur.params;
          p.set(k, nv);
          int actors = int(p.get("actors", kMaxActors));
          std::vector<int> d;
          for (int a : codes(cur.schedule))
            if (actor_of(a) < actors) d.push_back(a);
          // The same decisions, then the same pattern of switches with every
          // block of one actor's steps cut to at most `cap` steps (a smaller
          // workload has shorter blocks).
          bool hit = false;
          for (int cap : {0, 1, 2, 3, 4}) {
            auto c = test(p, cap ? cap_blocks(d, size_t(cap)) : d);
            if (!c) continue;
            std::optional<Candidate> local = *c;
            if (accept(cur, c, true)) {
              hit = true;
              break;
            }
            // It reproduces with the smaller workload, but with more
            // preemptions or steps: shrink its decisions first, then compare.
            truncate(*local);
            remove_preemptions(*local);
            shorten_blocks(*local);
            if (accept(cur, local, true)) {
              hit = true;
              break;
            }
          }
          if (hit) {
            any = again = true;
            break;
          }
        }
      }
    }
    return any;
  }

  const TargetInfo& t_;
  const Schedule& in_;
  const MinimizeOptions& o_;
  RunConfig cfg_;
  Clock::time_point t0_;
  int runs_ = 0;
  std::map<std::string, std::unique_ptr<Engine>> engines_;
  std::set<std::string> tried_;
  std::string signature_;  // of the input's finding, as replayed
};

}  // namespace

MinimizeResult minimize_schedule(const Schedule& input, const MinimizeOptions& opts) {
  if (input.finding == FindingKind::none)
    throw std::invalid_argument("the schedule records no finding; only failing schedules can be minimised");
  const TargetInfo* t = find_target(input.target);
  if (!t) throw std::invalid_argument("unknown target '" + input.target + "'");
  return Minimizer(*t, input, opts).run();
}

}  // namespace ipcrace
