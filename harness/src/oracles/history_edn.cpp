// Other systems' history files: Jepsen's history.edn maps and its log lines,
// Porcupine's kv test log (EDN maps with a :key), read directly
// (docs/history-format.md). A small EDN reader: nil, booleans, integers,
// floats, strings, keywords, symbols, vectors, lists, sets and maps.
#include <charconv>
#include <memory>

#include "ipcrace/history.hpp"

namespace ipcrace {
namespace {

struct Edn {
  enum Kind { nil, boolean, integer, floating, string, keyword, symbol, vector, map, set } kind = nil;
  int64_t i = 0;
  std::string s;           // string, keyword (without ':'), symbol
  std::vector<Edn> items;  // vector, list (as vector), set; map: key, value, key, value, ...
  const Edn* get(std::string_view kw) const {
    for (size_t k = 0; k + 1 < items.size(); k += 2)
      if (items[k].kind == keyword && items[k].s == kw) return &items[k + 1];
    return nullptr;
  }
};

class Reader {
 public:
  explicit Reader(std::string_view t) : t_(t) {}
  bool done() {
    skip();
    return p_ >= t_.size();
  }
  size_t pos() const { return p_; }
  std::string_view rest() const { return t_.substr(p_); }
  bool read(Edn* out, std::string* err, int depth = 0) {
    skip();
    if (p_ >= t_.size()) return fail(err, "unexpected end of the line");
    if (depth > 32) return fail(err, "nested too deeply");
    char c = t_[p_];
    if (c == '{' || c == '[' || c == '(') {
      char close = c == '{' ? '}' : c == '[' ? ']' : ')';
      out->kind = c == '{' ? Edn::map : Edn::vector;
      ++p_;
      return read_seq(out, close, err, depth);
    }
    if (c == '#' && p_ + 1 < t_.size() && t_[p_ + 1] == '{') {
      out->kind = Edn::set;
      p_ += 2;
      return read_seq(out, '}', err, depth);
    }
    if (c == '"') return read_string(out, err);
    if (c == '}' || c == ']' || c == ')') return fail(err, std::string("unexpected '") + c + "'");
    size_t b = p_;
    while (p_ < t_.size() && !delim(t_[p_])) ++p_;
    std::string_view w = t_.substr(b, p_ - b);
    if (w.empty()) return fail(err, "unexpected byte " + printable(t_.substr(p_, 1)));
    for (unsigned char ch : w)
      if (ch < 0x20 || ch >= 0x7f) return fail(err, "unexpected byte " + printable(std::string_view((const char*)&ch, 1)));
    if (w == "nil") {
      out->kind = Edn::nil;
    } else if (w == "true" || w == "false") {
      out->kind = Edn::boolean;
      out->i = w == "true";
    } else if (w[0] == ':') {
      out->kind = Edn::keyword;
      out->s = std::string(w.substr(1));
    } else if (std::isdigit(static_cast<unsigned char>(w[0])) || ((w[0] == '-' || w[0] == '+') && w.size() > 1)) {
      std::string_view n = w;
      if (n[0] == '+') n.remove_prefix(1);
      if (n.back() == 'N') n.remove_suffix(1);
      auto [q, ec] = std::from_chars(n.data(), n.data() + n.size(), out->i);
      if (ec == std::errc() && q == n.data() + n.size()) {
        out->kind = Edn::integer;
      } else {
        out->kind = Edn::floating;  // times, latencies: kept only as text
        out->s = std::string(w);
      }
    } else {
      out->kind = Edn::symbol;
      out->s = std::string(w);
    }
    return true;
  }

