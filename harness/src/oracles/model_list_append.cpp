// list-append: Jepsen/Elle's list-append workload restricted to single-key
// operations. Per key a list, initially empty: append k v adds v at the end;
// r k returns the whole list (nil or [] when empty). Checked per key.
#include "model_state.hpp"

namespace ipcrace::model {
namespace {

class ListAppendModel : public Model {
 public:
  std::string name() const override { return "list-append"; }
  ModelState init() const override { return {}; }
  bool partition_by_key() const override { return true; }
  std::vector<OpSpec> ops() const override {
    return {{"append", ArgKind::scalar, ArgKind::none}, {"r", ArgKind::none, ArgKind::list_or_nil}};
  }
  bool run(const ModelState& s, const Operation& op, ModelState* next, Value* result) const override {
    *result = Value::none();
    if (op.op == "append") {
      *next = s + op.in_enc;
      return true;
    }
    if (op.op == "r") {
      *next = s;
      *result = decode(s);
      return true;
    }
    return false;
  }
  bool step(const ModelState& s, const Operation& op, ModelState* next) const override {
    if (op.op == "r") {
      *next = s;
      return op.indeterminate() || s == op.out_enc;  // nil and [] both encode as ""
    }
    Value unused;
    return run(s, op, next, &unused);
  }
};

}  // namespace

std::unique_ptr<Model> make_list_append() { return std::make_unique<ListAppendModel>(); }

}  // namespace ipcrace::model
