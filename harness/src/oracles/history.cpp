// Histories: recording, pairing and the line-based text format
// (docs/history-format.md).
#include <charconv>
#include <sstream>

#include "ipcrace/history.hpp"

namespace ipcrace {

const char* event_type_name(EventType t) {
  switch (t) {
    case EventType::invoke: return "invoke";
    case EventType::ok: return "ok";
    case EventType::fail: return "fail";
    case EventType::info: return "info";
  }
  return "?";
}

std::optional<EventType> event_type_from_name(const std::string& s) {
  if (s == "invoke") return EventType::invoke;
  if (s == "ok") return EventType::ok;
  if (s == "fail") return EventType::fail;
  if (s == "info") return EventType::info;
  return std::nullopt;
}

std::string Value::str() const {
  if (nil) return "nil";
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? " " : "") + std::to_string(v[i]);
  return v.size() == 1 ? s : "[" + s + "]";
}

void History::invoke(int process, std::string op, Value arg, std::string key, int64_t step) {
  events_.push_back(HistoryEvent{process, EventType::invoke, std::move(op), std::move(key), std::move(arg), step});
}

void History::complete(int process, EventType type, Value result, int64_t step) {
  std::string op, key;
  for (size_t i = events_.size(); i-- > 0;)
    if (events_[i].process == process && events_[i].type == EventType::invoke) {
      op = events_[i].op;
      key = events_[i].key;
      break;
    }
  events_.push_back(HistoryEvent{process, type, std::move(op), std::move(key), std::move(result), step});
}

bool History::operations(std::vector<Operation>* out, std::string* error, size_t prefix_events) const {
  out->clear();
  std::vector<Operation> all;
  std::vector<std::pair<int, size_t>> pending;  // process -> index in `all`
  auto find_pending = [&](int p) -> long {
    for (size_t i = 0; i < pending.size(); ++i)
      if (pending[i].first == p) return long(i);
    return -1;
  };
  const size_t n = std::min(prefix_events, events_.size());
  for (size_t i = 0; i < n; ++i) {
    const HistoryEvent& e = events_[i];
    long pi = find_pending(e.process);
    if (e.type == EventType::invoke) {
      if (pi >= 0) {
        if (error)
          *error = "event " + std::to_string(i) + ": process " + std::to_string(e.process) +
                   " invokes while its previous op is still pending";
        return false;
      }
      Operation op;
      op.process = e.process;
      op.op = e.op;
      op.key = e.key;
      op.input = e.value;
      op.call = i;
      op.outcome = EventType::info;
      pending.emplace_back(e.process, all.size());
      all.push_back(std::move(op));
      continue;
    }
    if (pi < 0) {
      if (error)
        *error = "event " + std::to_string(i) + ": process " + std::to_string(e.process) + " completes (" +
                 event_type_name(e.type) + ") with no pending invocation";
      return false;
    }
    Operation& op = all[pending[size_t(pi)].second];
    pending.erase(pending.begin() + pi);
    if (!e.op.empty() && e.op != op.op) {
      if (error)
        *error = "event " + std::to_string(i) + ": process " + std::to_string(e.process) + " completes '" + e.op +
                 "' but invoked '" + op.op + "'";
      return false;
    }
    op.outcome = e.type;
    // A failed cas completed too: its compare ran and failed (issue 12).
    if (e.type == EventType::ok || (e.type == EventType::fail && op.op == "cas")) {
      op.ret = i;
      op.output = e.value;
    }
  }
  for (auto& op : all) {
    if (op.outcome == EventType::fail && op.op != "cas") continue;  // did not take effect
    op.id = int(out->size());
    out->push_back(std::move(op));
  }
  return true;
}

std::string format_history_event(const HistoryEvent& e) {
  std::string s = std::to_string(e.process) + " " + event_type_name(e.type) + " " + (e.op.empty() ? "-" : e.op);
  if (!e.key.empty()) s += " key=" + e.key;
  if (e.step >= 0) s += " step=" + std::to_string(e.step);
  if (e.value.nil) {
    if (e.type != EventType::invoke) s += " nil";
  } else {
    for (int64_t x : e.value.v) s += " " + std::to_string(x);
  }
  return s;
}

std::string format_history(const History& h) {
  std::string s = "# ipcrace history: <process> <invoke|ok|fail|info> <op> [key=K] [step=N] <value...|nil>\n";
  for (const auto& e : h.events()) s += format_history_event(e) + "\n";
  return s;
}

bool parse_history(const std::string& text, History* out, std::string* error) {
  *out = History();
  std::istringstream in(text);
  std::string line;
  size_t lineno = 0;
  auto fail = [&](const std::string& what) {
    if (error) *error = "line " + std::to_string(lineno) + ": " + what;
    return false;
  };
  auto parse_int = [](const std::string& s, int64_t* v) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
    return !s.empty() && ec == std::errc() && p == s.data() + s.size();
  };
  while (std::getline(in, line)) {
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::istringstream ls(line);
    std::vector<std::string> f;
    for (std::string t; ls >> t;) f.push_back(t);
    if (f.empty() || f[0][0] == '#') continue;
    if (f.size() < 3) return fail("expected '<process> <invoke|ok|fail|info> <op> [value...]'");
    HistoryEvent e;
    int64_t p = 0;
    if (!parse_int(f[0], &p) || p < 0 || p > 1'000'000'000) return fail("bad process '" + f[0] + "' (a non-negative integer)");
    e.process = int(p);
    auto t = event_type_from_name(f[1]);
    if (!t) return fail("bad event type '" + f[1] + "' (invoke, ok, fail or info)");
    e.type = *t;
    e.op = f[2] == "-" ? "" : f[2];
    if (e.type == EventType::invoke && e.op.empty()) return fail("an invocation needs an op name");
    bool saw_nil = false;
    for (size_t i = 3; i < f.size(); ++i) {
      const std::string& tok = f[i];
      if (tok.rfind("key=", 0) == 0) {
        e.key = tok.substr(4);
        if (e.key.empty()) return fail("empty key");
      } else if (tok.rfind("step=", 0) == 0) {
        if (!parse_int(tok.substr(5), &e.step)) return fail("bad step '" + tok + "'");
      } else if (tok == "nil") {
        saw_nil = true;
      } else {
        int64_t v = 0;
        if (!parse_int(tok, &v)) return fail("bad value '" + tok + "' (integers or nil)");
        e.value.nil = false;
        e.value.v.push_back(v);
      }
    }
    if (saw_nil && !e.value.nil) return fail("a value is either nil or integers, not both");
    out->add(std::move(e));
  }
  // Check that the events pair up.
  std::vector<Operation> ops;
  std::string perr;
  if (!out->operations(&ops, &perr)) {
    if (error) *error = perr;
    return false;
  }
  return true;
}

}  // namespace ipcrace
