// The model registry, the Model interface's shared parts (input validation,
// the default step) and history validation. Each model has its own file:
// model_register.cpp, model_counter.cpp, model_queue.cpp, model_kv.cpp,
// model_list_append.cpp, model_set.cpp.
#include <map>

#include "model_state.hpp"

namespace ipcrace {

const char* arg_kind_text(ArgKind k) {
  switch (k) {
    case ArgKind::none: return "no value";
    case ArgKind::scalar: return "one value (an integer or a string)";
    case ArgKind::integer: return "one integer";
    case ArgKind::string: return "one string";
    case ArgKind::pair: return "two values (old new)";
    case ArgKind::list: return "a list";
    case ArgKind::scalar_or_nil: return "one value or nil";
    case ArgKind::list_or_nil: return "a list or nil";
    case ArgKind::optional_integer: return "one integer or no value";
  }
  return "?";
}

namespace {

bool fits(ArgKind k, const Value& v) {
  switch (k) {
    case ArgKind::none: return v.nil;
    case ArgKind::scalar: return v.scalar();
    case ArgKind::integer: return v.scalar() && !v.is_strings();
    case ArgKind::string: return v.scalar() && v.is_strings();
    case ArgKind::pair: return !v.nil && v.items() == 2;
    case ArgKind::list: return !v.nil;
    case ArgKind::scalar_or_nil: return v.nil || v.scalar();
    case ArgKind::list_or_nil: return true;
    case ArgKind::optional_integer: return v.nil || (v.scalar() && !v.is_strings());
  }
  return false;
}

}  // namespace

std::string Model::validate(const Operation& op, bool* at_completion) const {
  *at_completion = false;
  const auto specs = ops();
  const OpSpec* spec = nullptr;
  for (const auto& s : specs)
    if (op.op == s.name) spec = &s;
  if (!spec) {
    std::string names;
    for (const auto& s : specs) names += (names.empty() ? "" : ", ") + std::string(s.name);
    return "unknown op '" + printable(op.op) + "' for model " + name() + " (" + names + ")";
  }
  if (!fits(spec->input, op.input))
    return "'" + op.op + "' takes " + arg_kind_text(spec->input) + ", not " + printable(op.input.str());
  if (op.outcome != EventType::ok) return {};  // fail / info results are not used
  *at_completion = true;
  // No result: whatever a completion carries is ignored (Jepsen repeats the
  // argument; Porcupine's kv log writes a value).
  if (spec->output == ArgKind::none) return {};
  if (!fits(spec->output, op.output))
    return "'" + op.op + "' returns " + arg_kind_text(spec->output) + ", not " + printable(op.output.str());
  return {};
}

bool Model::returns_value(std::string_view op) const {
  for (const auto& s : ops())
    if (op == s.name) return s.output != ArgKind::none;
  return false;
}

void Model::prepare(Operation* op) const {
  op->in_enc = model::encode(op->input);
  op->out_enc = op->output.nil ? std::string() : model::encode(op->output);
}

bool Model::step(const ModelState& s, const Operation& op, ModelState* next) const {
  Value r;
  if (!run(s, op, next, &r)) return false;
  if (op.indeterminate() || !returns_value(op.op)) return true;
  if (op.output.nil) return r.nil;
  return !r.nil && model::encode(r) == op.out_enc;
}

std::string validate_history(const History& h, const Model& m) {
  std::vector<Operation> ops;
  std::string err;
  if (!h.operations(&ops, &err, SIZE_MAX, /*keep_failed=*/true)) return err;
  auto where = [](size_t line, size_t event) {
    return line ? "line " + std::to_string(line) : "event " + std::to_string(event);
  };
  // One item type (integers or strings) per partition: a model never compares
  // an integer with a string.
  std::map<std::string, std::pair<int, size_t>> types;  // key -> (1 ints, 2 strings; line)
  for (const auto& op : ops) {
    bool at_completion = false;
    std::string why = m.validate(op, &at_completion);
    if (!why.empty())
      return where(at_completion ? op.ret_line : op.call_line, at_completion ? op.ret : op.call) + ": " + why;
    for (int side = 0; side < 2; ++side) {
      const Value& v = side ? op.output : op.input;
      if (side && (op.outcome != EventType::ok || !m.returns_value(op.op))) continue;
      if (v.nil || v.items() == 0) continue;
      const int t = v.is_strings() ? 2 : 1;
      const size_t line = side ? op.ret_line : op.call_line;
      auto& slot = types[m.partition_by_key() ? op.key : std::string()];
      if (slot.first == 0) {
        slot = {t, line};
      } else if (slot.first != t) {
        return where(line, side ? op.ret : op.call) + ": " + (t == 2 ? "a string" : "an integer") + " where " +
               (slot.first == 2 ? "strings" : "integers") + " were used before" +
               (slot.second ? " (line " + std::to_string(slot.second) + ")" : std::string()) +
               (m.partition_by_key() && !op.key.empty() ? " for key " + printable(op.key) : std::string()) +
               ": one type of value per " + (m.partition_by_key() ? "key" : "history");
      }
    }
  }
  return {};
}

std::unique_ptr<Model> make_model(std::string_view name) {
  if (name == "register") return model::make_register(false);
  if (name == "cas-register") return model::make_register(true);
  if (name == "counter") return model::make_counter();
  if (name == "queue") return model::make_queue();
  if (name == "kv") return model::make_kv();
  if (name == "list-append") return model::make_list_append();
  if (name == "set") return model::make_set();
  return nullptr;
}

std::vector<std::string> model_names() {
  return {"register", "cas-register", "counter", "queue", "kv", "list-append", "set"};
}

}  // namespace ipcrace
