// Sequential models for the linearizability checker. A state is a vector of
// integers; an indeterminate (info) op has no known output and may return
// anything its input allows.
#include "ipcrace/oracles.hpp"

namespace ipcrace {
namespace {

using State = std::vector<int64_t>;

bool one(const Value& v) { return !v.nil && v.v.size() == 1; }

// Register state: {has, value}; reads of an unwritten register return nil.
bool register_step(const State& s, const Operation& op, State* next, bool cas_allowed) {
  const std::string& o = op.op;
  if (o == "read" || o == "get") {
    *next = s;
    if (op.indeterminate()) return true;
    if (op.output.nil) return s[0] == 0;
    return one(op.output) && s[0] == 1 && s[1] == op.output.v[0];
  }
  if (o == "write" || o == "put") {
    if (!one(op.input)) return false;
    *next = {1, op.input.v[0]};
    return true;
  }
  if (cas_allowed && o == "cas") {
    if (op.input.nil || op.input.v.size() != 2) return false;
    const bool held = s[0] == 1 && s[1] == op.input.v[0];
    // fail: the compare ran and did not hold (nothing written); a fail
    // whose compare held at every possible point is not linearizable.
    if (op.outcome == EventType::fail) {
      *next = s;
      return !held;
    }
    // ok: the compare held.
    if (!held) return false;
    *next = {1, op.input.v[1]};
    return true;
  }
  return false;
}

class RegisterModel : public Model {
 public:
  std::string name() const override { return "register"; }
  State init() const override { return {0, 0}; }
  bool step(const State& s, const Operation& op, State* n) const override { return register_step(s, op, n, false); }
};

class CasRegisterModel : public Model {
 public:
  std::string name() const override { return "cas-register"; }
  State init() const override { return {0, 0}; }
  bool step(const State& s, const Operation& op, State* n) const override { return register_step(s, op, n, true); }
};

class KvModel : public Model {
 public:
  std::string name() const override { return "kv"; }
  State init() const override { return {0, 0}; }
  bool step(const State& s, const Operation& op, State* n) const override { return register_step(s, op, n, true); }
  bool partition_by_key() const override { return true; }
};

class CounterModel : public Model {
 public:
  std::string name() const override { return "counter"; }
  State init() const override { return {0}; }
  bool step(const State& s, const Operation& op, State* n) const override {
    if (op.op == "add" || op.op == "incr") {
      int64_t d = op.op == "incr" && op.input.nil ? 1 : (one(op.input) ? op.input.v[0] : 0);
      if (op.op == "add" && !one(op.input)) return false;
      *n = {s[0] + d};
      return true;
    }
    if (op.op == "fetch_add") {  // add d, returning the value before
      if (!one(op.input)) return false;
      *n = {s[0] + op.input.v[0]};
      return op.indeterminate() || (one(op.output) && op.output.v[0] == s[0]);
    }
    if (op.op == "read") {
      *n = s;
      return op.indeterminate() || (one(op.output) && op.output.v[0] == s[0]);
    }
    return false;
  }
};

class QueueModel : public Model {
 public:
  std::string name() const override { return "queue"; }
  State init() const override { return {}; }
  bool step(const State& s, const Operation& op, State* n) const override {
    if (op.op == "enqueue") {
      if (!one(op.input)) return false;
      *n = s;
      n->push_back(op.input.v[0]);
      return true;
    }
    if (op.op == "dequeue") {
      if (op.indeterminate()) {
        *n = s.empty() ? s : State(s.begin() + 1, s.end());
        return true;
      }
      if (op.output.nil) {
        *n = s;
        return s.empty();
      }
      if (!one(op.output) || s.empty() || s[0] != op.output.v[0]) return false;
      *n = State(s.begin() + 1, s.end());
      return true;
    }
    return false;
  }
};

}  // namespace

std::unique_ptr<Model> make_model(std::string_view name) {
  if (name == "register") return std::make_unique<RegisterModel>();
  if (name == "cas-register") return std::make_unique<CasRegisterModel>();
  if (name == "counter") return std::make_unique<CounterModel>();
  if (name == "queue") return std::make_unique<QueueModel>();
  if (name == "kv") return std::make_unique<KvModel>();
  return nullptr;
}

std::vector<std::string> model_names() { return {"register", "cas-register", "counter", "queue", "kv"}; }

}  // namespace ipcrace
