// queue: FIFO, initially empty. enqueue v; dequeue returns the head, or nil
// when empty. State: the items in order.
#include "model_state.hpp"

namespace ipcrace::model {
namespace {

class QueueModel : public Model {
 public:
  std::string name() const override { return "queue"; }
  ModelState init() const override { return {}; }
  std::vector<OpSpec> ops() const override {
    return {{"enqueue", ArgKind::scalar, ArgKind::none}, {"dequeue", ArgKind::none, ArgKind::scalar_or_nil}};
  }
  bool run(const ModelState& s, const Operation& op, ModelState* next, Value* result) const override {
    *result = Value::none();
    if (op.op == "enqueue") {
      *next = s + op.in_enc;
      return true;
    }
    if (op.op == "dequeue") {
      if (s.empty()) {
        *next = s;
        return true;
      }
      const size_t e = item_end(s, 0);
      *result = decode(s, 0, e);
      *next = s.substr(e);
      return true;
    }
    return false;
  }
  bool step(const ModelState& s, const Operation& op, ModelState* next) const override {
    if (op.op == "dequeue" && !op.indeterminate()) {
      if (op.output.nil) {
        *next = s;
        return s.empty();
      }
      if (s.empty() || s.compare(0, op.out_enc.size(), op.out_enc) != 0 || item_end(s, 0) != op.out_enc.size())
        return false;
      *next = s.substr(op.out_enc.size());
      return true;
    }
    Value unused;
    return run(s, op, next, &unused);
  }
};

}  // namespace

std::unique_ptr<Model> make_queue() { return std::make_unique<QueueModel>(); }

}  // namespace ipcrace::model
