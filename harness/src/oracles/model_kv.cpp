// kv: one value per key (checked per key, as Porcupine partitions), initially
// unset. get returns the value (nil, or "" as Porcupine's kv returns for a
// key never written); put v; append s concatenates (strings; on an unset key
// it is a put); cas old new. State: "" (unset) or the value's item.
#include "model_state.hpp"

namespace ipcrace::model {
namespace {

class KvModel : public Model {
 public:
  std::string name() const override { return "kv"; }
  ModelState init() const override { return {}; }
  bool partition_by_key() const override { return true; }
  std::vector<OpSpec> ops() const override {
    return {{"get", ArgKind::none, ArgKind::scalar_or_nil},
            {"put", ArgKind::scalar, ArgKind::none},
            {"append", ArgKind::string, ArgKind::none},
            {"cas", ArgKind::pair, ArgKind::none}};
  }
  bool run(const ModelState& s, const Operation& op, ModelState* next, Value* result) const override {
    *result = Value::none();
    const std::string& o = op.op;
    if (o == "get") {
      *next = s;
      if (!s.empty()) *result = decode(s);
      return true;
    }
    if (o == "put") {
      *next = op.in_enc;
      return true;
    }
    if (o == "append") {
      if (s.empty()) {
        *next = op.in_enc;
        return true;
      }
      if (s[0] != 's') return false;  // validation keeps one type per key
      const uint32_t n = get_u32(s, 1), m = get_u32(op.in_enc, 1);
      next->clear();
      next->reserve(5 + n + m);
      next->push_back('s');
      put_u32(*next, n + m);
      next->append(s, 5, n);
      next->append(op.in_enc, 5, m);
      return true;
    }
    if (o == "cas") {
      return cas_step(s, op, next);
    }
    return false;
  }
  bool step(const ModelState& s, const Operation& op, ModelState* next) const override {
    if (op.op == "get") {
      *next = s;
      if (op.indeterminate()) return true;
      if (op.output.nil) return s.empty();
      if (s.empty()) return op.out_enc.size() == 5 && op.out_enc[0] == 's';  // "" of a key never written
      return s == op.out_enc;
    }
    Value unused;
    return run(s, op, next, &unused);
  }
};

}  // namespace

std::unique_ptr<Model> make_kv() { return std::make_unique<KvModel>(); }

}  // namespace ipcrace::model
