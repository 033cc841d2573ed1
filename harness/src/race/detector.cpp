// Happens-before race detection over a run's event stream (FastTrack, Flanagan
// and Freund, PLDI 2009, with C++ atomics: release sequences and
// release/acquire edges by memory order).
//
// Edges: every actor starts after the controller's setup (empty shadow, so
// setup's writes are ordered before everything); a release (unlock, sem_post,
// cv_notify, send, write, call, reply, connect, close) joins the actor's clock
// into its resource's clock, a completed acquire (lock, rdlock, sem_wait,
// cv_wait, recv, read, accept, call) joins the resource's clock into the
// actor's. A try that would block (Step::end == would_block) acquires nothing.
// Read unlocks go to a second clock that only write locks acquire. Messages
// are conservative: a receive gets every send on its resource so far (more
// edges: never a false race, at worst a missed one).
// Atomics, per location: a release (or stronger) store starts a release
// sequence (the location's clock becomes the actor's), a relaxed store ends
// it (C++20), an RMW continues it (and a release RMW joins its clock into
// it); an acquire (or stronger) load or RMW joins the location's clock. A
// load reads the last store in trace order: scheduled runs are sequentially
// consistent (one actor runs between two points), so the trace is the total
// order seq_cst needs; seq_cst adds no other edge. Fences are not modelled.
#include "detector.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace ipcrace::race {
namespace {

bool is_access(OpKind k) { return k == OpKind::shm_load || k == OpKind::shm_store || k == OpKind::shm_rmw; }

bool is_atomic(const Step& s) { return s.op.kind == OpKind::shm_rmw || s.op.order != MemOrder::plain; }

MemOrder effective(const Step& s) {
  return s.op.kind == OpKind::shm_rmw && s.op.order == MemOrder::plain ? MemOrder::seq_cst : s.op.order;
}
bool acquires(MemOrder m) { return m == MemOrder::acquire || m == MemOrder::acq_rel || m == MemOrder::seq_cst; }
bool releases(MemOrder m) { return m == MemOrder::release || m == MemOrder::acq_rel || m == MemOrder::seq_cst; }

void join_into(VC& into, const VC& from) {
  if (into.size() < from.size()) into.resize(from.size(), 0);
  for (size_t k = 0; k < from.size(); ++k) into[k] = std::max(into[k], from[k]);
}

const char* label_of(const Step& s) { return s.op.label ? s.op.label : ""; }

std::string site(OpKind k, const char* label) { return std::string(op_kind_name(k)) + ":" + (label ? label : ""); }

}  // namespace

}  // namespace ipcrace::race

namespace ipcrace {
std::string race_site_pair(const RaceReport& r) {
  std::string a = race::site(r.first.kind, r.first.label), b = race::site(r.second.kind, r.second.label);
  if (b < a) std::swap(a, b);
  return a + " | " + b;
}
}  // namespace ipcrace

