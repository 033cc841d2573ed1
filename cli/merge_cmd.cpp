// ipcrace merge: shard results -> the result one machine would have had.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <sys/stat.h>

#include "ipcrace/exit_codes.hpp"
#include "ipcrace/schedule.hpp"
#include "shard.hpp"
#include "ux_outputs.hpp"

namespace ipcrace::cli {

using nlohmann::json;

namespace {

constexpr size_t kMaxResultBytes = 256u << 20;

json load_result(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) throw InputError("cannot read shard result " + path + ": no such file");
  if (!S_ISREG(st.st_mode)) throw InputError(path + ": not a regular file");
  if (size_t(st.st_size) > kMaxResultBytes) throw InputError(path + ": larger than a shard result can be (256 MiB)");
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buf;
  buf << in.rdbuf();
  json j = json::parse(buf.str(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object() || !j.contains("ipcrace_shard_result"))
    throw InputError(path + ": not an ipcrace shard result (written by --results)");
  if (j["ipcrace_shard_result"] != 1) throw InputError(path + ": unsupported shard result version");
  return j;
}

Schedule schedule_of(const json& text, const std::string& file) {
  std::string err;
  auto s = parse_schedule(text.get<std::string>(), &err);
  if (!s) throw InputError(file + ": a schedule in it is malformed: " + err);
  return *s;
}

// One target's campaign, summed over shards in global run order.
struct Merged {
  CampaignResult r;
  std::vector<std::pair<uint64_t, Schedule>> firsts;  // every shard's first of each kind
  std::optional<Schedule> minimized;                  // of the global first finding
  int min_pre = -1, orig_pre = -1;
  double cpu_seconds = 0;
  int parts = 0;  // shards merged into it
};

void add_target(Merged& m, const json& t, const std::string& file) {
  CampaignResult& r = m.r;
  r.target = t.at("target");
  r.expect = t.at("expect") == "finding" ? Expect::finding : Expect::clean;
  r.strategy = t.at("strategy");
  r.mode = actor_mode_from_name(t.at("actors").get<std::string>()).value_or(ActorMode::processes);
  r.seed = t.at("seed");
  r.runs += t.at("runs").get<uint64_t>();
  r.findings += t.at("findings").get<uint64_t>();
  r.pruned += t.at("pruned").get<uint64_t>();
  for (const auto& [k, v] : t.at("findings_by_kind").items())
    if (auto kind = finding_kind_from_name(k)) r.by_kind[size_t(*kind)] += v.get<uint64_t>();
  const int64_t first = t.at("first_finding_run");
  const bool earlier = first >= 0 && (r.first_finding_run < 0 || first < r.first_finding_run);
  if (earlier) {
    r.first_finding_run = first;
    m.minimized.reset();
    if (t.contains("minimized")) {
      m.minimized = schedule_of(t["minimized"]["schedule"], file);
      m.min_pre = t["minimized"]["preemptions"];
      m.orig_pre = t["minimized"]["original_preemptions"];
    }
  }
  for (const auto& f : t.at("kind_firsts")) m.firsts.emplace_back(f.at("run").get<uint64_t>(), schedule_of(f.at("schedule"), file));
  if (t.contains("races"))  // per pair of access sites: the earliest run's schedule, runs added up
    for (const auto& f : t.at("races")) {
      RaceFinding rf;
      rf.pair = f.at("pair");
      rf.run = f.at("run");
      rf.runs = f.at("runs");
      rf.schedule = schedule_of(f.at("schedule"), file);
      merge_race_finding(r.race_findings, std::move(rf));
    }
  r.seconds = std::max(r.seconds, t.at("seconds").get<double>());
  m.cpu_seconds += t.at("seconds").get<double>();
  // explore: the bounded space is complete when every shard's subtrees are.
  const bool exhausted = t.value("exhausted", false);
  r.exhausted = m.parts == 0 ? exhausted : r.exhausted && exhausted;
  const std::string summary = t.value("summary", "");
  if (!summary.empty()) r.strategy_summary += (r.strategy_summary.empty() ? "" : "; ") + summary;
  ++m.parts;
}

// As one process would have kept them: the first finding, then the first of
// each new kind, in global run order; saved (at most 3) into `out`.
void finish(Merged& m, const std::string& out) {
  CampaignResult& r = m.r;
  std::sort(m.firsts.begin(), m.firsts.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::set<FindingKind> seen;
  for (auto& [run, s] : m.firsts) {
    if (!seen.insert(s.finding).second) continue;
    if (!out.empty() && r.schedule_files.size() < 3) r.schedule_files.push_back(save_schedule(s, out));
    r.kind_firsts.push_back(s);
    if (!r.first) r.first = s;
  }
  save_race_findings(r.race_findings, out);
  if (m.minimized) {
    r.minimized = m.minimized;
    r.minimized_preemptions = m.min_pre;
    r.original_preemptions = m.orig_pre;
    if (!out.empty()) r.minimized_file = save_schedule(*m.minimized, out);
  }
}

}  // namespace

int cmd_merge(const MergeOptions& o) {
  if (o.files.empty()) throw UsageError("merge: give the shard result files");
  prepare_outputs(o.c);
  // Load and check: one campaign, every shard exactly once, none failed.
  std::vector<json> results;
  std::map<uint64_t, std::string> by_index;
  uint64_t count = 0;
  json campaign;
  std::vector<std::string> problems;
  for (const auto& f : o.files) {
    json j = load_result(f);
    const uint64_t i = j.at("shard").at("index"), n = j.at("shard").at("count");
    if (results.empty()) {
      count = n;
      campaign = j.at("campaign");
    } else if (n != count) {
      throw InputError(f + ": shard " + std::to_string(i) + "/" + std::to_string(n) + " is of a campaign of " +
                       std::to_string(n) + " shards, the others of " + std::to_string(count));
    } else if (j.at("campaign") != campaign) {
      std::string differ;  // the settings that differ, by name (a key only one side has counts too)
      for (const json* side : {&campaign, &j.at("campaign")})
        for (auto it = side->begin(); it != side->end(); ++it)
          if (differ.find(" " + it.key() + ",") == std::string::npos &&
              (!campaign.contains(it.key()) || !j.at("campaign").contains(it.key()) ||
               campaign.at(it.key()) != j.at("campaign").at(it.key())))
            differ += " " + it.key() + ",";
      if (!differ.empty()) differ.pop_back();
      throw InputError(f + ": shard " + std::to_string(i) + "/" + std::to_string(n) +
                       " ran another campaign than " + o.files.front() + " (differ:" + differ + ")");
    }
    if (i >= n) throw InputError(f + ": shard index " + std::to_string(i) + " is not below its count " + std::to_string(n));
    if (auto it = by_index.find(i); it != by_index.end())
      throw InputError("shard " + std::to_string(i) + "/" + std::to_string(n) + " given twice: " + it->second + " and " + f);
    by_index[i] = f;
    if (j.value("status", "") != "ok")
      problems.push_back("shard " + std::to_string(i) + "/" + std::to_string(n) + " (" + f + ") failed: " +
                         j.value("error", "no error recorded"));
    results.push_back(std::move(j));
  }
  for (uint64_t i = 0; i < count; ++i)
    if (!by_index.count(i)) problems.push_back("shard " + std::to_string(i) + "/" + std::to_string(count) + " is missing");

  const std::string what = campaign.at("command");
  // Per target, in the order of the first shard's list.
  std::vector<std::string> order;
  std::map<std::string, Merged> merged;
  std::map<std::string, GateLine> gate;
  std::map<std::string, std::vector<Merged>> gate_unexpected;
  for (size_t k = 0; k < results.size(); ++k) {
    const json& j = results[k];
    for (const auto& t : j.at("targets")) {
      const std::string name = t.at("target");
      if (!merged.count(name)) order.push_back(name);
      add_target(merged[name], t, o.files[k]);
    }
    for (const auto& g : j.at("gate")) {
      const std::string name = g.at("target");
      const TargetInfo* ti = find_target(name);
      if (!ti) throw InputError(o.files[k] + ": unknown target '" + name + "' (another ipcrace build?)");
      auto [it, fresh] = gate.try_emplace(name);
      GateLine& line = it->second;
      if (fresh) {
        order.push_back(name);
        line.target = ti;
      }
      const auto rtf = g.at("runs_to_find").get<std::vector<int64_t>>();
      if (line.runs_to_find.empty()) line.runs_to_find.assign(rtf.size(), -1);
      for (size_t s = 0; s < rtf.size() && s < line.runs_to_find.size(); ++s)
        if (rtf[s] > 0 && (line.runs_to_find[s] < 0 || rtf[s] < line.runs_to_find[s])) line.runs_to_find[s] = rtf[s];
      line.total_runs += g.at("total_runs").get<uint64_t>();
      for (const auto& u : g.at("unexpected")) {
        Merged m;
        add_target(m, u, o.files[k]);
        gate_unexpected[name].push_back(std::move(m));
      }
    }
  }

  json out_targets = json::array();
  json signatures = json::array();
  std::set<std::string> seen_sig;
  std::vector<CampaignResult> runs;
  std::vector<GateLine> lines;
  bool any_finding = false, gate_ok = true;
  for (const auto& name : order) {
    if (auto it = merged.find(name); it != merged.end()) {
      Merged& m = it->second;
      finish(m, o.c.out);
      json tj = campaign_json(m.r);
      tj["cpu_seconds"] = m.cpu_seconds;
      out_targets.push_back(tj);
      for (const Schedule& s : m.r.kind_firsts) {
        const bool is_first = m.r.first && s.run == m.r.first->run;
        std::string sig = finding_signature(name, s, is_first && m.r.minimized ? &*m.r.minimized : nullptr);
        if (seen_sig.insert(sig).second)
          signatures.push_back({{"signature", sig}, {"target", name}, {"kind", finding_kind_name(s.finding)},
                                {"message", normalised_message(s.message)}, {"run", s.run}});
      }
      any_finding |= m.r.findings > 0;
      runs.push_back(m.r);
    } else {
      GateLine& line = gate.at(name);
      for (auto& m : gate_unexpected[name]) {
        finish(m, o.c.out);
        line.unexpected.push_back(m.r);
      }
      if (line.target->expect() == Expect::finding)
        line.pass = !line.runs_to_find.empty() &&
                    std::none_of(line.runs_to_find.begin(), line.runs_to_find.end(), [](int64_t v) { return v < 0; });
      else
        line.pass = line.unexpected.empty();
      gate_ok &= line.pass;
      out_targets.push_back(gate_json(line));
      lines.push_back(line);
    }
  }
  json merged_json{{"ipcrace_merged_result", 1}, {"campaign", campaign},  {"shards", count},
                   {"shards_merged", by_index.size()}, {"problems", problems}, {"targets", out_targets},
                   {"findings", signatures}};
  if (what == "gate") merged_json["pass"] = gate_ok && problems.empty();
  if (!o.out.empty()) {
    std::ofstream f(o.out, std::ios::binary | std::ios::trunc);
    f << merged_json.dump(2) << "\n";
    if (!f) throw UsageError("cannot write " + o.out);
  }
  if (what == "gate") {
    write_gate_outputs(lines, o.c);
  } else {
    write_run_outputs(runs, o.c);
  }
  if (o.c.json) {
    std::printf("%s\n", merged_json.dump(2).c_str());
  } else {
    std::printf("merged %zu of %llu shards of a '%s' campaign\n", by_index.size(), static_cast<unsigned long long>(count),
                what.c_str());
    if (what == "gate") {
      for (const auto& l : lines)
        print_gate_line(l, int(campaign.value("gate_seeds", 0)), campaign.value("gate_clean_runs", uint64_t(0)),
                        campaign.value("gate_strategies", std::vector<std::string>{}));
    } else {
      print_summary(runs);
    }
    std::printf("%zu distinct findings (by signature)\n", signatures.size());
  }
  for (const auto& p : problems) std::fprintf(stderr, "ipcrace: merge: %s\n", p.c_str());
  if (!problems.empty()) return kExitIncompleteMerge;
  if (what == "gate") return gate_ok ? kExitOk : kExitGateMismatch;
  return any_finding ? kExitFinding : kExitOk;
}

}  // namespace ipcrace::cli