 private:
  static bool delim(char c) {
    return c == ' ' || c == '\t' || c == ',' || c == '\n' || c == '\r' || c == '{' || c == '}' || c == '[' ||
           c == ']' || c == '(' || c == ')' || c == '"';
  }
  void skip() {
    while (p_ < t_.size() && (t_[p_] == ' ' || t_[p_] == '\t' || t_[p_] == ',' || t_[p_] == '\r')) ++p_;
    if (p_ < t_.size() && t_[p_] == ';') p_ = t_.size();  // comment
  }
  static bool fail(std::string* err, std::string what) {
    *err = std::move(what);
    return false;
  }
  bool read_seq(Edn* out, char close, std::string* err, int depth) {
    while (true) {
      skip();
      if (p_ >= t_.size()) return fail(err, std::string("missing '") + close + "'");
      if (t_[p_] == close) {
        ++p_;
        break;
      }
      Edn e;
      if (!read(&e, err, depth + 1)) return false;
      out->items.push_back(std::move(e));
    }
    if (out->kind == Edn::map && out->items.size() % 2) return fail(err, "a map with an odd number of forms");
    return true;
  }
  bool read_string(Edn* out, std::string* err) {
    out->kind = Edn::string;
    ++p_;
    while (p_ < t_.size() && t_[p_] != '"') {
      char c = t_[p_++];
      if (c != '\\') {
        out->s.push_back(c);
        continue;
      }
      if (p_ >= t_.size()) break;
      char e = t_[p_++];
      switch (e) {
        case '"': out->s.push_back('"'); break;
        case '\\': out->s.push_back('\\'); break;
        case 'n': out->s.push_back('\n'); break;
        case 't': out->s.push_back('\t'); break;
        case 'r': out->s.push_back('\r'); break;
        case 'u': {
          unsigned v = 0;
          if (p_ + 4 > t_.size() || std::from_chars(t_.data() + p_, t_.data() + p_ + 4, v, 16).ptr != t_.data() + p_ + 4)
            return fail(err, "bad \\u escape in a string");
          p_ += 4;
          if (v < 0x80) {
            out->s.push_back(char(v));
          } else if (v < 0x800) {
            out->s.push_back(char(0xc0 | (v >> 6)));
            out->s.push_back(char(0x80 | (v & 0x3f)));
          } else {
            out->s.push_back(char(0xe0 | (v >> 12)));
            out->s.push_back(char(0x80 | ((v >> 6) & 0x3f)));
            out->s.push_back(char(0x80 | (v & 0x3f)));
          }
          break;
        }
        default: return fail(err, "unknown escape '\\" + printable(std::string_view(&e, 1)) + "' in a string");
      }
    }
    if (p_ >= t_.size()) return fail(err, "unterminated string");
    ++p_;
    return true;
  }
  std::string_view t_;
  size_t p_ = 0;
};

std::string edn_str(const Edn& e) {
  switch (e.kind) {
    case Edn::nil: return "nil";
    case Edn::boolean: return e.i ? "true" : "false";
    case Edn::integer: return std::to_string(e.i);
    case Edn::floating: return e.s;
    case Edn::string: return quote_string(e.s);
    case Edn::keyword: return ":" + e.s;
    case Edn::symbol: return e.s;
    default: {
      std::string s = e.kind == Edn::map ? "{" : e.kind == Edn::set ? "#{" : "[";
      for (size_t i = 0; i < e.items.size(); ++i) s += (i ? " " : "") + edn_str(e.items[i]);
      return s + (e.kind == Edn::map || e.kind == Edn::set ? "}" : "]");
    }
  }
}

// An EDN value as a history value: nil, an integer, a string, or a
// vector/list/set of integers or of strings.
bool to_value(const Edn& e, Value* v, std::string* err) {
  *v = Value::none();
  switch (e.kind) {
    case Edn::nil: return true;
    case Edn::integer: *v = Value::of({e.i}); return true;
    case Edn::string: *v = Value::str1(e.s); return true;
    case Edn::vector:
    case Edn::set: {
      *v = Value::empty_list();
      for (const Edn& x : e.items) {
        if (x.kind == Edn::integer && v->s.empty()) {
          v->v.push_back(x.i);
        } else if (x.kind == Edn::string && v->v.empty()) {
          v->s.push_back(x.s);
        } else {
          *err = "unsupported value " + printable(edn_str(e)) + " (items are all integers or all strings)";
          return false;
        }
      }
      return true;
    }
    default: *err = "unsupported value " + printable(edn_str(e)); return false;
  }
}

bool to_key(const Edn& e, std::string* key, std::string* err) {
  switch (e.kind) {
    case Edn::integer: *key = std::to_string(e.i); return true;
    case Edn::string:
    case Edn::keyword:
    case Edn::symbol: *key = e.s; return true;
    default: *err = "unsupported key " + printable(edn_str(e)); return false;
  }
}

// Fills `e` from :process, :type, :f, :value (and :key). Returns false with
// `err` on a malformed op; sets *skip for events that are not client ops (the
// nemesis).
bool to_event(const Edn* process, const Edn* type, const Edn* f, const Edn* value, const Edn* key, HistoryEvent* e,
              bool* skip, std::string* err) {
  *skip = false;
  if (!process || !type || !f) {
    *err = "an op needs :process, :type and :f";
    return false;
  }
  if (process->kind == Edn::keyword || process->kind == Edn::symbol) {  // :nemesis
    *skip = true;
    return true;
  }
  if (process->kind != Edn::integer || process->i < 0 || process->i > 1'000'000'000) {
    *err = "bad :process " + printable(edn_str(*process)) + " (a non-negative integer)";
    return false;
  }
  e->process = int(process->i);
  std::optional<EventType> t;
  if (type->kind == Edn::keyword || type->kind == Edn::string) t = event_type_from_name(type->s);
  if (!t) {
    *err = "bad :type " + printable(edn_str(*type)) + " (:invoke, :ok, :fail or :info)";
    return false;
  }
  e->type = *t;
  if (f->kind != Edn::keyword && f->kind != Edn::string && f->kind != Edn::symbol) {
    *err = "bad :f " + printable(edn_str(*f));
    return false;
  }
  e->op = f->s;
  if (key && !to_key(*key, &e->key, err)) return false;
  static const Edn kNil;
  const Edn& val = value ? *value : kNil;
  // A transaction of micro-ops ([[:append 3 1]], [[:r 3 nil]]): one is one op.
  const bool txn = val.kind == Edn::vector && !val.items.empty() && val.items[0].kind == Edn::vector &&
                   !val.items[0].items.empty() && val.items[0].items[0].kind == Edn::keyword;
  if (txn || e->op == "txn") {
    if (val.kind != Edn::vector || val.items.size() != 1 || val.items[0].kind != Edn::vector ||
        val.items[0].items.size() != 3 || val.items[0].items[0].kind != Edn::keyword) {
      *err = "a transaction of more than one micro-op (only single-key [[:append k v]] / [[:r k v]] are checked): " +
             printable(edn_str(val));
      return false;
    }
    const Edn& mop = val.items[0];
    e->op = mop.items[0].s;
    if (!to_key(mop.items[1], &e->key, err)) return false;
    if (e->type == EventType::info || e->type == EventType::fail) {
      if (e->op == "append") return to_value(mop.items[2], &e->value, err);
      return true;
    }
    return to_value(mop.items[2], &e->value, err);
  }
  // Indeterminate and failed ops may carry an error keyword (:timed-out).
  if ((e->type == EventType::info || e->type == EventType::fail) && val.kind == Edn::keyword) return true;
  return to_value(val, &e->value, err);
}

}  // namespace

bool parse_history_edn(const std::string& text, History* out, std::string* error) {
  *out = History();
  size_t lineno = 0, pos = 0;
  auto fail = [&](const std::string& what) {
    if (error) *error = "line " + std::to_string(lineno) + ": " + what;
    return false;
  };
  // A Jepsen log: only its jepsen.util op lines are events; the rest is log.
  const bool log = text.find("jepsen.util - ") != std::string::npos;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + pos, end - pos);
    pos = end + 1;
    ++lineno;
    if (line.find('\0') != std::string_view::npos) return fail("binary data (a NUL byte): not a history");
    if (log && line.find("jepsen.util - ") == std::string_view::npos) continue;
    HistoryEvent e;
    e.line = lineno;
    bool skip = false;
    std::string err;
    const size_t util = line.find("jepsen.util - ");
    if (util != std::string_view::npos) {
      // Log form: "<time> INFO jepsen.util - <process> <type> <f> <value> [<error>]".
      Reader r(line.substr(util + 14));
      Edn process, type, f, value;
      if (!r.read(&process, &err) || !r.read(&type, &err) || !r.read(&f, &err)) return fail(err);
      const bool has_value = !r.done();
      if (has_value && !r.read(&value, &err)) return fail(err);
      if (!to_event(&process, &type, &f, has_value ? &value : nullptr, nullptr, &e, &skip, &err)) return fail(err);
    } else {
      Reader r(line);
      if (r.done()) continue;
      std::string_view rest = r.rest();
      if (rest[0] == ';') continue;
      if (rest[0] != '{') {
        // Leading '[' / trailing ']' of a history written as one vector.
        if (rest == "[" || rest == "]") continue;
        if (rest[0] == '[' && rest.size() > 1) {
          rest.remove_prefix(1);
        } else {
          return fail("expected an op map {:type ... :f ... :process ...} or a jepsen.util log line, not '" +
                      printable(rest, 40) + "'");
        }
      }
      Reader m(rest);
      Edn op;
      if (!m.read(&op, &err)) return fail(err);
      if (op.kind != Edn::map) return fail("expected an op map");
      std::string_view tail = m.rest();
      while (!tail.empty() && (tail[0] == ' ' || tail[0] == ',' || tail[0] == '\t' || tail[0] == '\r')) tail.remove_prefix(1);
      if (!tail.empty() && tail != "]") return fail("one op map per line (more after the map: '" + printable(tail, 40) + "')");
      if (!to_event(op.get("process"), op.get("type"), op.get("f"), op.get("value"), op.get("key"), &e, &skip, &err))
        return fail(err);
    }
    if (!skip) out->add(std::move(e));
  }
  if (out->size() == 0) {
    lineno = 1;
    return fail("no ops in the file");
  }
  std::vector<Operation> ops;
  std::string perr;
  if (!out->operations(&ops, &perr)) {
    if (error) *error = perr;
    return false;
  }
  return true;
}

