// Parallel state machines over the stateful mechanisms (harness
// state_machine.hpp): the shared-memory ring queue, the RPC key-value server
// and the shared multi-word record. rc::state commands generate a sequential
// prefix and one concurrent suffix per client (2-3 clients); the program runs
// in real processes under the scheduler, and the recorded history is checked
// by the linearizability oracle (queue, kv and register models).
//   synchronised mechanism: no run of any generated program is a finding;
//   racy mechanism: a generated program with a conflicting pair of commands
//   is found within budget, and the finding is the history check's.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/state.h>

#include <deque>
#include <map>
#include <memory>

#include "ipcrace/campaign.hpp"
#include "ipcrace/state_machine.hpp"
#include "mqueue/ring.hpp"
#include "rpc/kv.hpp"
#include "shm/record.hpp"
#include "support/support.hpp"

namespace ipcrace::test {
namespace {

using Seq = std::vector<SmCommand>;  // the "system" rc::state runs commands on: it collects them

// ---- programs from rc::state command sequences -------------------------------

// A prefix (as client 0), then one suffix per client from the state after the
// prefix, each a valid rc::state command sequence of at most `max` commands.
template <class M, class... Cmds>
SmProgram gen_program(M m, int clients, size_t max_prefix, size_t max_suffix) {
  auto gen_seq = [](M& model, size_t max, const std::string& what) {
    auto cmds = *rc::state::gen::commands(model, rc::state::gen::execOneOfWithArgs<Cmds...>()).as(what);
    if (cmds.size() > max) cmds.resize(max);
    Seq out;
    for (const auto& c : cmds) {
      c->run(model, out);
      c->apply(model);
    }
    return out;
  };
  SmProgram p;
  m.client = 0;
  p.prefix = gen_seq(m, max_prefix, "prefix");
  for (int c = 0; c < clients; ++c) {
    M mc = m;
    mc.client = c;
    p.suffixes.push_back(gen_seq(mc, max_suffix, "client " + std::to_string(c)));
  }
  return p;
}

// Queue: enqueue of a value unique to the client, dequeue.
struct QModel {
  std::deque<int64_t> q;
  int64_t next = 1;
  int client = 0;
};
struct Enqueue : rc::state::Command<QModel, Seq> {
  int64_t v;
  explicit Enqueue(const QModel& m) : v(100 * (m.client + 1) + m.next) {}
  void apply(QModel& m) const override {
    m.q.push_back(v);
    ++m.next;
  }
  void run(const QModel&, Seq& s) const override { s.push_back({"enqueue", "", Value::of({v})}); }
  void show(std::ostream& os) const override { os << "enqueue " << v; }
};
struct Dequeue : rc::state::Command<QModel, Seq> {
  void apply(QModel& m) const override {
    if (!m.q.empty()) m.q.pop_front();
  }
  void run(const QModel&, Seq& s) const override { s.push_back({"dequeue", "", Value::none()}); }
  void show(std::ostream& os) const override { os << "dequeue"; }
};

// Record (a register): client 0 is the single writer, every client reads.
struct RModel {
  int64_t next = 1;
  int client = 0;
};
struct Write : rc::state::Command<RModel, Seq> {
  int64_t v;
  explicit Write(const RModel& m) : v(m.next) { RC_PRE(m.client == 0); }
  void apply(RModel& m) const override { ++m.next; }
  void run(const RModel&, Seq& s) const override { s.push_back({"write", "", Value::of({v})}); }
  void show(std::ostream& os) const override { os << "write " << v; }
};
struct Read : rc::state::Command<RModel, Seq> {
  void run(const RModel&, Seq& s) const override { s.push_back({"read", "", Value::none()}); }
  void show(std::ostream& os) const override { os << "read"; }
};

// Key-value store: get, put and cas on two keys; a cas usually expects the
// value the sequential model holds, so that it can succeed.
struct KModel {
  std::map<int, int64_t> vals;
  int client = 0;
};
std::string key_name(int k) { return "k" + std::to_string(k); }
struct Get : rc::state::Command<KModel, Seq> {
  int k = *rc::gen::inRange(0, 2);
  void run(const KModel&, Seq& s) const override { s.push_back({"get", key_name(k), Value::none()}); }
  void show(std::ostream& os) const override { os << "get " << key_name(k); }
};
struct Put : rc::state::Command<KModel, Seq> {
  int k = *rc::gen::inRange(0, 2);
  int64_t v = *rc::gen::inRange<int64_t>(0, 4);
  void apply(KModel& m) const override { m.vals[k] = v; }
  void run(const KModel&, Seq& s) const override { s.push_back({"put", key_name(k), Value::of({v})}); }
  void show(std::ostream& os) const override { os << "put " << key_name(k) << " " << v; }
};
struct Cas : rc::state::Command<KModel, Seq> {
  int k;
  int64_t from, to;
  explicit Cas(const KModel& m) : k(*rc::gen::inRange(0, 2)), to(*rc::gen::inRange<int64_t>(0, 4)) {
    auto it = m.vals.find(k);
    from = it != m.vals.end() && *rc::gen::inRange(0, 4) != 0 ? it->second : *rc::gen::inRange<int64_t>(0, 4);
  }
  void apply(KModel& m) const override {
    auto it = m.vals.find(k);
    if (it != m.vals.end() && it->second == from) it->second = to;
  }
  void run(const KModel&, Seq& s) const override { s.push_back({"cas", key_name(k), Value::of({from, to})}); }
  void show(std::ostream& os) const override { os << "cas " << key_name(k) << " " << from << " " << to; }
};

// ---- the systems under test ----------------------------------------------------

class RingQueue final : public SmSystem {
 public:
  explicit RingQueue(bool racy) : racy_(racy) {}
  void setup(RunContext& ctx, const SmProgram&) override {
    if (racy_) racy_ring_ = mqueue::RacyRing(ctx, 4);
    else buffer_ = mqueue::BoundedBuffer(ctx, 4);
  }
  EventType apply(Actor&, int, const SmCommand& c, Value* result) override {
    if (c.op == "enqueue") {
      mqueue::Msg m;
      m.seq = uint32_t(c.arg.v.at(0));
      m.checksum = mqueue::checksum_of(m);
      const bool ok = racy_ ? racy_ring_.try_push(m) : buffer_.try_push(m);
      return ok ? EventType::ok : EventType::fail;  // full: not applied
    }
    const std::optional<mqueue::Msg> m = racy_ ? racy_ring_.try_pop() : buffer_.try_pop();
    if (!m) *result = Value::none();
    else *result = Value::of({mqueue::intact(*m) ? int64_t(m->seq) : -1});  // -1: never enqueued
    return EventType::ok;
  }
  void teardown(RunContext&) override { buffer_.destroy(); }

