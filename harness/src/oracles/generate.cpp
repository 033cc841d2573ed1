// Generated histories for benchmarks and tests (see oracles.hpp).
#include <map>
#include <stdexcept>

#include "ipcrace/oracles.hpp"
#include "ipcrace/rng.hpp"

namespace ipcrace {

History generate_history(const std::string& model, size_t ops, int clients, int keys, uint64_t seed, bool break_last) {
  auto m = make_model(model);
  if (!m) throw std::invalid_argument("unknown model '" + model + "'");
  if (clients < 1) clients = 1;
  if (keys < 1) keys = 1;
  uint64_t x = seed * 0x9e3779b97f4a7c15ULL + 1;
  auto rnd = [&](uint64_t bound) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return bound ? x % bound : 0;
  };
  struct Pending {
    bool busy = false;
    Operation op;
  };
  std::vector<Pending> pend(static_cast<size_t>(clients));
  std::map<std::string, std::vector<int64_t>> truth;
  History h;
  size_t started = 0, completed = 0;
  int64_t next_value = 1;
  long last_read_event = -1;
  while (completed < ops) {
    int c = int(rnd(uint64_t(clients)));
    Pending& p = pend[size_t(c)];
    if (!p.busy) {
      if (started >= ops) continue;
      Operation op;
      op.process = c;
      op.key = model == "kv" ? "k" + std::to_string(rnd(uint64_t(keys))) : "";
      uint64_t r = rnd(100);
      if (model == "register" || model == "cas-register" || model == "kv") {
        bool cas = model != "register" && r < 20;
        if (r < 50) {
          op.op = model == "kv" ? "get" : "read";
        } else if (cas) {
          op.op = "cas";
        } else {
          op.op = model == "kv" ? "put" : "write";
          op.input = Value::of({next_value++});
        }
        if (op.op == "cas") {
          auto& s = truth.try_emplace(op.key, m->init()).first->second;
          op.input = Value::of({s[0] ? s[1] : 0, next_value++});
        }
      } else if (model == "counter") {
        op.op = r < 40 ? "read" : "add";
        if (op.op == "add") op.input = Value::of({int64_t(1 + rnd(3))});
      } else {
        op.op = r < 50 ? "dequeue" : "enqueue";
        if (op.op == "enqueue") op.input = Value::of({next_value++});
      }
      h.invoke(c, op.op, op.input, op.key);
      p.op = std::move(op);
      p.busy = true;
      ++started;
      continue;
    }
    // Completion: the op takes effect now.
    auto& s = truth.try_emplace(p.op.key, m->init()).first->second;
    Operation& op = p.op;
    op.outcome = EventType::ok;
    op.ret = 1;
    op.output = Value::none();
    if (op.op == "read" || op.op == "get") {
      if (model == "counter")
        op.output = Value::of({s[0]});
      else if (s[0])
        op.output = Value::of({s[1]});
    } else if (op.op == "dequeue" && !s.empty()) {
      op.output = Value::of({s[0]});
    }
    std::vector<int64_t> next;
    if (m->step(s, op, &next)) {
      s = std::move(next);
      bool readlike = op.op == "read" || op.op == "get" || op.op == "dequeue";
      if (readlike) last_read_event = long(h.size());
      h.complete(c, EventType::ok, readlike ? op.output : Value::none());
    } else {
      h.complete(c, EventType::fail);  // a cas whose compare did not hold
    }
    p.busy = false;
    ++completed;
  }
  if (break_last && last_read_event >= 0) {
    History b;
    for (size_t i = 0; i < h.size(); ++i) {
      HistoryEvent e = h.events()[i];
      if (long(i) == last_read_event) e.value = Value::of({-12345});
      b.add(std::move(e));
    }
    return b;
  }
  return h;
}

}  // namespace ipcrace
