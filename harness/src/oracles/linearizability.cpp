// Linearizability: Wing & Gong's search as improved by Lowe, with Porcupine's
// memoisation. Entries (calls and returns, in history order) form a linked
// list; linearizing a call lifts it and its return out of the list and pushes
// it on a stack; reaching a return whose call is not linearized backtracks. A
// cache of (set of linearized ops, model state) prunes states seen before.
// Indeterminate (info) ops have a call but no return: they never force a
// backtrack and the search succeeds once every completed op is linearized.
// Partitions (keys) are checked in parallel; a non-linearizable one gets its
// shortest bad prefix and a minimal set of ops that cannot be ordered.
#include <algorithm>
#include <map>
#include <thread>
#include <unordered_set>

#include "ipcrace/oracles.hpp"

namespace ipcrace {
namespace {

using Clock = std::chrono::steady_clock;
using State = ModelState;

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
    uint64_t h = std::hash<std::string>()(k.state);
    for (uint64_t b : k.bits) h = (h ^ b) * 0x100000001b3ULL;
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

Linearizable check_operations(const std::vector<Operation>& ops_in, const Model& m, Clock::time_point deadline,
                              uint64_t* explored, const std::atomic<bool>* cancel) {
  std::vector<Operation> ops = ops_in;
  for (auto& op : ops) m.prepare(&op);
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
    if ((++steps & 255) == 0 &&
        (Clock::now() >= deadline || (cancel && cancel->load(std::memory_order_relaxed))))
      return done(Linearizable::unknown);
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

// Ops of a prefix of one partition: those invoked before `prefix_events`;
// those completed at or after it are pending there (indeterminate).
std::vector<Operation> prefix_ops(const std::vector<Operation>& ops, size_t prefix_events) {
  std::vector<Operation> out;
  for (const auto& op : ops) {
    if (op.call >= prefix_events) continue;
    Operation o = op;
    if (!o.indeterminate() && o.ret >= prefix_events) {
      o.outcome = EventType::info;
      o.ret = SIZE_MAX;
      o.output = Value::none();
    }
    out.push_back(std::move(o));  // keeps its id in the partition
  }
  return out;
}

Operation relaxed(const Operation& op) {
  Operation o = op;
  o.outcome = EventType::info;
  o.ret = SIZE_MAX;
  o.output = Value::none();
  return o;
}

// A minimal set of determinate ops that cannot be ordered when every other op
// is relaxed to indeterminate (it may have happened, or not, any time after
// its call): relaxing only adds linearizations, so the set stays a witness.
// Delta debugging over chunks, halving down to single ops.
std::vector<Operation> find_conflict(const std::vector<Operation>& ops, const Model& m, Clock::time_point deadline,
                                     uint64_t* explored, bool* minimal) {
  std::vector<char> keep(ops.size(), 0);
  std::vector<size_t> det;
  for (size_t i = 0; i < ops.size(); ++i)
    if (!ops[i].indeterminate()) {
      keep[i] = 1;
      det.push_back(i);
    }
  *minimal = true;
  auto bad_with = [&](const std::vector<char>& k) {
    std::vector<Operation> v;
    v.reserve(ops.size());
    for (size_t i = 0; i < ops.size(); ++i) v.push_back(k[i] ? ops[i] : relaxed(ops[i]));
    Linearizable r = check_operations(v, m, deadline, explored);
    if (r == Linearizable::unknown) *minimal = false;
    return r == Linearizable::no;
  };
  for (size_t chunk = std::max<size_t>(1, det.size() / 2);; chunk = std::max<size_t>(1, chunk / 2)) {
    for (size_t b = 0; b < det.size(); b += chunk) {
      if (Clock::now() >= deadline) {
        *minimal = false;
        break;
      }
      std::vector<char> k = keep;
      bool any = false;
      for (size_t j = b; j < std::min(det.size(), b + chunk); ++j) {
        any |= k[det[j]] != 0;
        k[det[j]] = 0;
      }
      if (any && bad_with(k)) keep = std::move(k);
    }
    if (chunk == 1 || !*minimal) break;
  }
  std::vector<Operation> out;
  for (size_t i = 0; i < ops.size(); ++i)
    if (keep[i]) out.push_back(ops[i]);
  return out;
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
  if (std::string why = validate_history(h, m); !why.empty()) {
    res.verdict = Linearizable::unknown;
    res.message = "invalid history for model " + m.name() + ": " + why;
    return finish();
  }
  std::vector<Operation> all;
  std::string err;
  (void)h.operations(&all, &err);
  std::map<std::string, std::vector<Operation>> by_key;
  for (auto& op : all) {
    auto& part = by_key[m.partition_by_key() ? op.key : std::string()];
    op.id = int(part.size());
    part.push_back(std::move(op));
  }
  std::vector<const std::string*> keys;
  std::vector<const std::vector<Operation>*> parts;
  for (const auto& [k, v] : by_key) {
    keys.push_back(&k);
    parts.push_back(&v);
  }
  const size_t np = parts.size();
  res.partitions = np;
  // Partitions in parallel: worker threads take them in key order. A 'no' on
  // partition i cancels every later one (verdict-only: every other one).
  std::vector<Linearizable> verdict(np, Linearizable::unknown);
  std::unique_ptr<std::atomic<bool>[]> cancel(new std::atomic<bool>[np]);
  for (size_t i = 0; i < np; ++i) cancel[i].store(false);
  std::atomic<size_t> next{0}, first_bad{SIZE_MAX}, checked{0};
  std::atomic<uint64_t> explored{0};
  auto worker = [&] {
    uint64_t ex = 0;
    for (size_t i; (i = next.fetch_add(1)) < np;) {
      if (i > first_bad.load() || cancel[i].load()) continue;
      Linearizable v = check_operations(*parts[i], m, deadline, &ex, &cancel[i]);
      if (v == Linearizable::unknown && cancel[i].load()) continue;  // cancelled, not undecided
      verdict[i] = v;
      checked.fetch_add(1);
      if (v == Linearizable::no) {
        size_t cur = first_bad.load();
        while (i < cur && !first_bad.compare_exchange_weak(cur, i)) {
        }
        for (size_t j = o.verdict_only ? 0 : i + 1; j < np; ++j)
          if (j != i) cancel[j].store(true);
      }
    }
    explored.fetch_add(ex);
  };
  const int jobs = int(std::max<size_t>(1, std::min<size_t>(size_t(std::max(1, o.jobs)), np)));
  if (jobs == 1) {
    worker();
  } else {
    std::vector<std::thread> ts;
    for (int j = 0; j < jobs; ++j) ts.emplace_back(worker);
    for (auto& t : ts) t.join();
  }
  res.states_explored = explored.load();
  res.partitions_checked = checked.load();
  const size_t bad = first_bad.load();
  if (bad == SIZE_MAX) {
    bool unknown = false;
    for (auto v : verdict) unknown |= v != Linearizable::yes;
    res.verdict = unknown ? Linearizable::unknown : Linearizable::yes;
    if (unknown) {
      size_t undecided = 0;
      for (auto v : verdict) undecided += v != Linearizable::yes;
      res.message = "could not decide " + std::to_string(undecided) + " of " + std::to_string(np) + " " +
                    (m.partition_by_key() ? "keys" : "histories") + " within " + std::to_string(o.timeout_seconds) + " s";
    }
    return finish();
  }
  res.verdict = Linearizable::no;
  res.bad_key = *keys[bad];
  const std::vector<Operation>& ops = *parts[bad];
  uint64_t ex = 0;
  // Shortest non-linearizable prefix: a prefix that is not linearizable stays
  // so when extended (more events only add constraints), and only a return
  // can make one fail, so binary search over the partition's returns.
  size_t bad_end = h.size();
  std::vector<Operation> witness = ops;
  if (o.find_shortest_prefix && !o.verdict_only) {
    std::vector<size_t> rets;
    for (const auto& op : ops)
      if (!op.indeterminate()) rets.push_back(op.ret + 1);
    std::sort(rets.begin(), rets.end());
    size_t lo = 0, hi = rets.size();  // rets[hi - 1] is known bad (the whole partition)
    bool timed_out = false;
    while (lo + 1 < hi) {
      size_t mid = lo + (hi - lo) / 2;  // is the prefix ending at rets[mid - 1] bad?
      Linearizable v = check_operations(prefix_ops(ops, rets[mid - 1]), m, deadline, &ex);
      if (v == Linearizable::unknown) {
        timed_out = true;
        break;
      }
      if (v == Linearizable::no)
        hi = mid;
      else
        lo = mid;
    }
    if (!rets.empty()) bad_end = rets[hi - 1];
    if (!timed_out) witness = prefix_ops(ops, bad_end);
  }
  res.bad_prefix_events = bad_end;
  if (o.find_conflict && !o.verdict_only) {
    // The smallest conflicting set gets 20x the time the verdict took,
    // between 0.1 s and 2 s (and never past the deadline).
    const double spent = std::chrono::duration<double>(Clock::now() - t0).count();
    const double budget = std::clamp(20 * spent, 0.1, 2.0);
    const auto cdl = std::min(deadline, Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                                          std::chrono::duration<double>(budget)));
    res.conflict = find_conflict(witness, m, cdl, &ex, &res.conflict_minimal);
    for (auto& c : res.conflict) c = ops[size_t(c.id)];  // the ops as recorded (a prefix may have cut a completion)
  }
  res.states_explored += ex;
  res.message = "not linearizable" + (res.bad_key.empty() ? std::string() : " (key " + printable(res.bad_key) + ")") +
                (o.verdict_only ? std::string()
                                : ": the first " + std::to_string(res.bad_prefix_events) +
                                      " events already have no linearization");
  return finish();
}

bool brute_force_linearizable(const std::vector<Operation>& ops_in, const Model& m) {
  std::vector<Operation> ops = ops_in;
  for (auto& op : ops) m.prepare(&op);
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
