// Campaign-level race findings: one per unordered pair of access sites.
#include "race/findings.hpp"

#include <algorithm>

#include "ipcrace/campaign.hpp"
#include "race/detector.hpp"

namespace ipcrace {
namespace race {

const RaceReport* race_on_pair(const RunResult& r, const std::string& pair) {
  for (const RaceReport& rep : r.races)
    if (race_site_pair(rep) == pair) return &rep;
  return nullptr;
}

void focus_schedule(Schedule& s, const RunResult& r, const RaceReport& rep) {
  s.finding = FindingKind::race;
  s.race_pair = race_site_pair(rep);
  s.message = race_message(rep, r.trace, r.resources);
  s.race_first = rep.first.step;
  s.race_second = rep.second.step;
}

}  // namespace race

void note_races(std::vector<RaceFinding>& into, uint64_t run, const RunResult& r,
                const std::function<Schedule()>& make) {
  if (r.kind != FindingKind::race) return;
  std::optional<Schedule> base;
  for (const RaceReport& rep : r.races) {
    const std::string pair = race_site_pair(rep);
    auto it = std::find_if(into.begin(), into.end(), [&](const RaceFinding& f) { return f.pair == pair; });
    if (it != into.end()) {
      ++it->runs;
      continue;
    }
    if (into.size() >= kMaxRaceFindings) continue;
    if (!base) base = make();
    RaceFinding f;
    f.pair = pair;
    f.run = run;
    f.runs = 1;
    f.schedule = *base;
    race::focus_schedule(f.schedule, r, rep);
    into.push_back(std::move(f));
  }
}

void merge_race_finding(std::vector<RaceFinding>& into, RaceFinding f) {
  auto it = std::find_if(into.begin(), into.end(), [&](const RaceFinding& g) { return g.pair == f.pair; });
  if (it == into.end()) {
    if (into.size() < kMaxRaceFindings) into.push_back(std::move(f));
  } else {
    const uint64_t runs = it->runs + f.runs;
    if (f.run < it->run) *it = std::move(f);
    it->runs = runs;
  }
  std::stable_sort(into.begin(), into.end(), [](const RaceFinding& a, const RaceFinding& b) { return a.run < b.run; });
}

void save_race_findings(std::vector<RaceFinding>& fs, const std::string& dir) {
  if (dir.empty()) return;
  for (RaceFinding& f : fs)
    if (f.file.empty()) f.file = save_schedule(f.schedule, dir);
}

}  // namespace ipcrace
