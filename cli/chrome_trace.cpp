// --trace-out: a schedule in the Chrome trace-event format (the JSON object
// form: {"traceEvents": [...]}), which Perfetto's UI and chrome://tracing
// open. Time is logical: step i occupies [10 i, 10 i + 8) microseconds.
//   ph M   process_name / thread_name: one track (tid) per actor
//   ph X   one complete slice per op, args: step, resource, label, what it did
//   ph s/f a flow per message (send -> recv) and lock hand-off (unlock -> lock)
//   ph i   instant events: each preemption (thread scope, on the actor that
//          was switched away from) and the finding (global scope)
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "commands.hpp"
#include "ipcrace/engine.hpp"
#include "ipcrace/replay.hpp"
#include "trace_view.hpp"
#include "ux_outputs.hpp"

namespace ipcrace::cli {

using nlohmann::json;

namespace {
constexpr int64_t kStepUs = 10, kSliceUs = 8;
constexpr int kPid = 1;
}  // namespace

json chrome_trace(const TraceView& v) {
  const auto& steps = v.schedule.steps;
  json ev = json::array();
  ev.push_back({{"name", "process_name"}, {"ph", "M"}, {"pid", kPid}, {"tid", 0},
                {"args", {{"name", "ipcrace " + v.schedule.target + " (" + actor_mode_name(v.schedule.mode) + ")"}}}});
  for (int a = 0; a < v.actors; ++a) {
    ev.push_back({{"name", "thread_name"}, {"ph", "M"}, {"pid", kPid}, {"tid", a}, {"args", {{"name", "actor " + std::to_string(a)}}}});
    ev.push_back({{"name", "thread_sort_index"}, {"ph", "M"}, {"pid", kPid}, {"tid", a}, {"args", {{"sort_index", a}}}});
  }
  // Flows, indexed by the step they start and end at.
  const auto hand = handoffs_of(v.schedule);
  std::vector<std::vector<size_t>> starts(steps.size()), ends(steps.size());
  for (size_t k = 0; k < hand.size(); ++k) {
    starts[hand[k].from].push_back(k);
    ends[hand[k].to].push_back(k);
  }
  const auto pre = preemption_steps(v.schedule);
  size_t next_pre = 0;
  for (size_t i = 0; i < steps.size(); ++i) {
    const auto& st = steps[i];
    const int64_t ts = int64_t(i) * kStepUs;
    if (next_pre < pre.size() && pre[next_pre] == i) {
      ++next_pre;
      // On the track of the actor switched away from, after its last slice.
      ev.push_back({{"name", "preemption"}, {"cat", "schedule"}, {"ph", "i"}, {"s", "t"}, {"pid", kPid},
                    {"tid", steps[i - 1].actor}, {"ts", ts - 1},
                    {"args", {{"step", i}, {"switched_to", st.actor}}}});
    }
    json args{{"step", i}, {"resource", v.resource(st.resource)}, {"label", st.label},
              {"end", step_end_name(st.end)}, {"what", step_what(v, i)}};
    ev.push_back({{"name", std::string(op_kind_name(st.kind)) + " " + v.resource(st.resource)},
                  {"cat", op_kind_name(st.kind)}, {"ph", "X"}, {"pid", kPid}, {"tid", st.actor}, {"ts", ts},
                  {"dur", kSliceUs}, {"args", args}});
    for (size_t k : ends[i])
      ev.push_back({{"name", hand[k].message ? "message" : "lock hand-off"}, {"cat", hand[k].message ? "message" : "lock"},
                    {"ph", "f"}, {"bp", "e"}, {"id", k + 1}, {"pid", kPid}, {"tid", st.actor}, {"ts", ts + 1}});
    for (size_t k : starts[i])
      ev.push_back({{"name", hand[k].message ? "message" : "lock hand-off"}, {"cat", hand[k].message ? "message" : "lock"},
                    {"ph", "s"}, {"id", k + 1}, {"pid", kPid}, {"tid", st.actor}, {"ts", ts + kSliceUs - 1}});
  }
  if (v.finding != FindingKind::none) {
    const int64_t n = int64_t(steps.size());
    const int64_t at = v.detected_at > 0 && v.detected_at < n ? v.detected_at - 1 : n - 1;
    const int tid = at >= 0 ? steps[size_t(at)].actor : 0;
    ev.push_back({{"name", std::string("finding: ") + finding_kind_name(v.finding)}, {"cat", "finding"}, {"ph", "i"},
                  {"s", "g"}, {"pid", kPid}, {"tid", tid}, {"ts", (at < 0 ? 0 : at) * kStepUs + kSliceUs},
                  {"args", {{"message", v.message}, {"detected_at", v.detected_at}}}});
  }
  // Ordered by time (metadata first), so every track's events are in order.
  std::stable_sort(ev.begin(), ev.end(), [](const json& a, const json& b) {
    return (a.contains("ts") ? a["ts"].get<int64_t>() : -1) < (b.contains("ts") ? b["ts"].get<int64_t>() : -1);
  });
  return json{{"traceEvents", ev},
              {"displayTimeUnit", "ns"},
              {"otherData", {{"target", v.schedule.target}, {"steps", steps.size()}, {"preemptions", pre.size()},
                             {"time", "logical: step i at 10 i us"}}}};
}

void write_chrome_trace(const TraceView& v, const std::string& path) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << chrome_trace(v).dump() << "\n";
  out.close();
  if (!out) throw InputError("cannot write the trace to " + path + ": " + std::strerror(errno));
}

void write_chrome_trace_of(const Schedule& s, const std::string& path) {
  const TargetInfo* t = find_target(s.target);
  if (!t) throw InputError("unknown target '" + s.target + "'");
  const RunConfig cfg = replay_config(s);
  Engine engine(*t, resolve_params(*t, s.params), cfg);
  auto st = make_replay_strategy(s);
  st->new_run(0);
  const RunResult r = engine.run(*st, s.run_seed);
  // A schedule that no longer replays still has a timeline: the file's own.
  write_chrome_trace(r.diverged ? trace_view(s) : trace_view(s, r), path);
}

}  // namespace ipcrace::cli
