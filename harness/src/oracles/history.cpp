// Histories: recording, pairing and the line-based text format
// (docs/history-format.md).
#include <charconv>
#include <cstring>

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

std::string quote_string(std::string_view s) {
  static const char* hex = "0123456789abcdef";
  std::string o = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': o += "\\\""; break;
      case '\\': o += "\\\\"; break;
      case '\n': o += "\\n"; break;
      case '\t': o += "\\t"; break;
      case '\r': o += "\\r"; break;
      default:
        if (c < 0x20 || c >= 0x7f) {
          o += "\\x";
          o += hex[c >> 4];
          o += hex[c & 15];
        } else {
          o += char(c);
        }
    }
  }
  return o + "\"";
}

std::string printable(std::string_view s, size_t max) {
  static const char* hex = "0123456789abcdef";
  std::string o;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i == max) return o + "...";
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c >= 0x7f || c == '\\') {
      o += "\\x";
      o += hex[c >> 4];
      o += hex[c & 15];
    } else {
      o += char(c);
    }
  }
  return o;
}

std::string Value::str() const {
  if (nil) return "nil";
  std::string o;
  for (size_t i = 0; i < v.size(); ++i) o += (i ? " " : "") + std::to_string(v[i]);
  for (size_t i = 0; i < s.size(); ++i) o += (i ? " " : "") + quote_string(s[i]);
  return items() == 1 ? o : "[" + o + "]";
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

std::string event_where(const HistoryEvent& e, size_t index) {
  return e.line ? "line " + std::to_string(e.line) : "event " + std::to_string(index);
}

bool History::operations(std::vector<Operation>* out, std::string* error, size_t prefix_events, bool keep_failed) const {
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
          *error = event_where(e, i) + ": process " + std::to_string(e.process) +
                   " invokes while its previous op (" + event_where(events_[all[pending[size_t(pi)].second].call], 0) +
                   ") is still pending";
        return false;
      }
      Operation op;
      op.process = e.process;
      op.op = e.op;
      op.key = e.key;
      op.input = e.value;
      op.call = i;
      op.call_line = e.line;
      op.outcome = EventType::info;
      pending.emplace_back(e.process, all.size());
      all.push_back(std::move(op));
      continue;
    }
    if (pi < 0) {
      if (error)
        *error = event_where(e, i) + ": process " + std::to_string(e.process) + " completes (" +
                 event_type_name(e.type) + ") with no pending invocation";
      return false;
    }
    Operation& op = all[pending[size_t(pi)].second];
    pending.erase(pending.begin() + pi);
    if (!e.op.empty() && e.op != op.op) {
      if (error)
        *error = event_where(e, i) + ": process " + std::to_string(e.process) + " completes '" + printable(e.op) +
                 "' but invoked '" + printable(op.op) + "'";
      return false;
    }
    if (!e.key.empty() && e.key != op.key) {
      if (error)
        *error = event_where(e, i) + ": process " + std::to_string(e.process) + " completes on key '" +
                 printable(e.key) + "' but invoked on key '" + printable(op.key) + "'";
      return false;
    }
    op.outcome = e.type;
    op.ret_line = e.line;
    // A failed cas completed too: its compare ran and failed.
    if (e.type == EventType::ok || (e.type == EventType::fail && op.op == "cas")) {
      op.ret = i;
      op.output = e.value;
    }
  }
  for (auto& op : all) {
    if (op.outcome == EventType::fail && op.op != "cas" && !keep_failed) continue;  // did not take effect
    op.id = int(out->size());
    out->push_back(std::move(op));
  }
  return true;
}

namespace {

// Ops whose completion carries a result (so a nil result is written as nil).
bool returns_value(const std::string& op) {
  static const char* const kOps[] = {"read", "get", "dequeue", "fetch_add", "r", "read-all", "txn"};
  for (const char* o : kOps)
    if (op == o) return true;
  return false;
}

bool bare_key(const std::string& k) {
  for (unsigned char c : k)
    if (c <= 0x20 || c >= 0x7f || c == '"' || c == '[' || c == ']' || c == '\\') return false;
  return !k.empty();
}

}  // namespace

