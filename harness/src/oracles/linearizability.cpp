// Linearizability: Wing & Gong's search as improved by Lowe, with Porcupine's
// memoisation. Entries (calls and returns, in history order) form a linked
// list; linearizing a call lifts it and its return out of the list and pushes
// it on a stack; reaching a return whose call is not linearized backtracks. A
// cache of (set of linearized ops, model state) prunes states seen before.
// Indeterminate (info) ops have a call but no return: they never force a
// backtrack and the search succeeds once every completed op is linearized.
#include <algorithm>
#include <map>
#include <unordered_set>

#include "ipcrace/oracles.hpp"

namespace ipcrace {
namespace {

using Clock = std::chrono::steady_clock;
using State = std::vector<int64_t>;

struct Entry {
  int op = 0;
  bool call = true;
  size_t time = 0;
  Entry* prev = nullptr;
  Entry* next = nullptr;
  Entry* match = nullptr;  // call -> its return (null for info), return -> its call
};

struct CacheKey {
  std::vector<uint64_t> bits;
  State state;
  bool operator==(const CacheKey&) const = default;
};
struct CacheHash {
  size_t operator()(const CacheKey& k) const {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (uint64_t b : k.bits) h = (h ^ b) * 0x100000001b3ULL;
    for (int64_t s : k.state) h = (h ^ uint64_t(s)) * 0x100000001b3ULL;
    return size_t(h);
  }
};

void lift(Entry* e) {
  e->prev->next = e->next;
  if (e->next) e->next->prev = e->prev;
  if (Entry* r = e->match) {
    r->prev->next = r->next;
    if (r->next) r->next->prev = r->prev;
  }
}

void unlift(Entry* e) {
  if (Entry* r = e->match) {
    r->prev->next = r;
    if (r->next) r->next->prev = r;
  }
  e->prev->next = e;
  if (e->next) e->next->prev = e;
}

}  // namespace

const char* linearizable_name(Linearizable l) {
  switch (l) {
    case Linearizable::yes: return "linearizable";
    case Linearizable::no: return "not linearizable";
    case Linearizable::unknown: return "unknown (timeout)";
  }
  return "?";
}

Linearizable check_operations(const std::vector<Operation>& ops, const Model& m, Clock::time_point deadline,
                              uint64_t* explored) {
  const size_t n = ops.size();
  std::vector<Entry> entries;
  entries.reserve(2 * n);
  size_t completed = 0;
  for (size_t i = 0; i < n; ++i) {
    entries.push_back(Entry{int(i), true, ops[i].call});
    if (!ops[i].indeterminate()) {
      entries.push_back(Entry{int(i), false, ops[i].ret});
      ++completed;
    }
  }
  // Calls before returns at equal times cannot happen (one event per index).
  std::vector<Entry*> order;
  for (auto& e : entries) order.push_back(&e);
  std::sort(order.begin(), order.end(), [](const Entry* a, const Entry* b) { return a->time < b->time; });
  std::vector<Entry*> call_of(n, nullptr);
  for (Entry* e : order)
    if (e->call) call_of[size_t(e->op)] = e;
  for (Entry* e : order)
    if (!e->call) {
      e->match = call_of[size_t(e->op)];
      call_of[size_t(e->op)]->match = e;
    }
  Entry head;
  Entry* prev = &head;
  for (Entry* e : order) {
    prev->next = e;
    e->prev = prev;
    prev = e;
  }
  prev->next = nullptr;

  std::vector<uint64_t> bits((n + 63) / 64, 0);
  std::unordered_set<CacheKey, CacheHash> cache;
  struct Frame {
    Entry* entry;
    State state;
  };
  std::vector<Frame> stack;
  State state = m.init();
  size_t remaining = completed;
  Entry* e = head.next;
  uint64_t steps = 0;
  auto done = [&](Linearizable v) {
    if (explored) *explored += steps;
    return v;
  };
  while (true) {
    if (remaining == 0) return done(Linearizable::yes);
    if ((++steps & 1023) == 0 && Clock::now() >= deadline) return done(Linearizable::unknown);
    if (e != nullptr && e->call) {
      State next;
      const Operation& op = ops[size_t(e->op)];
      if (m.step(state, op, &next)) {
        bits[size_t(e->op) / 64] |= uint64_t(1) << (e->op % 64);
        CacheKey key{bits, next};
        if (cache.insert(std::move(key)).second) {
          stack.push_back(Frame{e, std::move(state)});
          state = std::move(next);
          lift(e);
          if (!op.indeterminate()) --remaining;
          e = head.next;
          continue;
        }
        bits[size_t(e->op) / 64] &= ~(uint64_t(1) << (e->op % 64));
      }
      e = e->next;
      continue;
    }
    // A return whose op is not linearized yet (or the end): backtrack.
    if (stack.empty()) return done(Linearizable::no);
    Frame f = std::move(stack.back());
    stack.pop_back();
    state = std::move(f.state);
    Entry* c = f.entry;
    bits[size_t(c->op) / 64] &= ~(uint64_t(1) << (c->op % 64));
    unlift(c);
    if (!ops[size_t(c->op)].indeterminate()) ++remaining;
    e = c->next;
  }
}

namespace {

// Operations of a prefix, grouped by partition (key for partitioned models).
bool partitions(const History& h, const Model& m, size_t prefix, std::map<std::string, std::vector<Operation>>* out,
                std::string* error) {
  std::vector<Operation> ops;
  if (!h.operations(&ops, error, prefix)) return false;
  out->clear();
  for (auto& op : ops) {
    auto& part = (*out)[m.partition_by_key() ? op.key : std::string()];
    op.id = int(part.size());
    part.push_back(std::move(op));
  }
  return true;
}

}  // namespace

LinearizabilityResult check_linearizable(const History& h, const Model& m, const LinearizabilityOptions& o) {
  const auto t0 = Clock::now();
  const auto deadline = o.timeout_seconds > 0
                            ? t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.timeout_seconds))
                            : Clock::time_point::max();
  LinearizabilityResult res;
  auto finish = [&] {
    res.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    return res;
  };
  std::map<std::string, std::vector<Operation>> parts;
  std::string err;
  if (!partitions(h, m, SIZE_MAX, &parts, &err)) {
    res.verdict = Linearizable::unknown;
    res.message = "malformed history: " + err;
    return finish();
  }
  bool unknown = false;
  for (const auto& [key, ops] : parts) {
    Linearizable v = check_operations(ops, m, deadline, &res.states_explored);
    if (v == Linearizable::unknown) {
      unknown = true;
      continue;
    }
    if (v == Linearizable::no) {
      res.verdict = Linearizable::no;
      res.bad_key = key;
      break;
    }
  }
  if (res.verdict != Linearizable::no) {
    res.verdict = unknown ? Linearizable::unknown : Linearizable::yes;
    if (unknown) res.message = "could not decide within " + std::to_string(o.timeout_seconds) + " s";
    return finish();
  }
  // Shortest non-linearizable prefix of the failing partition: a prefix that
  // is not linearizable stays so when extended, so binary search works.
  size_t lo = 1, hi = h.size();
  if (o.find_shortest_prefix) {
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      std::map<std::string, std::vector<Operation>> pp;
      if (!partitions(h, m, mid, &pp, &err)) break;
      Linearizable v = check_operations(pp[res.bad_key], m, deadline, &res.states_explored);
      if (v == Linearizable::unknown) {
        lo = hi;
        break;
      }
      if (v == Linearizable::no)
        hi = mid;
      else
        lo = mid + 1;
    }
  }
  res.bad_prefix_events = o.find_shortest_prefix ? hi : h.size();
  res.message = "not linearizable" + (res.bad_key.empty() ? std::string() : " (key " + res.bad_key + ")") +
                ": the first " + std::to_string(res.bad_prefix_events) + " events already have no linearization";
  return finish();
}

bool brute_force_linearizable(const std::vector<Operation>& ops, const Model& m) {
  const size_t n = ops.size();
  std::vector<bool> used(n, false);
  size_t completed = 0;
  for (const auto& op : ops) completed += !op.indeterminate();
  // Depth-first over every sequence: the next op must not follow (in real
  // time) any op still unused and completed; info ops may be left out.
  auto rec = [&](auto& self, const State& s, size_t done_completed) -> bool {
    if (done_completed == completed) return true;
    for (size_t i = 0; i < n; ++i) {
      if (used[i]) continue;
      bool blocked = false;
      for (size_t j = 0; j < n && !blocked; ++j)
        blocked = j != i && !used[j] && !ops[j].indeterminate() && ops[j].ret < ops[i].call;
      if (blocked) continue;
      State next;
      if (!m.step(s, ops[i], &next)) continue;
      used[i] = true;
      bool ok = self(self, next, done_completed + !ops[i].indeterminate());
      used[i] = false;
      if (ok) return true;
    }
    return false;
  };
  return rec(rec, m.init(), 0);
}

}  // namespace ipcrace
