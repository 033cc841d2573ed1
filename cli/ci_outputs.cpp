// Budgets and machine-readable outputs for CI: JUnit XML and SARIF 2.1.0.
#include <sys/stat.h>

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "race_outputs.hpp"
#include "ux_outputs.hpp"

#include "ipcrace/atomic_file.hpp"

#ifndef IPCRACE_SOURCE_DIR
#define IPCRACE_SOURCE_DIR ""
#endif

namespace ipcrace::cli {

using nlohmann::json;
namespace fs = std::filesystem;

void apply_budget(Common& c) {
  if (c.budget.empty()) return;
  uint64_t runs = 0;
  double seconds = 0;
  std::string rest = c.budget;
  while (!rest.empty()) {
    auto comma = rest.find(',');
    std::string part = rest.substr(0, comma);
    rest = comma == std::string::npos ? "" : rest.substr(comma + 1);
    size_t digits = 0;
    while (digits < part.size() && (std::isdigit(static_cast<unsigned char>(part[digits])) || part[digits] == '.')) ++digits;
    std::string num = part.substr(0, digits), unit = part.substr(digits);
    char* end = nullptr;
    double v = num.empty() ? -1 : std::strtod(num.c_str(), &end);
    if (num.empty() || *end || v <= 0)
      throw UsageError("--budget takes <N>runs and/or <S>s (or <M>m), comma-separated, got '" + c.budget + "'");
    if (unit == "runs" || unit == "run" || unit == "r") {
      if (v != double(uint64_t(v))) throw UsageError("--budget: a run count is a whole number, got '" + part + "'");
      runs = uint64_t(v);
    } else if (unit == "s") {
      seconds = v;
    } else if (unit == "m") {
      seconds = v * 60;
    } else {
      throw UsageError("--budget: unknown unit in '" + part + "' (use runs, s or m)");
    }
  }
  c.runs = runs;
  c.seconds = seconds;
}

void prepare_outputs(const Common& c) {
  for (const std::string* f : {&c.junit, &c.sarif}) {
    if (f->empty()) continue;
    fs::path dir = fs::path(*f).parent_path();
    if (!dir.empty() && !fs::is_directory(dir)) throw UsageError("no such directory for '" + *f + "'");
  }
  if (!c.report.empty()) {
    if (std::string why = check_writable_dir(c.report); !why.empty()) throw UsageError("--report: " + why);
    std::error_code ec;
    fs::create_directories(c.report, ec);
    if (ec || !fs::is_directory(c.report)) throw UsageError("cannot create report directory '" + c.report + "'");
  }
  // Found now, not at the first finding.
  if (!c.out.empty())
    if (std::string why = check_writable_dir(c.out); !why.empty()) throw UsageError("--out: " + why);
}

std::string repo_relative(const std::string& path) {
  std::string root = IPCRACE_SOURCE_DIR;
  if (!root.empty() && root.back() != '/') root += '/';
  if (!root.empty() && path.rfind(root, 0) == 0) return path.substr(root.size());
  // A build that compiles with relative paths (ccache's base_dir, a
  // -ffile-prefix-map, a build folder inside the tree) gives __FILE__ as
  // "../../targets/x.cpp": the part after the leading "../" and "./" steps.
  size_t at = 0;
  while (path.compare(at, 3, "../") == 0 || path.compare(at, 2, "./") == 0) at += path[at] == '.' && path[at + 1] == '/' ? 2 : 3;
  return path.substr(at);
}

std::vector<std::pair<Schedule, std::string>> finding_schedules(const CampaignResult& r) {
  std::vector<std::pair<Schedule, std::string>> out;
  for (const auto& f : r.schedule_files) {
    std::string err;
    if (auto s = load_schedule(f, &err)) out.emplace_back(std::move(*s), f);
  }
  if (out.empty() && r.first) out.emplace_back(*r.first, "");
  return out;
}

static void write_file(const std::string& path, const std::string& text) { write_file_atomic(path, text); }

// ---- JUnit -------------------------------------------------------------

static std::string xml(const std::string& s) {
  std::string o;
  for (char ch : s) {
    switch (ch) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      case '\'': o += "&apos;"; break;
      default:
        if (static_cast<unsigned char>(ch) < 0x20 && ch != '\n' && ch != '\t') o += ' ';
        else o += ch;
    }
  }
  return o;
}

struct Case {
  std::string name, classname, failure, detail, out;
  double seconds = 0;
};