namespace ipcrace::race {

Detector::Detector(const std::vector<Step>& trace, int actors)
    : trace_(trace), n_(actors), clocks_(size_t(actors), VC(size_t(actors), 0)),
      sync_step_(size_t(actors), -1), sync_from_(size_t(actors), -1), parent_(size_t(actors), -1),
      exit_clock_(size_t(actors)), exited_(size_t(actors), false), held_(size_t(actors)) {
  for (int t = 0; t < n_; ++t) clocks_[size_t(t)][size_t(t)] = 1;
}

void Detector::spawn(int parent, int child) {
  clocks_[size_t(child)] = clocks_[size_t(parent)];
  clocks_[size_t(child)][size_t(child)] = clocks_[size_t(parent)][size_t(child)] + 1;
  clocks_[size_t(parent)][size_t(parent)]++;
}

void Detector::join(int joiner, int joined) {
  join_into(clocks_[size_t(joiner)], clocks_[size_t(joined)]);
  clocks_[size_t(joined)][size_t(joined)]++;
}

void Detector::acquire(int t, const VC& from, int step, int from_step) {
  if (from.empty()) return;
  join_into(clocks_[size_t(t)], from);
  sync_step_[size_t(t)] = step;
  sync_from_[size_t(t)] = from_step;
}

void Detector::release_join(int t, VC& into) {
  join_into(into, clocks_[size_t(t)]);
  clocks_[size_t(t)][size_t(t)]++;
}

RaceAccess Detector::describe(const Epoch& e) const {
  const Step& s = trace_[size_t(e.step)];
  RaceAccess a;
  a.actor = e.actor;
  a.step = e.step;
  a.kind = s.op.kind;
  a.order = s.op.order;
  a.label = label_of(s);
  a.addr = s.op.addr;
  a.size = s.op.size;
  a.has_value = s.has_outcome;
  a.value = s.value;
  a.sync_step = e.sync_step;
  a.sync_from = e.sync_from;
  return a;
}

void Detector::check(int i, const Epoch& prev, const Step& cur) {
  const int t = cur.actor;
  if (!prev.valid() || ordered(prev, t)) return;
  if (reports_.size() >= kMaxReports) return;
  RaceReport rep;
  rep.resource = cur.op.resource;
  rep.first = describe(prev);
  rep.second = describe(Epoch{t, clocks_[size_t(t)][size_t(t)], i, sync_step_[size_t(t)], sync_from_[size_t(t)]});
  const std::string key = race_site_pair(rep);
  if (std::find(pairs_.begin(), pairs_.end(), key) != pairs_.end()) return;
  pairs_.push_back(key);
  reports_.push_back(rep);
}

void Detector::check_reads(int i, const std::vector<Epoch>& reads, const Step& cur) {
  for (const Epoch& e : reads) check(i, e, cur);
}

void Detector::access(int i, const Step& s) {
  const int t = s.actor;
  const bool atomic = is_atomic(s);
  const bool write = s.op.kind != OpKind::shm_load;
  const MemOrder mo = effective(s);
  ResShadow& rs = shadow_[s.op.resource];
  const uint64_t lo = s.op.addr;
  const uint32_t size = s.op.addr == 0 ? 0 : s.op.size;

  // Every shadow this access overlaps: the whole-resource one, and the
  // ranges that intersect [lo, lo + size) (all of them for a size-0 access).
  auto check_shadow = [&](const Shadow& sh) {
    check(i, sh.w_plain, s);
    if (!atomic) check(i, sh.w_any, s);
    if (write) {
      check_reads(i, sh.r_plain, s);
      if (!atomic) check_reads(i, sh.r_atomic, s);
    }
  };
  if (rs.has_whole) check_shadow(rs.whole);
  if (size == 0) {
    for (const auto& [key, sh] : rs.by_range) check_shadow(sh);
  } else {
    const uint64_t from = lo >= rs.max_size ? lo - rs.max_size + 1 : 0;
    for (auto it = rs.by_range.lower_bound({from, 0}); it != rs.by_range.end() && it->first.first < lo + size; ++it)
      if (it->first.first + it->first.second > lo) check_shadow(it->second);
  }

  Shadow* x;
  if (size == 0) {
    rs.has_whole = true;
    x = &rs.whole;
  } else {
    x = &rs.by_range[{lo, size}];
    rs.max_size = std::max(rs.max_size, size);
  }
  // Synchronisation through the location (atomics only).
  if (atomic && acquires(mo)) acquire(t, x->sync, i, x->sync_step);
  const Epoch ep{t, clocks_[size_t(t)][size_t(t)], i, sync_step_[size_t(t)], sync_from_[size_t(t)]};
  if (write) {
    x->w_any = ep;
    if (!atomic) {
      x->w_plain = ep;
      x->r_plain.clear();
      x->r_atomic.clear();
    }
  }
  if (!write || s.op.kind == OpKind::shm_rmw) {
    auto& reads = atomic ? x->r_atomic : x->r_plain;
    auto it = std::find_if(reads.begin(), reads.end(), [t](const Epoch& e) { return e.actor == t; });
    if (it != reads.end()) *it = ep;
    else reads.push_back(ep);
  }
  if (atomic && write) {
    const bool rmw = s.op.kind == OpKind::shm_rmw;
    if (releases(mo)) {
      if (!rmw) x->sync.clear();
      release_join(t, x->sync);
      x->sync_step = i;
    } else if (!rmw) {
      x->sync.clear();  // a relaxed store ends the release sequence
      x->sync_step = -1;
    }
  }
}

void Detector::sync_op(int i, const Step& s) {
  const int t = s.actor;
  if (s.end == StepEnd::would_block) return;  // the try did nothing
  SyncObj& o = sync_[s.op.resource];
  auto& held = held_[size_t(t)];
  if (s.op.kind == OpKind::lock) held.push_back(s.op.resource);
  if (s.op.kind == OpKind::unlock) {
    auto it = std::find(held.begin(), held.end(), s.op.resource);
    if (it != held.end()) held.erase(it);
  }
  switch (s.op.kind) {
    case OpKind::lock:
      acquire(t, o.rel, i, o.rel_step);
      acquire(t, o.rd_rel, i, o.rd_step);
      break;
    case OpKind::rdlock:
    case OpKind::sem_wait:
    case OpKind::cv_wait:
    case OpKind::recv:
    case OpKind::read:
    case OpKind::accept: acquire(t, o.rel, i, o.rel_step); break;
    case OpKind::rdunlock:
      release_join(t, o.rd_rel);
      o.rd_step = i;
      break;
    case OpKind::call:  // sends the request and waits for its reply
      acquire(t, o.rel, i, o.rel_step);
      [[fallthrough]];
    case OpKind::unlock:
    case OpKind::sem_post:
    case OpKind::cv_notify:
    case OpKind::send:
    case OpKind::write:
    case OpKind::reply:
    case OpKind::connect:
    case OpKind::close:
      release_join(t, o.rel);
      o.rel_step = i;
      break;
    // Exec mode. fork/spawn: the next actor starts with the parent's clock.
    case OpKind::fork:
    case OpKind::spawn:
      if (next_child_ < n_) {
        parent_[size_t(next_child_)] = t;
        spawn(t, next_child_++);
      }
      break;
    case OpKind::exit:
      exit_clock_[size_t(t)] = clocks_[size_t(t)];
      exited_[size_t(t)] = true;
      break;
    // The reaper acquires what the reaped did; the trace does not say which
    // child a wait reaped, so it acquires every exited child (join: every
    // exited actor): more edges, never a false race.
    case OpKind::wait:
    case OpKind::join:
      for (int c = 0; c < n_; ++c)
        if (c != t && exited_[size_t(c)] && (s.op.kind == OpKind::join || parent_[size_t(c)] == t))
          acquire(t, exit_clock_[size_t(c)], i, -1);
      break;
    default: break;  // yield, kill, start, sleep, poll
  }
}

void Detector::step(int i) {
  const Step& s = trace_[size_t(i)];
  if (s.actor >= n_) return;
  if (is_access(s.op.kind)) access(i, s);
  else sync_op(i, s);
  if (s.fault == FaultKind::kill)  // killed: the locks it held pass on with its clock
    for (uint16_t r : held_[size_t(s.actor)]) {
      release_join(s.actor, sync_[r].rel);
      sync_[r].rel_step = i;
    }
}

std::vector<RaceReport> detect_races(const std::vector<Step>& trace, int actors) {
  for (const Step& s : trace) actors = std::max(actors, int(s.actor) + 1);  // exec mode adds actors
  Detector d(trace, actors);
  for (size_t i = 0; i < trace.size(); ++i) d.step(int(i));
  return d.take();
}

namespace {
// An exec-mode site: the runtime names an access by its code address (or
// by file:line once symbolised), not by a point label.
bool exec_site(const char* label) { return label[0] == '\0' || std::strncmp(label, "0x", 2) == 0 || std::strcmp(label, "runtime") == 0; }

std::string hex(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
  return b;
}

std::string side(const RaceAccess& a, const std::vector<Step>& trace) {
  std::string s = "actor " + std::to_string(a.actor) + " step " + std::to_string(a.step) + " " + op_kind_name(a.kind) +
                  " (" + std::string(a.label);  // an exec-mode pc stays first after '(': the report's symboliser turns it into file:line
  if (a.addr && exec_site(a.label))
    s += std::string(a.label[0] ? ", " : "") + std::to_string(a.size) + " bytes at " + hex(a.addr);
  if (a.order != MemOrder::plain) s += std::string(", ") + mem_order_name(a.order);
  if (a.has_value) s += std::string(a.kind == OpKind::shm_load ? ", read " : ", wrote ") + std::to_string(int64_t(a.value));
  s += ")";
  (void)trace;
  return s;
}
std::string last_sync(const RaceAccess& a, const std::vector<Step>& trace) {
  if (a.sync_step < 0) return "actor " + std::to_string(a.actor) + " none";
  const Step& s = trace[size_t(a.sync_step)];
  std::string out = "actor " + std::to_string(a.actor) + " step " + std::to_string(a.sync_step) + " " +
                    op_kind_name(s.op.kind) + " (" + label_of(s) + ")";
  if (a.sync_from >= 0) {
    const Step& f = trace[size_t(a.sync_from)];
    out += " from actor " + std::to_string(f.actor) + " step " + std::to_string(a.sync_from) + " " +
           op_kind_name(f.op.kind) + " (" + label_of(f) + ")";
  }
  return out;
}
}  // namespace

std::string race_message(const RaceReport& rep, const std::vector<Step>& trace,
                         const std::vector<std::string>& resources) {
  const std::string res =
      rep.resource < resources.size() ? resources[rep.resource] : "resource " + std::to_string(rep.resource);
  return "data race on " + res + ": " + side(rep.first, trace) + " and " + side(rep.second, trace) +
         " are not ordered by happens-before; last sync: " + last_sync(rep.first, trace) + "; " +
         last_sync(rep.second, trace);
}

void check_races(RunResult& r, int actors) {
  r.race_checked = true;
  if (r.aborted) return;
  r.races = detect_races(r.trace, actors);
  if (r.races.empty()) return;
  // A TSan report of the same run (thread mode, tsan preset) is the same
  // race seen from inside one process: the detector's finding names both
  // accesses, and keeps TSan's line in its message.
  const bool override = r.kind == FindingKind::none || r.kind == FindingKind::assertion ||
                        r.kind == FindingKind::deadlock || r.kind == FindingKind::step_limit ||
                        r.kind == FindingKind::tsan;
  if (!override) return;
  std::string msg = race_message(r.races[0], r.trace, r.resources);
  if (r.races.size() > 1) msg += " (+" + std::to_string(r.races.size() - 1) + " more racing pairs)";
  if (r.found()) msg += std::string(" (and ") + finding_kind_name(r.kind) + ": " + r.message + ")";
  r.kind = FindingKind::race;
  r.message = std::move(msg);
}

}  // namespace ipcrace::race