HistoryFormat detect_history_format(std::string_view text) {
  // A Jepsen log mixes op lines with other log lines: any op line decides.
  if (text.substr(0, std::min<size_t>(text.size(), 1 << 20)).find("jepsen.util - ") != std::string_view::npos)
    return HistoryFormat::jepsen_edn;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    size_t b = line.find_first_not_of(" \t\r");
    if (b == std::string_view::npos) continue;
    line.remove_prefix(b);
    if (line[0] == '#' || line[0] == ';') continue;
    if (line[0] == '[' && line.size() > 1) line.remove_prefix(1);
    if (line[0] == '{') return line.find(":key ") != std::string_view::npos ? HistoryFormat::porcupine_kv : HistoryFormat::jepsen_edn;
    if (std::isdigit(static_cast<unsigned char>(line[0]))) {
      size_t sp = line.find_first_of(" \t");
      if (sp == std::string_view::npos) return HistoryFormat::automatic;
      std::string_view t = line.substr(sp);
      t.remove_prefix(std::min(t.find_first_not_of(" \t"), t.size()));
      for (const char* k : {"invoke", "ok", "fail", "info"})
        if (t.rfind(k, 0) == 0) return HistoryFormat::ipcrace;
    }
    return HistoryFormat::automatic;
  }
  return HistoryFormat::ipcrace;  // no event at all: an empty history in any format
}

bool parse_history_as(const std::string& text, HistoryFormat f, History* out, std::string* error) {
  if (f == HistoryFormat::automatic) f = detect_history_format(text);
  switch (f) {
    case HistoryFormat::ipcrace: return parse_history(text, out, error);
    case HistoryFormat::jepsen_edn:
    case HistoryFormat::porcupine_kv: return parse_history_edn(text, out, error);
    case HistoryFormat::automatic: break;
  }
  if (text.find('\0') != std::string::npos) {
    if (error) *error = "line 1: binary data (a NUL byte): not a history";
    return false;
  }
  if (error) *error = "line 1: cannot tell the format (use --format ipcrace|jepsen-edn|porcupine-kv)";
  return false;
}

}  // namespace ipcrace
