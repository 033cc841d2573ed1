// Data races in the reports: see race_outputs.hpp.
#include "race_outputs.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

#include "ux_outputs.hpp"

namespace ipcrace::cli {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// The first line of `path` that contains `needle` (0: none).
int line_of(const std::string& path, const std::string& needle) {
  std::ifstream in(path);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n)
    if (line.find(needle) != std::string::npos) return n;
  return 0;
}

std::string absolute(const std::string& p) {
  if (p.empty() || p[0] == '/') return p;
  return (fs::path(IPCRACE_SOURCE_DIR) / repo_relative(p)).string();
}

}  // namespace

SourceLine label_source(const std::string& label, const TargetInfo* t) {
  const size_t colon = label.rfind(':');
  if (colon != std::string::npos && colon > 0 && colon + 1 < label.size() &&
      label.find_first_not_of("0123456789", colon + 1) == std::string::npos)
    return {label.substr(0, colon), std::stoi(label.substr(colon + 1))};
  if (!t) return {"unknown", 1};
  static std::map<std::string, SourceLine> memo;  // one report asks for the same sites often
  const std::string key = t->name + "\n" + label;
  if (auto it = memo.find(key); it != memo.end()) return it->second;
  SourceLine out{t->source, 1};
  if (!label.empty()) {
    const std::string quoted = "\"" + label + "\"";
    if (int n = line_of(absolute(t->source), quoted)) {
      out.line = n;
    } else {
      std::error_code ec;
      const fs::path dir = fs::path(IPCRACE_SOURCE_DIR) / "mechanisms" / t->family;
      std::vector<fs::path> files;
      for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
           it.increment(ec))
        if (it->is_regular_file(ec)) files.push_back(it->path());
      std::sort(files.begin(), files.end());
      for (const auto& f : files)
        if (int n = line_of(f.string(), quoted)) {
          out = {f.string(), n};
          break;
        }
    }
  }
  return memo[key] = out;
}

json sarif_race_locations(const Schedule& s, const TargetInfo* t) {
  json out = json::array();
  if (s.race_first < 0 || s.race_second < 0 || size_t(s.race_second) >= s.steps.size()) return out;
  int id = 0;
  for (int step : {s.race_first, s.race_second}) {
    const ScheduleStep& st = s.steps[size_t(step)];
    const SourceLine src = label_source(st.label, t);
    const std::string rel = repo_relative(src.file);
    json art = {{"uri", rel}};
    if (rel != src.file || (!rel.empty() && rel[0] != '/')) art["uriBaseId"] = "SRCROOT";
    const std::string res = st.resource < int(s.resources.size()) ? s.resources[size_t(st.resource)] : "";
    out.push_back({{"id", id++},
                   {"physicalLocation", {{"artifactLocation", art}, {"region", {{"startLine", src.line}}}}},
                   {"logicalLocations", json::array({{{"name", st.label}, {"kind", "variable"}}})},
                   {"message",
                    {{"text", std::string(step == s.race_first ? "first" : "second") + " access: actor " +
                                  std::to_string(st.actor) + " step " + std::to_string(step) + " " +
                                  op_kind_name(st.kind) + " " + st.label + (res.empty() ? "" : " on " + res)}}}});
  }
  return out;
}

std::vector<std::pair<Schedule, std::string>> more_race_schedules(
    const CampaignResult& r, const std::vector<std::pair<Schedule, std::string>>& shown) {
  std::vector<std::pair<Schedule, std::string>> out;
  for (const RaceFinding& f : r.race_findings) {
    bool seen = false;
    for (const auto& [s, file] : shown) seen |= s.finding == FindingKind::race && s.race_pair == f.pair;
    if (!seen) out.emplace_back(f.schedule, f.file);
  }
  return out;
}

}  // namespace ipcrace::cli
