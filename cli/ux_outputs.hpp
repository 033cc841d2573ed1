// Campaign outputs for people and CI: budgets, JUnit, SARIF, HTML reports.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "commands.hpp"
#include "ipcrace/schedule.hpp"
#include "output.hpp"

namespace ipcrace::cli {

// "--budget 2000runs,30s" -> c.runs / c.seconds (a part left out is no limit
// when the other is given). Also checks that --junit/--sarif files can be
// written and creates the --report directory, before any run. UsageError.
void apply_budget(Common& c);
void prepare_outputs(const Common& c);

// The findings of a campaign worth showing: every saved schedule file (first
// finding, then one per new kind), or the first finding if nothing was saved.
std::vector<std::pair<Schedule, std::string>> finding_schedules(const CampaignResult& r);

// --junit, --sarif and --report of `run`, and --junit, --sarif of `gate`.
void write_run_outputs(const std::vector<CampaignResult>& results, const Common& c);
void write_gate_outputs(const std::vector<GateLine>& lines, const Common& c);

std::string junit_for_run(const std::vector<CampaignResult>& results);
std::string junit_for_gate(const std::vector<GateLine>& lines);
nlohmann::json sarif_for_run(const std::vector<CampaignResult>& results);
nlohmann::json sarif_for_gate(const std::vector<GateLine>& lines);

// Hand-offs of a schedule: a message sent and then received by another actor
// (send/write/call/reply -> recv/read on the same resource, in order), or a
// lock released and then acquired by another actor. Report arrows and trace
// flows are these.
struct Handoff {
  size_t from, to;
  bool message;  // false: lock hand-off
};
std::vector<Handoff> handoffs_of(const Schedule& s);

// HTML: a self-contained page per finding (SVG swimlane timeline) + index.html.
std::string finding_page(const Schedule& s, const std::string& schedule_file);
void write_report(const std::string& dir, const std::vector<CampaignResult>& results);

// A target's source file relative to the project root (as built), or as is.
std::string repo_relative(const std::string& path);

}  // namespace ipcrace::cli
