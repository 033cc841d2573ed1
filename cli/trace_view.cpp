// replay --trace (text, JSON lines) and show (terminal swimlane): see trace_view.hpp.
#include "trace_view.hpp"

#include "exec/symbolize.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace ipcrace::cli {

using nlohmann::json;

std::string TraceView::resource(int id) const {
  if (id >= 0 && size_t(id) < schedule.resources.size()) return schedule.resources[size_t(id)];
  return "#" + std::to_string(id);
}

static int actor_count(const Schedule& s) {
  int n = int(s.params.has("actors") ? s.params.get("actors") : 0);
  for (const auto& st : s.steps) n = std::max(n, st.actor + 1);
  return n;
}

// Exec-mode labels (return addresses) become file:line here, for every view.
TraceView trace_view(const Schedule& file) {
  TraceView v;
  v.schedule = symbolized(file);
  v.finding = file.finding;
  v.message = v.schedule.message;
  v.actors = actor_count(file);
  return v;
}

TraceView trace_view(const Schedule& file, const RunResult& r) {
  TraceView v;
  Schedule run = schedule_from_run(file.target, file.params, file.mode, file.strategy, file.seed, file.run,
                                  file.run_seed, r);
  run.command = file.command;
  run.message = r.message;
  v.schedule = symbolized(run);
  v.run = r.trace;
  v.finding = r.kind;
  v.message = v.schedule.message;
  v.detected_at = r.detected_at;
  v.actors = actor_count(v.schedule);
  return v;
}

namespace {

bool moves_out(OpKind k) { return k == OpKind::send || k == OpKind::write || k == OpKind::call || k == OpKind::reply; }
bool moves_in(OpKind k) { return k == OpKind::recv || k == OpKind::read; }

// The value of a shared access as the integer it was (sign-extended to its size).
long long value_of(const Step& st) {
  switch (st.op.size) {
    case 1: return int8_t(st.value);
    case 2: return int16_t(st.value);
    case 4: return int32_t(st.value);
    default: return (long long)(int64_t(st.value));
  }
}

// Payload excerpt: quoted when it is all printable text, else hex in groups of 4.
std::string excerpt(const Step& st) {
  if (st.nbytes == 0) return "";
  bool text = true;
  for (size_t i = 0; i < st.nbytes; ++i) text &= st.bytes[i] >= 0x20 && st.bytes[i] < 0x7f;
  std::string o;
  if (text) {
    o = "\"";
    for (size_t i = 0; i < st.nbytes; ++i) {
      if (st.bytes[i] == '"' || st.bytes[i] == '\\') o += '\\';
      o += char(st.bytes[i]);
    }
    o += "\"";
  } else {
    char b[4];
    for (size_t i = 0; i < st.nbytes; ++i) {
      if (i && i % 4 == 0) o += ' ';
      std::snprintf(b, sizeof b, "%02x", st.bytes[i]);
      o += b;
    }
  }
  if (st.result > int64_t(st.nbytes)) o += " ...(+" + std::to_string(st.result - int64_t(st.nbytes)) + " B)";
  return o;
}

std::string hex_of(const Step& st) {
  std::string o;
  char b[4];
  for (size_t i = 0; i < st.nbytes; ++i) {
    std::snprintf(b, sizeof b, "%02x", st.bytes[i]);
    o += b;
  }
  return o;
}

// The actor's previous step was this op's try that would block: it was woken.
bool woke(const TraceView& v, size_t i) {
  const auto& steps = v.schedule.steps;
  for (size_t j = i; j-- > 0;)
    if (steps[j].actor == steps[i].actor) return steps[j].end == StepEnd::would_block;
  return false;
}

}  // namespace

std::string step_what(const TraceView& v, size_t i) {
  const ScheduleStep& ss = v.schedule.steps[i];
  std::string o = woke(v, i) ? "woke, retried: " : "";
  std::string did;
  if (v.replayed() && i < v.run.size() && v.run[i].has_outcome) {
    const Step& st = v.run[i];
    if (ss.kind == OpKind::shm_load)
      did = "read " + std::to_string(value_of(st));
    else if (ss.kind == OpKind::shm_store)
      did = "wrote " + std::to_string(value_of(st));
    else if (st.nbytes > 0 && moves_out(ss.kind))
      did = (ss.kind == OpKind::write ? "wrote " : "sent ") + std::to_string(st.result) + " B: " + excerpt(st);
    else if (st.nbytes > 0 && moves_in(ss.kind))
      did = (ss.kind == OpKind::read ? "read " : "got ") + std::to_string(st.result) + " B: " + excerpt(st);
    else
      did = "result " + std::to_string(st.result) + (st.value ? ", value " + std::to_string(value_of(st)) : "");
  }
  switch (ss.end) {
    case StepEnd::would_block: did += did.empty() ? "would block" : "; would block"; break;
    case StepEnd::parked: did += did.empty() ? "done, then parked" : "; then parked"; break;
    case StepEnd::exited: did += did.empty() ? "done, then exited" : "; then exited"; break;
    case StepEnd::point:
      if (did.empty()) did = "granted";
      break;
  }
  return o + did;
}

