// Histories: operation invocations and completions of concurrent processes,
// as recorded by ipcrace or by any other system (docs/history-format.md).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ipcrace {

// ok: the op took effect with this result; fail: it certainly did not take
// effect; info: indeterminate (the process crashed or timed out): it may or may
// not have taken effect, at any time after its invocation.
enum class EventType : uint8_t { invoke, ok, fail, info };
const char* event_type_name(EventType t);
std::optional<EventType> event_type_from_name(const std::string& s);

// A value: nil (no value: a read of an unset register, a dequeue of an empty
// queue, an unknown result), or a list of items, all integers (`v`) or all
// strings (`s`). One item is a scalar; zero items (not nil) is the empty list.
struct Value {
  bool nil = true;
  std::vector<int64_t> v;
  std::vector<std::string> s;
  static Value none() { return {}; }
  static Value of(std::vector<int64_t> xs) { return {false, std::move(xs), {}}; }
  static Value strings(std::vector<std::string> xs) { return {false, {}, std::move(xs)}; }
  static Value str1(std::string x) { return strings({std::move(x)}); }
  static Value empty_list() { return {false, {}, {}}; }
  size_t items() const { return v.size() + s.size(); }
  bool is_strings() const { return !s.empty(); }
  bool scalar() const { return !nil && items() == 1; }
  bool operator==(const Value&) const = default;
  std::string str() const;  // "nil", "3", "\"a\"", "[1 2]", "[]"
};

// A string as the text format writes it: quoted, with \" \\ \n \t \r and \xHH
// for every other byte outside printable ASCII.
std::string quote_string(std::string_view s);
// Bytes made safe for a message: printable ASCII kept, the rest as \xHH, cut
// at `max` bytes.
std::string printable(std::string_view s, size_t max = 80);

struct HistoryEvent {
  int process = 0;
  EventType type = EventType::invoke;
  std::string op;     // read, write, cas, add, enqueue, dequeue, get, put, append, r, ...
  std::string key;    // partitioned models: the key ("" otherwise)
  Value value;        // invoke: the argument; ok: the result
  int64_t step = -1;  // scheduler step, when recorded by ipcrace
  size_t line = 0;    // line in the file it was read from (0: not from a file); not compared
  bool operator==(const HistoryEvent& o) const {
    return process == o.process && type == o.type && op == o.op && key == o.key && value == o.value && step == o.step;
  }
};

// An invocation paired with its completion.
struct Operation {
  int id = 0;            // index among the history's operations
  int process = 0;
  std::string op;
  std::string key;
  Value input;
  Value output;          // nil for info ops
  size_t call = 0;       // event index of the invocation
  size_t ret = SIZE_MAX; // event index of the completion (SIZE_MAX: info, none)
  EventType outcome = EventType::ok;
  size_t call_line = 0;  // file lines of the invocation and the completion (0: none)
  size_t ret_line = 0;
  std::string in_enc, out_enc;  // input and output items encoded for the model (filled by the checker)
  bool indeterminate() const { return outcome == EventType::info; }
};

class History {
 public:
  void invoke(int process, std::string op, Value arg, std::string key = {}, int64_t step = -1);
  void complete(int process, EventType type, Value result = {}, int64_t step = -1);
  void add(HistoryEvent e) { events_.push_back(std::move(e)); }
  const std::vector<HistoryEvent>& events() const { return events_; }
  size_t size() const { return events_.size(); }

  // Pair invocations with completions (the next completion of the same
  // process). An invocation with no completion is treated as info. fail ops
  // are dropped (they did not take effect) unless `keep_failed`, except a
  // failed cas: its compare ran and did not hold, which constrains the
  // history (outcome fail, completed: ret set). On a malformed history (a
  // completion with no pending invocation, a second invocation while one is
  // pending) returns false with `error` naming the event's line ("line N:
  // ...", or "event I: ..." for events not read from a file).
  bool operations(std::vector<Operation>* out, std::string* error, size_t prefix_events = SIZE_MAX,
                  bool keep_failed = false) const;

 private:
  std::vector<HistoryEvent> events_;
};

// Where an event came from, for messages: "line N" or "event I".
std::string event_where(const HistoryEvent& e, size_t index);

// The file formats check-history reads (docs/history-format.md).
enum class HistoryFormat { automatic, ipcrace, jepsen_edn, porcupine_kv };
std::optional<HistoryFormat> history_format_from_name(std::string_view s);
const char* history_format_name(HistoryFormat f);
// The format of `text` when it is unambiguous (automatic when it is not).
HistoryFormat detect_history_format(std::string_view text);

// The line-based text format (docs/history-format.md).
std::string format_history_event(const HistoryEvent& e);
std::string format_history(const History& h);
// On error returns false and sets `error` to "line N: what is wrong" (bytes
// outside printable ASCII escaped). A NUL byte makes the input binary: refused.
bool parse_history(const std::string& text, History* out, std::string* error);
// Jepsen's history.edn maps ({:type :invoke, :f :read, :value nil, :process 3, ...}),
// its log lines ("INFO jepsen.util - 3 :invoke :read nil") and Porcupine's kv
// log ({:process 0, :type :invoke, :f :put, :key "6", :value "x"}); list-append
// transactions of one micro-op ([[:append 3 1]], [[:r 3 [1 2]]]) become single ops.
bool parse_history_edn(const std::string& text, History* out, std::string* error);
// Any format (automatic: detected).
bool parse_history_as(const std::string& text, HistoryFormat f, History* out, std::string* error);

}  // namespace ipcrace
