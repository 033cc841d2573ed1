// set: a grow-only set, initially empty (Jepsen's set workload): add v;
// read returns every element, in any order (nil or [] when empty). State: the
// encoded elements, sorted, without duplicates; a read's result is sorted the
// same way (duplicates kept: a read that returns one element twice is wrong).
#include <algorithm>
#include <vector>

#include "model_state.hpp"

namespace ipcrace::model {
namespace {

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> items;
  for (size_t b = 0; b < s.size();) {
    size_t e = item_end(s, b);
    items.emplace_back(s, b, e - b);
    b = e;
  }
  return items;
}

std::string join(const std::vector<std::string>& items) {
  std::string s;
  for (const auto& i : items) s += i;
  return s;
}

class SetModel : public Model {
 public:
  std::string name() const override { return "set"; }
  ModelState init() const override { return {}; }
  bool partition_by_key() const override { return true; }
  std::vector<OpSpec> ops() const override {
    return {{"add", ArgKind::scalar, ArgKind::none}, {"read", ArgKind::none, ArgKind::list_or_nil}};
  }
  void prepare(Operation* op) const override {
    Model::prepare(op);
    auto items = split(op->out_enc);
    std::sort(items.begin(), items.end());
    op->out_enc = join(items);
  }
  bool run(const ModelState& s, const Operation& op, ModelState* next, Value* result) const override {
    *result = Value::none();
    if (op.op == "add") {
      auto items = split(s);
      auto it = std::lower_bound(items.begin(), items.end(), op.in_enc);
      if (it == items.end() || *it != op.in_enc) items.insert(it, op.in_enc);
      *next = join(items);
      return true;
    }
    if (op.op == "read") {
      *next = s;
      *result = decode(s);
      return true;
    }
    return false;
  }
  bool step(const ModelState& s, const Operation& op, ModelState* next) const override {
    if (op.op == "read") {
      *next = s;
      return op.indeterminate() || s == op.out_enc;
    }
    Value unused;
    return run(s, op, next, &unused);
  }
};

}  // namespace

std::unique_ptr<Model> make_set() { return std::make_unique<SetModel>(); }

}  // namespace ipcrace::model
