// Generated histories for benchmarks and tests (see oracles.hpp): any model,
// from its op table and its sequential execution (Model::run). Each op takes
// effect at its completion, so the history is linearizable by construction.
#include <map>
#include <stdexcept>

#include "ipcrace/oracles.hpp"

namespace ipcrace {

History generate_history(const std::string& model, size_t ops, int clients, int keys, uint64_t seed, bool break_last,
                         const GenerateOptions& g) {
  auto m = make_model(model);
  if (!m) throw std::invalid_argument("unknown model '" + model + "'");
  if (clients < 1) clients = 1;
  if (keys < 1 || !m->partition_by_key()) keys = 1;
  uint64_t x = seed * 0x9e3779b97f4a7c15ULL + 1;
  auto rnd = [&](uint64_t bound) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return bound ? x % bound : 0;
  };
  std::vector<OpSpec> reads, writes;
  for (const auto& s : m->ops()) {
    if (s.input == ArgKind::string && !g.strings) continue;  // kv append: strings only
    (s.output != ArgKind::none ? reads : writes).push_back(s);
  }
  struct Pending {
    bool busy = false;
    int process = 0;
    Operation op;
  };
  std::vector<Pending> pend(static_cast<size_t>(clients));
  for (int c = 0; c < clients; ++c) pend[size_t(c)].process = c;
  int next_process = clients;
  std::map<std::string, ModelState> truth;
  History h;
  size_t started = 0, completed = 0;
  int64_t next_value = 1;
  long last_read_event = -1;
  auto item = [&](int64_t v) { return g.strings ? Value::str1("v" + std::to_string(v)) : Value::of({v}); };
  while (completed < ops) {
    const int c = int(rnd(uint64_t(clients)));
    Pending& p = pend[size_t(c)];
    if (!p.busy) {
      if (started >= ops) continue;
      Operation op;
      op.process = p.process;
      op.key = m->partition_by_key() ? "k" + std::to_string(rnd(uint64_t(keys))) : "";
      const bool read = !reads.empty() && (writes.empty() || rnd(100) < 45);
      const OpSpec& s = read ? reads[rnd(reads.size())] : writes[rnd(writes.size())];
      op.op = s.name;
      switch (s.input) {
        case ArgKind::integer:
        case ArgKind::optional_integer: op.input = Value::of({int64_t(1 + rnd(3))}); break;
        case ArgKind::string: op.input = Value::str1("x" + std::to_string(next_value++)); break;
        case ArgKind::scalar: op.input = item(next_value++); break;
        case ArgKind::pair: {
          // cas: often the current value, so that it succeeds.
          auto& st = truth.try_emplace(op.key, m->init()).first->second;
          Operation probe;
          probe.op = m->ops()[0].name;  // the model's read
          Value cur;
          ModelState unused;
          m->prepare(&probe);
          m->run(st, probe, &unused, &cur);
          Value old = cur.scalar() && rnd(4) ? cur : item(int64_t(rnd(uint64_t(next_value))));
          Value nv = item(next_value++);
          op.input = old;
          op.input.v.insert(op.input.v.end(), nv.v.begin(), nv.v.end());
          op.input.s.insert(op.input.s.end(), nv.s.begin(), nv.s.end());
          break;
        }
        default: break;
      }
      h.invoke(op.process, op.op, op.input, op.key);
      p.op = std::move(op);
      p.busy = true;
      ++started;
      continue;
    }
    auto& st = truth.try_emplace(p.op.key, m->init()).first->second;
    Operation& op = p.op;
    m->prepare(&op);
    ModelState next;
    Value result;
    const bool applies = m->run(st, op, &next, &result);
    p.busy = false;
    ++completed;
    if (g.info_percent > 0 && int(rnd(100)) < g.info_percent) {
      // The client crashes: the op may or may not have taken effect; a new
      // process takes the client's place (as Jepsen does).
      if (applies && rnd(2)) st = std::move(next);
      h.complete(op.process, EventType::info);
      p.process = next_process++;
      continue;
    }
    if (!applies) {
      h.complete(op.process, EventType::fail);  // a cas whose compare did not hold
      continue;
    }
    st = std::move(next);
    if (m->returns_value(op.op)) {
      last_read_event = long(h.size());
      h.complete(op.process, EventType::ok, result);
    } else {
      h.complete(op.process, EventType::ok);
    }
  }
  if (break_last && last_read_event >= 0) {
    History b;
    for (size_t i = 0; i < h.size(); ++i) {
      HistoryEvent e = h.events()[i];
      if (long(i) == last_read_event) {
        // A value never written (of the history's type), appended to a list
        // result or replacing a scalar one.
        const bool strings = g.strings && model != "counter";
        if (e.value.nil || e.value.items() <= 1 || model == "counter") e.value = Value::empty_list();
        if (strings)
          e.value.s.push_back("never-written");
        else
          e.value.v.push_back(-12345);
      }
      b.add(std::move(e));
    }
    return b;
  }
  return h;
}

}  // namespace ipcrace
