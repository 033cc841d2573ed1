#include "output.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "exec/symbolize.hpp"

namespace ipcrace::cli {

using nlohmann::json;

json target_json(const TargetInfo& t) {
  json params = json::object();
  json ranges = json::object();  // what the property tests draw each parameter from
  for (const auto& [k, v] : t.defaults.all()) {
    params[k] = v;
    const auto [lo, hi] = property_range(t, k);
    ranges[k] = json::array({lo, hi});
  }
  return json{{"name", t.name},
              {"family", t.family},
              {"variant", variant_name(t.variant)},
              {"bug_class", t.bug_class},
              {"expect", expect_name(t.expect())},
              {"sync", t.sync},
              {"summary", t.summary},
              {"params", params},
              {"ranges", ranges},
              {"model", t.model.empty() ? json() : json(t.model)},
              {"budget_runs", t.budget_runs}};
}

json campaign_json(const CampaignResult& r) {
  json kinds = json::object();
  for (size_t k = 1; k < r.by_kind.size(); ++k)
    if (r.by_kind[k]) kinds[finding_kind_name(static_cast<FindingKind>(k))] = r.by_kind[k];
  json j{{"target", r.target},
         {"expect", expect_name(r.expect)},
         {"verdict", r.findings ? "finding" : "clean"},
         {"verdict_ok", r.verdict_ok()},
         {"strategy", r.strategy},
         {"actors", actor_mode_name(r.mode)},
         {"seed", r.seed},
         {"runs", r.runs},
         {"findings", r.findings},
         {"first_finding_run", r.first_finding_run},
         {"findings_by_kind", kinds},
         {"schedule_files", r.schedule_files},
         {"seconds", r.seconds}};
  if (!r.race_findings.empty()) {
    json races = json::array();
    for (const auto& f : r.race_findings)
      races.push_back({{"pair", f.pair}, {"first_run", f.run}, {"runs", f.runs}, {"message", f.schedule.message},
                       {"schedule_file", f.file}});
    j["races"] = races;
  }
  if (r.first) {
    j["first_finding"] = {{"kind", finding_kind_name(r.first->finding)},
                          {"message", r.first->message},
                          {"steps", r.first->steps.size()},
                          {"preemptions", r.first->preemptions()}};
  }
  if (r.minimized) {
    json mp = json::object();
    for (const auto& [k, v] : r.minimized->params.all()) mp[k] = v;
    j["minimized"] = {{"steps", r.minimized->steps.size()},
                      {"preemptions", r.minimized_preemptions},
                      {"original_preemptions", r.original_preemptions},
                      {"params", mp},
                      {"schedule_file", r.minimized_file}};
  }
  if (!r.strategy_summary.empty()) j["exploration"] = {{"summary", r.strategy_summary}, {"complete", r.exhausted}, {"pruned", r.pruned}};
  return j;
}

json gate_json(const GateLine& g) {
  json j{{"target", g.target->name}, {"expect", expect_name(g.target->expect())}, {"pass", g.pass}, {"runs", g.total_runs}};
  if (g.target->expect() == Expect::finding) {
    j["runs_to_find"] = g.runs_to_find;
    j["budget_runs"] = g.target->budget_runs;
    j["strategy"] = g.strategy;
  }
  json u = json::array();
  for (const auto& r : g.unexpected) u.push_back(campaign_json(r));
  j["unexpected"] = u;
  return j;
}

void print_target_table(const std::vector<TargetInfo>& targets) {
  size_t w = 6;
  for (const auto& t : targets) w = std::max(w, t.name.size());
  std::printf("%-*s  %-7s %-13s %-8s %-34s %s\n", int(w), "TARGET", "FAMILY", "VARIANT", "EXPECT", "BUG CLASS", "SYNCHRONISED BY");
  for (const auto& t : targets)
    std::printf("%-*s  %-7s %-13s %-8s %-34s %s\n", int(w), t.name.c_str(), t.family.c_str(), variant_name(t.variant),
                expect_name(t.expect()), t.bug_class.c_str(), t.sync.empty() ? "-" : t.sync.c_str());
  std::printf("%zu targets\n", targets.size());
}

void print_finding_lines(const CampaignResult& r) {
  if (!r.first) return;
  std::printf("  first finding at run %lld: %s: %s\n", static_cast<long long>(r.first_finding_run),
              finding_kind_name(r.first->finding), symbolized_message(r.target, r.first->message).c_str());
  for (const auto& f : r.schedule_files) std::printf("  replay: ipcrace replay %s\n", f.c_str());
  if (!r.race_findings.empty()) std::printf("  data races: %zu distinct pairs of access sites\n", r.race_findings.size());
  for (const auto& f : r.race_findings) {
    std::printf("    %s: first at run %llu, in %llu runs\n", f.pair.c_str(), static_cast<unsigned long long>(f.run),
                static_cast<unsigned long long>(f.runs));
    if (!f.file.empty()) std::printf("      replay: ipcrace replay %s\n", f.file.c_str());
  }
  if (r.minimized) {
    std::printf("  minimised: %zu steps, %d preemptions (was %zu, %d), %s\n", r.minimized->steps.size(),
                r.minimized_preemptions, r.first->steps.size(), r.original_preemptions,
                r.minimized->params.str().c_str());
    if (!r.minimized_file.empty()) std::printf("  replay: ipcrace replay %s\n", r.minimized_file.c_str());
  }
}

static std::string median_str(std::vector<int64_t> v) {
  if (v.empty()) return "-";
  std::sort(v.begin(), v.end());
  return std::to_string(v[v.size() / 2]);
}

void print_summary(const std::vector<CampaignResult>& results) {
  size_t w = 6;
  for (const auto& r : results) w = std::max(w, r.target.size());
  std::printf("\n%-*s  %-8s %-8s %-4s %8s %9s %11s %7s\n", int(w), "TARGET", "EXPECT", "VERDICT", "OK", "RUNS",
              "FINDINGS", "FIRST@RUN", "PREEMPT");
  int ok = 0;
  for (const auto& r : results) {
    ok += r.verdict_ok();
    std::string first = r.first_finding_run < 0 ? "-" : std::to_string(r.first_finding_run + 1);
    std::string pre = r.first ? std::to_string(r.first->preemptions()) : "-";
    if (r.minimized) pre = std::to_string(r.original_preemptions) + "->" + std::to_string(r.minimized_preemptions);
    std::printf("%-*s  %-8s %-8s %-4s %8llu %9llu %11s %7s\n", int(w), r.target.c_str(), expect_name(r.expect),
                r.findings ? "finding" : "clean", r.verdict_ok() ? "yes" : "NO",
                static_cast<unsigned long long>(r.runs), static_cast<unsigned long long>(r.findings), first.c_str(),
                pre.c_str());
  }
  std::printf("%d of %zu targets as expected\n", ok, results.size());
  for (const auto& r : results)
    if (r.first) {
      std::printf("\n%s\n", r.target.c_str());
      print_finding_lines(r);
    }
}

void print_gate_line(const GateLine& g, int seeds, uint64_t clean_runs, const std::vector<std::string>& strategies) {
  const TargetInfo& t = *g.target;
  if (t.expect() == Expect::finding) {
    int found = int(std::count_if(g.runs_to_find.begin(), g.runs_to_find.end(), [](int64_t v) { return v > 0; }));
    std::vector<int64_t> hit;
    for (auto v : g.runs_to_find)
      if (v > 0) hit.push_back(v);
    int64_t mx = hit.empty() ? 0 : *std::max_element(hit.begin(), hit.end());
    std::printf("%s %-34s found under %s for %d/%d seeds (median %s runs, max %lld; budget %d)\n",
                g.pass ? "PASS" : "FAIL", t.name.c_str(), g.strategy.c_str(), found, seeds, median_str(hit).c_str(),
                static_cast<long long>(mx), t.budget_runs);
  } else {
    std::string s;
    for (const auto& n : strategies) s += (s.empty() ? "" : ",") + n;
    std::printf("%s %-34s clean over %llu runs of each of %s\n", g.pass ? "PASS" : "FAIL", t.name.c_str(),
                static_cast<unsigned long long>(clean_runs), s.c_str());
    for (const auto& r : g.unexpected) {
      std::printf("  unexpected finding under %s:\n", r.strategy.c_str());
      print_finding_lines(r);
    }
  }
  std::fflush(stdout);
}

Progress::Progress(bool enabled) : enabled_(enabled), tty_(isatty(STDOUT_FILENO)) {}

std::function<void(const CampaignProgress&)> Progress::callback() {
  if (!enabled_) return {};
  return [this](const CampaignProgress& p) {
    double rate = p.seconds > 0 ? double(p.runs) / p.seconds : 0;
    double frac = p.budget_runs ? double(p.runs) / double(p.budget_runs) : 0;
    if (p.budget_seconds > 0) frac = std::max(frac, p.seconds / p.budget_seconds);
    frac = std::min(frac, 1.0);
    double eta = frac > 0 ? p.seconds * (1 - frac) / frac : 0;
    if (tty_) {
      int filled = int(frac * 24);
      std::string bar = std::string(size_t(filled), '#') + std::string(size_t(24 - filled), '.');
      std::printf("\r%-32.32s [%s] %7llu runs %7.0f/s findings %-6llu ETA %5.1fs", p.target->name.c_str(),
                  bar.c_str(), static_cast<unsigned long long>(p.runs), rate,
                  static_cast<unsigned long long>(p.findings), eta);
      std::fflush(stdout);
    } else if (p.seconds - last_plain_ >= 2.0) {
      last_plain_ = p.seconds;
      std::printf("%s: %llu runs, %.0f runs/s, %llu findings, ETA %.1fs\n", p.target->name.c_str(),
                  static_cast<unsigned long long>(p.runs), rate, static_cast<unsigned long long>(p.findings), eta);
      std::fflush(stdout);
    }
  };
}

void Progress::done(const CampaignResult& r) {
  if (!enabled_) return;
  if (tty_) std::printf("\r\033[K");
  std::printf("%-32s %s: %llu runs in %.1fs, %llu findings\n", r.target.c_str(), r.verdict_ok() ? "as expected" : "UNEXPECTED",
              static_cast<unsigned long long>(r.runs), r.seconds, static_cast<unsigned long long>(r.findings));
  last_plain_ = -10;
  std::fflush(stdout);
}

}  // namespace ipcrace::cli
