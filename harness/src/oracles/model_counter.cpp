// counter: an integer, initially 0. add d, incr [d] (default 1), fetch_add d
// (returns the value before), read (returns the value). State: 8 bytes.
#include "model_state.hpp"

namespace ipcrace::model {
namespace {

class CounterModel : public Model {
 public:
  std::string name() const override { return "counter"; }
  ModelState init() const override {
    std::string s;
    put_int(s, 0);
    return s;
  }
  std::vector<OpSpec> ops() const override {
    return {{"add", ArgKind::integer, ArgKind::none},
            {"incr", ArgKind::optional_integer, ArgKind::none},
            {"fetch_add", ArgKind::integer, ArgKind::integer},
            {"read", ArgKind::none, ArgKind::integer}};
  }
  bool run(const ModelState& s, const Operation& op, ModelState* next, Value* result) const override {
    const int64_t c = get_int(s, 0);
    *result = Value::none();
    auto set = [&](int64_t d) {
      next->clear();
      put_int(*next, int64_t(uint64_t(c) + uint64_t(d)));  // wraps, never undefined
    };
    if (op.op == "read") {
      *next = s;
      *result = Value::of({c});
      return true;
    }
    const int64_t d = op.input.nil ? 1 : op.input.v.empty() ? 0 : op.input.v[0];
    if (op.op == "add" || op.op == "incr") {
      set(d);
      return true;
    }
    if (op.op == "fetch_add") {
      set(d);
      *result = Value::of({c});
      return true;
    }
    return false;
  }
};

}  // namespace

std::unique_ptr<Model> make_counter() { return std::make_unique<CounterModel>(); }

}  // namespace ipcrace::model
