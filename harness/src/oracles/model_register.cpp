// register (read, write) and cas-register (read, write, cas old new): one
// value, initially unset (nil). State: "" (unset) or the value's item.
// A read's result must be that item (or nil when unset).
#include "model_state.hpp"

namespace ipcrace::model {
namespace {

class RegisterModel : public Model {
 public:
  explicit RegisterModel(bool cas) : cas_(cas) {}
  std::string name() const override { return cas_ ? "cas-register" : "register"; }
  ModelState init() const override { return {}; }
  std::vector<OpSpec> ops() const override {
    // A read may return several items: a torn read of a multi-word register
    // (shm.record) returns the words it saw, a value no write wrote.
    std::vector<OpSpec> v{{"read", ArgKind::none, ArgKind::list_or_nil}, {"write", ArgKind::scalar, ArgKind::none}};
    if (cas_) v.push_back({"cas", ArgKind::pair, ArgKind::none});
    return v;
  }
  bool run(const ModelState& s, const Operation& op, ModelState* next, Value* result) const override {
    const std::string& o = op.op;
    if (o == "read") {
      *next = s;
      *result = s.empty() ? Value::none() : decode(s);
      return true;
    }
    *result = Value::none();
    if (o == "write") {
      *next = op.in_enc;
      return true;
    }
    if (cas_ && o == "cas") {  // ok: the compare held (a failed compare is a 'fail' event)
      return cas_step(s, op, next);
    }
    return false;
  }
  bool step(const ModelState& s, const Operation& op, ModelState* next) const override {
    if (op.op == "read") {
      *next = s;
      if (op.indeterminate()) return true;
      return op.output.nil ? s.empty() : s == op.out_enc;
    }
    Value unused;
    return run(s, op, next, &unused);
  }

 private:
  bool cas_;
};

}  // namespace

std::unique_ptr<Model> make_register(bool cas) { return std::make_unique<RegisterModel>(cas); }

}  // namespace ipcrace::model