static std::string finding_line(const TraceView& v) {
  if (v.finding == FindingKind::none) return "no finding";
  std::string at;
  const int n = int(v.schedule.steps.size());
  if (v.detected_at > 0 && v.detected_at < n)
    at = "detected at step " + std::to_string(v.detected_at - 1) + " (actor " +
         std::to_string(v.schedule.steps[size_t(v.detected_at - 1)].actor) + ")";
  else if (v.detected_at >= 0 && n > 0)
    at = "detected after the last step (" + std::to_string(n - 1) + ")";
  else
    at = "at a step the file does not record (replay --trace shows it)";
  return std::string(finding_kind_name(v.finding)) + ", " + at + ": " + v.message;
}

std::string trace_text(const TraceView& v) {
  const auto pre = preemption_steps(v.schedule);
  size_t wres = 8, wlab = 5;
  for (const auto& st : v.schedule.steps) {
    wres = std::max(wres, v.resource(st.resource).size());
    wlab = std::max(wlab, st.label.size());
  }
  wres = std::min<size_t>(wres, 32);
  wlab = std::min<size_t>(wlab, 32);
  std::string o;
  char buf[512];
  std::snprintf(buf, sizeof buf, "%s: %zu steps, %zu preemptions, %d actors (%s)\n", v.schedule.target.c_str(),
                v.schedule.steps.size(), pre.size(), v.actors, actor_mode_name(v.schedule.mode));
  o += buf;
  std::snprintf(buf, sizeof buf, " step  actor  %-9s  %-*s  %-*s  what\n", "op", int(wres), "resource", int(wlab), "label");
  o += buf;
  for (size_t i = 0; i < v.schedule.steps.size(); ++i) {
    const auto& st = v.schedule.steps[i];
    const bool p = std::binary_search(pre.begin(), pre.end(), i);
    if (p) {
      std::snprintf(buf, sizeof buf, "    ---- preemption: actor %d could go on, actor %d runs ----\n",
                    v.schedule.steps[i - 1].actor, st.actor);
      o += buf;
    }
    std::snprintf(buf, sizeof buf, "%5zu  %5d  %-9s  %-*s  %-*s  ", i, st.actor, op_kind_name(st.kind), int(wres),
                  v.resource(st.resource).c_str(), int(wlab), st.label.c_str());
    o += buf + step_what(v, i) + "\n";
  }
  o += "finding: " + finding_line(v) + "\n";
  return o;
}

std::vector<json> trace_events(const TraceView& v) {
  const auto pre = preemption_steps(v.schedule);
  std::vector<json> out;
  out.push_back(json{{"event", "run"},
                     {"target", v.schedule.target},
                     {"mode", actor_mode_name(v.schedule.mode)},
                     {"actors", v.actors},
                     {"steps", v.schedule.steps.size()},
                     {"preemptions", pre.size()},
                     {"resources", v.schedule.resources}});
  for (size_t i = 0; i < v.schedule.steps.size(); ++i) {
    const auto& ss = v.schedule.steps[i];
    json e{{"event", "step"},
           {"step", i},
           {"actor", ss.actor},
           {"op", op_kind_name(ss.kind)},
           {"resource", v.resource(ss.resource)},
           {"resource_id", ss.resource},
           {"label", ss.label},
           {"end", step_end_name(ss.end)},
           {"preemption", std::binary_search(pre.begin(), pre.end(), i)},
           {"woke", woke(v, i)},
           {"what", step_what(v, i)}};
    if (v.replayed() && i < v.run.size() && v.run[i].has_outcome) {
      const Step& st = v.run[i];
      e["result"] = st.result;
      e["value"] = value_of(st);
      if (st.nbytes) e["bytes"] = hex_of(st);
      if (st.op.size) e["size"] = st.op.size;
      e["order"] = mem_order_name(st.op.order);
    }
    out.push_back(std::move(e));
  }
  json f{{"event", "finding"}, {"kind", finding_kind_name(v.finding)}, {"message", v.message}};
  if (v.detected_at >= 0) f["detected_at"] = v.detected_at;
  out.push_back(std::move(f));
  return out;
}

