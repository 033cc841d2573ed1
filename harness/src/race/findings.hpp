// Race findings of a run, by site pair: the race a schedule is about, and a
// schedule focused on one pair (race_pair and its message).
#pragma once
#include <string>

#include "ipcrace/finding.hpp"
#include "ipcrace/schedule.hpp"

namespace ipcrace::race {

// The race of `r` on the site pair `pair` (nullptr: r does not show it).
const RaceReport* race_on_pair(const RunResult& r, const std::string& pair);

// Schedule `s` (recorded from run `r`) as the finding of `rep`.
void focus_schedule(Schedule& s, const RunResult& r, const RaceReport& rep);

}  // namespace ipcrace::race