std::string format_history_event(const HistoryEvent& e) {
  std::string s = std::to_string(e.process) + " " + event_type_name(e.type) + " " + (e.op.empty() ? "-" : e.op);
  if (!e.key.empty()) s += " key=" + (bare_key(e.key) ? e.key : quote_string(e.key));
  if (e.step >= 0) s += " step=" + std::to_string(e.step);
  if (e.value.nil) {
    if (e.type == EventType::ok && returns_value(e.op)) s += " nil";
  } else if (e.value.items() == 0) {
    s += " []";
  } else {
    for (int64_t x : e.value.v) s += " " + std::to_string(x);
    for (const auto& x : e.value.s) s += " " + quote_string(x);
  }
  return s;
}

std::string format_history(const History& h) {
  std::string s = "# ipcrace history: <process> <invoke|ok|fail|info> <op> [key=K] [step=N] [value...]\n";
  for (const auto& e : h.events()) s += format_history_event(e) + "\n";
  return s;
}

namespace {

struct Tok {
  enum Kind { word, str, open, close } kind = word;
  std::string text;
  bool quoted_key = false;  // key="..."
};

// Reads a quoted string at s[i] == '"'; on success i is past the closing quote.
bool read_quoted(std::string_view s, size_t* i, std::string* out, std::string* what) {
  size_t j = *i + 1;
  out->clear();
  while (j < s.size() && s[j] != '"') {
    char c = s[j];
    if (c != '\\') {
      out->push_back(c);
      ++j;
      continue;
    }
    if (j + 1 >= s.size()) break;
    char e = s[j + 1];
    j += 2;
    switch (e) {
      case '"': out->push_back('"'); break;
      case '\\': out->push_back('\\'); break;
      case 'n': out->push_back('\n'); break;
      case 't': out->push_back('\t'); break;
      case 'r': out->push_back('\r'); break;
      case 'x': {
        unsigned v = 0;
        if (j + 2 > s.size() || std::from_chars(s.data() + j, s.data() + j + 2, v, 16).ptr != s.data() + j + 2) {
          *what = "bad \\x escape in a string (two hex digits)";
          return false;
        }
        out->push_back(char(v));
        j += 2;
        break;
      }
      default: *what = "unknown escape '\\" + printable(std::string_view(&e, 1)) + "' in a string"; return false;
    }
  }
  if (j >= s.size()) {
    *what = "unterminated string";
    return false;
  }
  *i = j + 1;
  return true;
}

bool tokenize(std::string_view line, std::vector<Tok>* toks, std::string* what) {
  toks->clear();
  size_t i = 0;
  while (i < line.size()) {
    unsigned char c = static_cast<unsigned char>(line[i]);
    if (c == ' ' || c == '\t') {
      ++i;
      continue;
    }
    if (c == '#' && toks->empty()) return true;
    if (c == '[' || c == ']') {
      toks->push_back({c == '[' ? Tok::open : Tok::close, {}});
      ++i;
      continue;
    }
    if (c == '"') {
      Tok t{Tok::str, {}};
      if (!read_quoted(line, &i, &t.text, what)) return false;
      toks->push_back(std::move(t));
      continue;
    }
    Tok t{Tok::word, {}};
    while (i < line.size()) {
      unsigned char d = static_cast<unsigned char>(line[i]);
      if (d == ' ' || d == '\t' || d == '[' || d == ']') break;
      if (d == '"') {
        if (t.text != "key=") {
          *what = "a quote inside '" + printable(t.text) + "'";
          return false;
        }
        std::string k;
        if (!read_quoted(line, &i, &k, what)) return false;
        t.text += k;
        t.quoted_key = true;
        break;
      }
      if (d < 0x20 || d >= 0x7f) {
        *what = "unexpected byte " + printable(std::string_view(line.data() + i, 1)) +
                " (text outside quoted strings is printable ASCII)";
        return false;
      }
      t.text.push_back(char(d));
      ++i;
    }
    toks->push_back(std::move(t));
  }
  return true;
}

bool parse_int(const std::string& s, int64_t* v) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
  return !s.empty() && ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

bool parse_history(const std::string& text, History* out, std::string* error) {
  *out = History();
  size_t lineno = 0;
  auto fail = [&](const std::string& what) {
    if (error) *error = "line " + std::to_string(lineno) + ": " + what;
    return false;
  };
  size_t pos = 0;
  std::vector<Tok> f;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + pos, end - pos);
    pos = end + 1;
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find('\0') != std::string_view::npos) return fail("binary data (a NUL byte): not a history");
    std::string what;
    if (!tokenize(line, &f, &what)) return fail(what);
    if (f.empty()) continue;
    for (size_t i = 0; i < 3 && i < f.size(); ++i)
      if (f[i].kind != Tok::word || f[i].quoted_key)
        return fail("expected '<process> <invoke|ok|fail|info> <op> [key=K] [value...]'");
    if (f.size() < 3) return fail("expected '<process> <invoke|ok|fail|info> <op> [key=K] [value...]'");
    HistoryEvent e;
    e.line = lineno;
    int64_t p = 0;
    if (!parse_int(f[0].text, &p) || p < 0 || p > 1'000'000'000)
      return fail("bad process '" + printable(f[0].text) + "' (a non-negative integer)");
    e.process = int(p);
    auto t = event_type_from_name(f[1].text);
    if (!t) return fail("bad event type '" + printable(f[1].text) + "' (invoke, ok, fail or info)");
    e.type = *t;
    e.op = f[2].text == "-" ? "" : f[2].text;
    if (e.type == EventType::invoke && e.op.empty()) return fail("an invocation needs an op name");
    bool saw_nil = false, saw_list = false, in_list = false, saw_bare = false;
    auto add_item = [&](const Tok& tok) -> bool {
      if (tok.kind == Tok::str) {
        if (!e.value.v.empty()) return fail("a value's items are all integers or all strings");
        e.value.s.push_back(tok.text);
      } else {
        int64_t v = 0;
        if (!parse_int(tok.text, &v))
          return fail("bad value '" + printable(tok.text) + "' (an integer, a quoted string, a [list] or nil)");
        if (!e.value.s.empty()) return fail("a value's items are all integers or all strings");
        e.value.v.push_back(v);
      }
      e.value.nil = false;
      return true;
    };
    for (size_t i = 3; i < f.size(); ++i) {
      const Tok& tok = f[i];
      if (tok.kind == Tok::open) {
        if (in_list) return fail("nested lists are not supported");
        if (saw_list || saw_bare || saw_nil) return fail("a value is nil, one item, or one [list]");
        in_list = saw_list = true;
        e.value.nil = false;
        continue;
      }
      if (tok.kind == Tok::close) {
        if (!in_list) return fail("']' without '['");
        in_list = false;
        continue;
      }
      if (tok.kind == Tok::word && !in_list && tok.text.rfind("key=", 0) == 0) {
        e.key = tok.text.substr(4);
        if (e.key.empty()) return fail("empty key");
        continue;
      }
      if (tok.kind == Tok::word && !in_list && tok.text.rfind("step=", 0) == 0) {
        if (!parse_int(tok.text.substr(5), &e.step) || e.step < 0) return fail("bad step '" + printable(tok.text) + "'");
        continue;
      }
      if (tok.kind == Tok::word && tok.text == "nil") {
        if (in_list) return fail("nil inside a list");
        saw_nil = true;
        continue;
      }
      if (!in_list) {
        if (saw_list) return fail("a value is nil, one item, or one [list]");
        saw_bare = true;
      }
      if (!add_item(tok)) return false;
    }
    if (in_list) return fail("'[' without ']'");
    if (saw_nil && !e.value.nil) return fail("a value is either nil or items, not both");
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

std::optional<HistoryFormat> history_format_from_name(std::string_view s) {
  if (s == "auto") return HistoryFormat::automatic;
  if (s == "ipcrace") return HistoryFormat::ipcrace;
  if (s == "jepsen-edn" || s == "jepsen") return HistoryFormat::jepsen_edn;
  if (s == "porcupine-kv" || s == "porcupine") return HistoryFormat::porcupine_kv;
  return std::nullopt;
}

const char* history_format_name(HistoryFormat f) {
  switch (f) {
    case HistoryFormat::automatic: return "auto";
    case HistoryFormat::ipcrace: return "ipcrace";
    case HistoryFormat::jepsen_edn: return "jepsen-edn";
    case HistoryFormat::porcupine_kv: return "porcupine-kv";
  }
  return "?";
}

}  // namespace ipcrace