std::string swimlane(const TraceView& v) {
  const auto pre = preemption_steps(v.schedule);
  const auto& steps = v.schedule.steps;
  // A cell: "<op> <resource>" and, for a try that would block, " [blocks]".
  // Resource names without the prefix they all share ("rpc.mux."), said once.
  std::string prefix;
  for (size_t i = 0; i < steps.size(); ++i) {
    const std::string r = v.resource(steps[i].resource);
    if (i == 0) prefix = r.substr(0, r.rfind('.') == std::string::npos ? 0 : r.rfind('.') + 1);
    while (!prefix.empty() && r.compare(0, prefix.size(), prefix) != 0) {
      prefix.pop_back();
      prefix.resize(prefix.rfind('.') == std::string::npos ? 0 : prefix.rfind('.') + 1);
    }
  }
  auto cell = [&](size_t i) {
    std::string c = std::string(op_kind_name(steps[i].kind)) + " " + v.resource(steps[i].resource).substr(prefix.size());
    if (steps[i].end == StepEnd::would_block) c += " [blocks]";
    if (steps[i].end == StepEnd::parked) c += " [parks]";
    if (steps[i].end == StepEnd::exited) c += " [exits]";
    if (woke(v, i)) c = "(woke) " + c;
    return c;
  };
  size_t w = 10;
  for (size_t i = 0; i < steps.size(); ++i) w = std::max(w, cell(i).size());
  w = std::min<size_t>(w, 40) + 2;
  auto pad = [&](std::string s) {
    if (s.size() > w - 1) s = s.substr(0, w - 2) + "~";
    s.resize(w, ' ');
    return s;
  };
  std::string o = v.schedule.target + ": " + finding_kind_name(v.finding) + ", " + std::to_string(steps.size()) +
                  " steps, " + std::to_string(pre.size()) + " preemptions\n";
  o += "  > preemption (the previous actor could have gone on)   | runnable   : blocked   [blocks] a try that would block\n";
  if (!prefix.empty()) o += "  resources: " + prefix + "*\n";
  std::string head = " step  ";
  for (int a = 0; a < v.actors; ++a) head += pad("actor " + std::to_string(a));
  while (!head.empty() && head.back() == ' ') head.pop_back();
  o += head + "\n";
  // State of each actor between steps: 0 not started/exited, 1 runnable, 2 blocked.
  std::vector<int> state(size_t(v.actors), 1);
  for (size_t i = 0; i < steps.size(); ++i) {
    const int a = steps[i].actor;
    char num[16];
    std::snprintf(num, sizeof num, "%5zu ", i);
    std::string row = num;
    row += std::binary_search(pre.begin(), pre.end(), i) ? ">" : " ";
    for (int b = 0; b < v.actors; ++b) {
      if (b == a) row += pad(cell(i));
      else row += pad(state[size_t(b)] == 2 ? "  :" : state[size_t(b)] == 1 ? "  |" : "");
    }
    while (!row.empty() && row.back() == ' ') row.pop_back();
    o += row + "\n";
    switch (steps[i].end) {
      case StepEnd::point: state[size_t(a)] = 1; break;
      case StepEnd::would_block: case StepEnd::parked: state[size_t(a)] = 2; break;
      case StepEnd::exited: state[size_t(a)] = 0; break;
    }
    // A completed op on a resource may wake its waiters; the next step of a
    // blocked actor shows when it ran again.
    if (steps[i].end != StepEnd::would_block && !op_kind_read_only(steps[i].kind))
      for (int b = 0; b < v.actors; ++b)
        if (b != a && state[size_t(b)] == 2) {
          for (size_t j = i + 1; j < steps.size(); ++j)
            if (steps[j].actor == b) {
              if (steps[j].resource == steps[i].resource) state[size_t(b)] = 1;
              break;
            }
        }
    if (steps[i].end == StepEnd::exited)
      for (auto& s : state)
        if (s == 2) s = 1;
  }
  o += "finding: " + finding_line(v) + "\n";
  return o;
}

}  // namespace ipcrace::cli