static std::string junit(const std::string& suite, const std::vector<Case>& cases) {
  int failures = 0;
  double total = 0;
  for (const auto& c : cases) failures += !c.failure.empty(), total += c.seconds;
  char head[512];
  std::snprintf(head, sizeof head,
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                "<testsuites name=\"ipcrace\" tests=\"%zu\" failures=\"%d\" errors=\"0\" time=\"%.3f\">\n"
                "  <testsuite name=\"%s\" tests=\"%zu\" failures=\"%d\" errors=\"0\" skipped=\"0\" time=\"%.3f\">\n",
                cases.size(), failures, total, xml(suite).c_str(), cases.size(), failures, total);
  std::string o = head;
  for (const auto& c : cases) {
    char t[32];
    std::snprintf(t, sizeof t, "%.3f", c.seconds);
    o += "    <testcase name=\"" + xml(c.name) + "\" classname=\"" + xml(c.classname) + "\" time=\"" + t + "\">\n";
    if (!c.failure.empty())
      o += "      <failure message=\"" + xml(c.failure) + "\" type=\"verdict\">" + xml(c.detail) + "</failure>\n";
    if (!c.out.empty()) o += "      <system-out>" + xml(c.out) + "</system-out>\n";
    o += "    </testcase>\n";
  }
  o += "  </testsuite>\n</testsuites>\n";
  return o;
}

static std::string family_of(const std::string& target) { return target.substr(0, target.find('.')); }

static std::string result_text(const CampaignResult& r) {
  std::string s = std::to_string(r.runs) + " runs under " + r.strategy + " (seed " + std::to_string(r.seed) + "), " +
                  std::to_string(r.findings) + " findings";
  if (r.first)
    s += "; first at run " + std::to_string(r.first_finding_run + 1) + ": " + finding_kind_name(r.first->finding) +
         ": " + r.first->message;
  for (const auto& f : r.schedule_files) s += "\nreplay: ipcrace replay " + f;
  return s;
}

std::string junit_for_run(const std::vector<CampaignResult>& results) {
  std::vector<Case> cases;
  for (const auto& r : results) {
    Case c{r.target, "ipcrace." + family_of(r.target), "", "", result_text(r), r.seconds};
    if (!r.verdict_ok()) {
      c.failure = r.expect == Expect::finding ? "expected a finding, none in " + std::to_string(r.runs) + " runs"
                                              : "unexpected finding in a target expected clean";
      c.detail = c.out;
    }
    cases.push_back(std::move(c));
  }
  return junit("ipcrace.run", cases);
}

std::string junit_for_gate(const std::vector<GateLine>& lines) {
  std::vector<Case> cases;
  for (const auto& g : lines) {
    Case c{g.target->name, "ipcrace." + g.target->family, "", "", "", 0};
    if (g.target->expect() == Expect::finding) {
      std::string per;
      int missed = 0;
      for (auto v : g.runs_to_find) per += (per.empty() ? "" : " ") + std::to_string(v), missed += v < 0;
      c.out = "runs to find per " + g.strategy + " seed (-1: not found within " + std::to_string(g.target->budget_runs) + "): " + per;
      if (!g.pass) c.failure = "racy target not found for " + std::to_string(missed) + " seeds";
    } else {
      c.out = std::to_string(g.total_runs) + " runs, clean expected";
      for (const auto& r : g.unexpected) c.out += "\nunexpected under " + r.strategy + ": " + result_text(r);
      if (!g.pass) c.failure = "synchronised target has a finding";
    }
    for (const auto& r : g.unexpected) c.seconds += r.seconds;
    if (!g.pass) c.detail = c.out;
    cases.push_back(std::move(c));
  }
  return junit("ipcrace.gate", cases);
}

// ---- SARIF 2.1.0 -------------------------------------------------------

static std::string rule_id(FindingKind k) {
  std::string n = finding_kind_name(k);
  for (auto& ch : n) ch = ch == '_' ? '-' : char(std::toupper(static_cast<unsigned char>(ch)));
  return "IPCRACE-" + n;
}

static const char* rule_text(FindingKind k) {
  switch (k) {
    case FindingKind::assertion: return "An oracle (invariant or history check) failed under some interleaving.";
    case FindingKind::deadlock: return "No actor could proceed while some were still alive.";
    case FindingKind::crash: return "An actor died on a signal or sanitizer abort.";
    case FindingKind::step_limit: return "A run exceeded the step limit (livelock).";
    case FindingKind::hang: return "An actor did not reach its next scheduling point in time.";
    case FindingKind::tsan: return "ThreadSanitizer reported a data race.";
    case FindingKind::race:
      return "Two actors accessed the same shared memory, at least one writing and one not atomically, with no "
             "happens-before order between them (ipcrace's race detector; reported even when the oracle passes).";
    default: return "";
  }
}

