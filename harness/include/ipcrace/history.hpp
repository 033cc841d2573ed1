// Histories: operation invocations and completions of concurrent processes,
// as recorded by ipcrace or by any other system (docs/history-format.md).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ipcrace {

// ok: the op took effect with this result; fail: it certainly did not take
// effect; info: indeterminate (the process crashed or timed out): it may or may
// not have taken effect, at any time after its invocation.
enum class EventType : uint8_t { invoke, ok, fail, info };
const char* event_type_name(EventType t);
std::optional<EventType> event_type_from_name(const std::string& s);

// A value: a list of integers, or nil (read of an unset register, dequeue of
// an empty queue, an unknown result).
struct Value {
  bool nil = true;
  std::vector<int64_t> v;
  static Value none() { return {}; }
  static Value of(std::vector<int64_t> xs) { return {false, std::move(xs)}; }
  bool operator==(const Value&) const = default;
  std::string str() const;  // "nil", "3", "[1 2]"
};

struct HistoryEvent {
  int process = 0;
  EventType type = EventType::invoke;
  std::string op;     // read, write, cas, add, enqueue, dequeue, get, put
  std::string key;    // key-value model: the key ("" otherwise)
  Value value;        // invoke: the argument; ok: the result
  int64_t step = -1;  // scheduler step, when recorded by ipcrace
  bool operator==(const HistoryEvent&) const = default;
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
  // are dropped (they did not take effect), except a failed cas: its compare
  // ran and failed, which constrains the history (outcome fail, completed). On a malformed history (a
  // completion with no pending invocation, a second invocation while one is
  // pending) returns false with `error` naming the event.
  bool operations(std::vector<Operation>* out, std::string* error, size_t prefix_events = SIZE_MAX) const;

 private:
  std::vector<HistoryEvent> events_;
};

// The line-based text format (docs/history-format.md).
std::string format_history_event(const HistoryEvent& e);
std::string format_history(const History& h);
// On error returns false and sets `error` to "line N: what is wrong".
bool parse_history(const std::string& text, History* out, std::string* error);

}  // namespace ipcrace
