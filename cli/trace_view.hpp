// One schedule as people and viewers read it: `replay --trace` (text and
// JSON lines), `show` (a terminal swimlane) and `--trace-out` (Chrome
// trace-event JSON for Perfetto and chrome://tracing). Built from a schedule
// file alone, or from a replay of it (then with what every op did).
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ipcrace/finding.hpp"
#include "ipcrace/schedule.hpp"

namespace ipcrace::cli {

struct TraceView {
  Schedule schedule;      // steps with how each ended; from the run when replayed
  std::vector<Step> run;  // the replay's steps (outcomes, payload excerpts); empty: from the file
  FindingKind finding = FindingKind::none;
  std::string message;
  int detected_at = -1;   // steps granted when the finding was detected (-1: unknown)
  int actors = 0;

  bool replayed() const { return !run.empty(); }
  std::string resource(int id) const;
};

TraceView trace_view(const Schedule& file);
TraceView trace_view(const Schedule& file, const RunResult& replay);

// What step i did, in words: "read 3", "got 52 B: 02000000 ...", "would block".
std::string step_what(const TraceView& v, size_t i);

std::string trace_text(const TraceView& v);                // replay --trace
std::vector<nlohmann::json> trace_events(const TraceView& v);  // replay --trace --json: one per line
std::string swimlane(const TraceView& v);                  // show
nlohmann::json chrome_trace(const TraceView& v);           // --trace-out

// --trace-out FILE of run and minimize: replay `s` once (for the values) and
// write its Chrome trace. Throws InputError if the file cannot be written.
void write_chrome_trace_of(const Schedule& s, const std::string& path);
void write_chrome_trace(const TraceView& v, const std::string& path);

}  // namespace ipcrace::cli