static json sarif_log(json results) {
  json rules = json::array();
  for (int k = 1; k < int(kFindingKinds); ++k) {
    auto fk = static_cast<FindingKind>(k);
    rules.push_back({{"id", rule_id(fk)},
                     {"name", std::string("ipcrace ") + finding_kind_name(fk)},
                     {"shortDescription", {{"text", std::string(finding_kind_name(fk)) + " under a schedule"}}},
                     {"fullDescription", {{"text", rule_text(fk)}}},
                     {"defaultConfiguration", {{"level", "error"}}}});
  }
  rules.push_back({{"id", "IPCRACE-NOT-FOUND"},
                   {"name", "ipcrace racy target not found"},
                   {"shortDescription", {{"text", "a known race was not found within its budget"}}},
                   {"fullDescription",
                    {{"text", "gate: a racy reference target had no finding within its run budget for some seed."}}},
                   {"defaultConfiguration", {{"level", "error"}}}});
  std::string root = IPCRACE_SOURCE_DIR;
  if (!root.empty() && root.back() != '/') root += '/';
  json run = {{"tool",
               {{"driver",
                 {{"name", "ipcrace"},
                  {"version", "0.1"},
                  {"informationUri", "https://github.com/ipcrace/ipcrace"},
                  {"rules", rules}}}}},
              {"results", results}};
  if (!root.empty()) run["originalUriBaseIds"] = {{"SRCROOT", {{"uri", "file://" + root}}}};
  return {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"}, {"version", "2.1.0"}, {"runs", {run}}};
}

static json location(const TargetInfo* t) {
  json art = {{"uri", t ? repo_relative(t->source) : std::string("unknown")}};
  if (t && repo_relative(t->source) != t->source) art["uriBaseId"] = "SRCROOT";
  return json::array({{{"physicalLocation", {{"artifactLocation", art}, {"region", {{"startLine", 1}}}}}}});
}

static int rule_index(const std::string& id) {
  if (id == "IPCRACE-NOT-FOUND") return int(kFindingKinds) - 1;
  for (int k = 1; k < int(kFindingKinds); ++k)
    if (rule_id(static_cast<FindingKind>(k)) == id) return k - 1;
  return 0;
}

static void add_findings(json& results, const CampaignResult& r) {
  const TargetInfo* t = find_target(r.target);
  auto shown = finding_schedules(r);
  for (auto& p : more_race_schedules(r, shown)) shown.push_back(std::move(p));  // one per racing pair
  for (const auto& [s, file] : shown) {
    std::string id = rule_id(s.finding);
    std::string text = r.target + ": " + finding_kind_name(s.finding) + ": " + s.message;
    if (!file.empty()) text += " (replay: ipcrace replay " + file + ")";
    json res = {{"ruleId", id},
                {"ruleIndex", rule_index(id)},
                {"level", r.expect == Expect::finding ? "note" : "error"},
                {"message", {{"text", text}}},
                {"locations", location(t)},
                {"partialFingerprints",
                 {{"ipcraceTarget/v1", r.target + "/" + finding_kind_name(s.finding) +
                                           (s.race_pair.empty() ? "" : "/" + s.race_pair)}}},
                {"properties",
                 {{"target", r.target},
                  {"expected", r.expect == Expect::finding},
                  {"strategy", s.strategy},
                  {"seed", s.seed},
                  {"run", s.run},
                  {"steps", s.steps.size()},
                  {"preemptions", s.preemptions()},
                  {"schedule", file}}}};
    // A data race is located at both of its accesses.
    if (json both = sarif_race_locations(s, t); !both.empty()) {
      res["locations"] = both;
      res["relatedLocations"] = json::array({both[1]});
      res["properties"]["race_pair"] = s.race_pair;
    }
    results.push_back(res);
  }
}

json sarif_for_run(const std::vector<CampaignResult>& results) {
  json out = json::array();
  for (const auto& r : results) add_findings(out, r);
  return sarif_log(out);
}

json sarif_for_gate(const std::vector<GateLine>& lines) {
  json out = json::array();
  for (const auto& g : lines) {
    for (const auto& r : g.unexpected) add_findings(out, r);
    if (g.target->expect() == Expect::finding && !g.pass) {
      int missed = 0;
      for (auto v : g.runs_to_find) missed += v < 0;
      out.push_back({{"ruleId", "IPCRACE-NOT-FOUND"},
                     {"ruleIndex", rule_index("IPCRACE-NOT-FOUND")},
                     {"level", "error"},
                     {"message",
                      {{"text", g.target->name + ": the known race was not found within " +
                                    std::to_string(g.target->budget_runs) + " runs for " + std::to_string(missed) +
                                    " of " + std::to_string(g.runs_to_find.size()) + " " + g.strategy + " seeds"}}},
                     {"locations", location(g.target)},
                     {"partialFingerprints", {{"ipcraceTarget/v1", g.target->name + "/not-found"}}},
                     {"properties", {{"target", g.target->name}, {"runs_to_find", g.runs_to_find}}}});
    }
  }
  return sarif_log(out);
}

void write_run_outputs(const std::vector<CampaignResult>& results, const Common& c) {
  if (!c.junit.empty()) write_file(c.junit, junit_for_run(results));
  if (!c.sarif.empty()) write_file(c.sarif, sarif_for_run(results).dump(2) + "\n");
  if (!c.report.empty()) write_report(c.report, results);
}

void write_gate_outputs(const std::vector<GateLine>& lines, const Common& c) {
  if (!c.junit.empty()) write_file(c.junit, junit_for_gate(lines));
  if (!c.sarif.empty()) write_file(c.sarif, sarif_for_gate(lines).dump(2) + "\n");
}

}  // namespace ipcrace::cli