 private:
  bool racy_;
  mqueue::RacyRing racy_ring_;
  mqueue::BoundedBuffer buffer_;
};

class SharedRecord final : public SmSystem {
 public:
  explicit SharedRecord(shm::RecordSync sync) : sync_(sync) {}
  void setup(RunContext& ctx, const SmProgram&) override { record_ = shm::Record(ctx, sync_, 3); }
  EventType apply(Actor&, int, const SmCommand& c, Value* result) override {
    if (c.op == "write") {
      record_.write(long(c.arg.v.at(0)));
      return EventType::ok;
    }
    const std::vector<long> snap = record_.read();
    bool torn = false;
    for (long w : snap) torn |= w != snap[0];
    if (torn) *result = Value::of(std::vector<int64_t>(snap.begin(), snap.end()));  // a value never written
    else if (snap[0] == 0) *result = Value::none();
    else *result = Value::of({snap[0]});
    return EventType::ok;
  }

 private:
  shm::RecordSync sync_;
  shm::Record record_;
};

// Two worker processes serve the clients' get/put/cas requests over AF_UNIX
// stream connections (client j talks to worker j % 2).
class KvServer final : public SmSystem {
 public:
  static constexpr long kUnset = -1;
  explicit KvServer(rpc::KvSync sync) : sync_(sync) {}
  int servers(const SmProgram&) const override { return 2; }
  void setup(RunContext& ctx, const SmProgram&) override {
    kv_.open(ctx, sync_, 2, 2);
    for (int k = 0; k < 2; ++k) kv_.state().value[k] = kUnset;
  }
  void serve(Actor& a, const SmProgram& p) override {
    long requests = 0;
    for (int j = 0; j < int(p.suffixes.size()); ++j)
      if (kv_.worker_of(j) == a.index()) requests += long(p.suffixes[size_t(j)].size() + (j == 0 ? p.prefix.size() : 0));
    kv_.serve(a.index(), requests);
  }
  EventType apply(Actor& a, int client, const SmCommand& c, Value* result) override {
    rpc::Msg req;
    req.from = uint32_t(a.index());
    req.id = (uint64_t(a.index()) << 32) | ++calls_;
    req.arg[0] = c.key == "k1" ? 1 : 0;
    if (c.op == "get") req.op = rpc::kKvGet;
    if (c.op == "put") {
      req.op = rpc::kKvPut;
      req.arg[2] = c.arg.v.at(0);
    }
    if (c.op == "cas") {
      req.op = rpc::kKvCas;
      req.arg[1] = c.arg.v.at(0);
      req.arg[2] = c.arg.v.at(1);
    }
    const rpc::Msg rep = kv_.call(client, req);
    if (rep.id != req.id) return EventType::info;  // not our reply: unknown outcome
    if (c.op == "get") *result = rep.arg[0] == kUnset ? Value::none() : Value::of({rep.arg[0]});
    return rep.op == rpc::kKvOk ? EventType::ok : EventType::fail;
  }
  void teardown(RunContext&) override { kv_.close(); }

