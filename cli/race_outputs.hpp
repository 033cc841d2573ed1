// Reports of data races (finding kind race): where each of the two accesses
// is in the source, the SARIF locations of both, and the schedules of every
// racing pair of a campaign.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "ipcrace/campaign.hpp"
#include "ipcrace/schedule.hpp"
#include "ipcrace/target.hpp"

namespace ipcrace::cli {

// Where an access site is: a label "file:line" (exec mode, symbolised) as
// given; otherwise the first line that quotes the label in the target's
// source or in its mechanism folder (mechanisms/<family>/); else line 1 of
// the target's source. Paths as given (absolute or relative to the root).
struct SourceLine {
  std::string file;
  int line = 1;
};
SourceLine label_source(const std::string& label, const TargetInfo* t);

// SARIF locations of a race schedule's two accesses (Schedule::race_first,
// race_second), each with its file and line, its label as a logical location
// and a message naming actor, step and op; empty when the schedule has none.
nlohmann::json sarif_race_locations(const Schedule& s, const TargetInfo* t);

// The schedules of a campaign's racing pairs that finding_schedules(r) does
// not already show (one per pair: CampaignResult::race_findings).
std::vector<std::pair<Schedule, std::string>> more_race_schedules(
    const CampaignResult& r, const std::vector<std::pair<Schedule, std::string>>& shown);

}  // namespace ipcrace::cli