 private:
  rpc::KvSync sync_;
  rpc::KvStore kv_;
  uint64_t calls_ = 0;  // per actor after fork (each actor has its own copy)
};

// ---- running a program -----------------------------------------------------------

CampaignResult explore(const TargetInfo& t, uint64_t runs, uint64_t seed, bool race = true) {
  CampaignOptions o;
  o.run.race = race;
  o.strategy.name = "pct";
  o.strategy.seed = seed;
  o.run.cpu = test_cpu();
  o.runs = runs;
  o.stop_at_first = true;
  o.out_dir = "property-findings";  // in ctest's working directory (the build tree)
  o.max_saved = 1;
  return run_campaign(t, o);
}

std::string describe(const CampaignResult& r) {
  if (!r.first) return "no finding";
  return std::string(finding_kind_name(r.first->finding)) + ": " + r.first->message +
         (r.schedule_files.empty() ? "" : "\n  schedule: " + r.schedule_files.front());
}

// Synchronised: no run of a generated program is a finding (no data race either).
void survives(const char* name, const std::function<std::unique_ptr<SmSystem>()>& make, const std::string& model,
              const SmProgram& p) {
  const TargetInfo t = state_machine_target(name, Variant::synchronised, model, make, p);
  const uint64_t seed = *rc::gen::inRange<uint64_t>(1, 1u << 30).as("pct seed");
  const CampaignResult r = explore(t, uint64_t(env_int("IPCRACE_PROPERTY_RUNS", 40)), seed);
  if (r.findings > 0) RC_FAIL(p.str() + "\n" + describe(r));
}

// Racy: found within `budget` runs, by the history check (race detection off:
// it would report the data race first, in every run).
void found(const char* name, const std::function<std::unique_ptr<SmSystem>()>& make, const std::string& model,
           const SmProgram& p, uint64_t budget) {
  const TargetInfo t = state_machine_target(name, Variant::racy, model, make, p);
  const uint64_t seed = *rc::gen::inRange<uint64_t>(1, 1u << 30).as("pct seed");
  const CampaignResult r = explore(t, budget, seed, /*race=*/false);  // the history check's finding
  if (r.findings == 0) RC_FAIL(p.str() + "\nnot found within " + std::to_string(budget) + " runs of pct");
  if (r.first->message.rfind("history not linearizable", 0) != 0) RC_FAIL(p.str() + "\n" + describe(r));
}

int clients() { return *rc::gen::inRange(2, 4).as("clients"); }

// ---- queue ---------------------------------------------------------------------

TEST(StateMachine, RingQueueWithMutexIsLinearizable) {
  rc_check([] {
    const SmProgram p = gen_program<QModel, Enqueue, Dequeue>(QModel{}, clients(), 3, 4);
    survives("sm.ring.mutex", [] { return std::make_unique<RingQueue>(false); }, "queue", p);
  }, 10);
}

TEST(StateMachine, RacyRingQueueLosesAnEnqueue) {
  rc_check([] {
    SmProgram p = gen_program<QModel, Enqueue, Dequeue>(QModel{}, 2, 2, 2);
    // The conflicting pair: both clients enqueue first, then drain.
    for (int c = 0; c < 2; ++c) {
      auto& s = p.suffixes[size_t(c)];
      s.insert(s.begin(), {"enqueue", "", Value::of({900 + c})});
      for (int k = 0; k < 6; ++k) s.push_back({"dequeue", "", Value::none()});
    }
    found("sm.ring.racy", [] { return std::make_unique<RingQueue>(true); }, "queue", p, 300);
  }, 4);
}

// ---- record ----------------------------------------------------------------------

TEST(StateMachine, SeqlockAndRwlockRecordsAreLinearizable) {
  rc_check([] {
    const SmProgram p = gen_program<RModel, Write, Read>(RModel{}, clients(), 2, 3);
    const bool seqlock = *rc::gen::arbitrary<bool>().as("seqlock (else rwlock)");
    const auto sync = seqlock ? shm::RecordSync::seqlock : shm::RecordSync::rwlock;
    survives("sm.record", [sync] { return std::make_unique<SharedRecord>(sync); }, "register", p);
  }, 10);
}

TEST(StateMachine, RacyRecordTearsARead) {
  rc_check([] {
    SmProgram p = gen_program<RModel, Write, Read>(RModel{}, 2, 2, 2);
    p.suffixes[0].push_back({"write", "", Value::of({77})});  // a write racing a read
    p.suffixes[1].push_back({"read", "", Value::none()});
    p.suffixes[1].push_back({"read", "", Value::none()});
    found("sm.record.racy", [] { return std::make_unique<SharedRecord>(shm::RecordSync::none); }, "register", p, 300);
  }, 4);
}

// ---- RPC key-value server -----------------------------------------------------------

TEST(StateMachine, LockedKvServerIsLinearizable) {
  rc_check([] {
    const SmProgram p = gen_program<KModel, Get, Put, Cas>(KModel{}, clients(), 2, 3);
    survives("sm.kv.locked", [] { return std::make_unique<KvServer>(rpc::KvSync::locked); }, "kv", p);
  }, 8);
}

TEST(StateMachine, RacyKvServerLetsTwoCasSucceed) {
  rc_check([] {
    SmProgram p = gen_program<KModel, Get, Put, Cas>(KModel{}, 2, 2, 2);
    // The generated commands go to k1 only (a later put or cas of k0 could
    // make the double success explainable); the conflicting pair on k0: k0 :=
    // 0, then both clients cas k0 from 0 and read it.
    auto to_k1 = [](Seq& s) {
      for (auto& c : s)
        if (c.op != "get") c.key = "k1";
    };
    to_k1(p.prefix);
    p.prefix.push_back({"put", "k0", Value::of({0})});
    for (int c = 0; c < 2; ++c) {
      auto& s = p.suffixes[size_t(c)];
      to_k1(s);
      s.insert(s.begin(), {"cas", "k0", Value::of({0, 10 + c})});
      s.push_back({"get", "k0", Value::none()});
    }
    found("sm.kv.racy", [] { return std::make_unique<KvServer>(rpc::KvSync::none); }, "kv", p, 300);
  }, 4);
}

}  // namespace
}  // namespace ipcrace::test
