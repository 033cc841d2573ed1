// rpc.kv.*: `workers` worker actors serve a key-value store kept in shared
// memory; every other actor is a client making `calls` requests (adds and
// transfers, client j's call k picked from j + k) over its own connection. The oracle replays
// the acknowledged requests on the initial store: every acknowledged request
// must be applied exactly once, and no balance may go negative.
#include "rpc/kv.hpp"

namespace ipcrace::rpc {
namespace {

class KvScenario final : public Scenario {
 public:
  explicit KvScenario(KvSync sync) : sync_(sync) {}
  void setup(RunContext& ctx) override { kv_.open(ctx, sync_); }

  void actor(Actor& a) override {
    const long calls = long(a.params().get("calls"));
    const int w = kv_.workers();
    if (a.index() < w) {
      long requests = 0;
      for (int j = 0; j < kv_.clients(); ++j)
        if (kv_.worker_of(j) == a.index()) requests += calls;
      kv_.serve(a.index(), requests);
      return;
    }
    const int j = a.index() - w;
    const int keys = kv_.keys();
    for (long k = 0; k < calls; ++k) {
      Msg req;
      req.from = uint32_t(a.index());
      req.id = (uint64_t(a.index()) << 32) | uint64_t(k + 1);
      // A fixed workload (not drawn from a.rng()): the requests, and so the
      // ops each one makes, are the same in every run, as dfs requires.
      const int64_t t = j + k;
      req.op = keys > 1 && t % 2 == 1 ? kKvTransfer : kKvAdd;
      req.arg[0] = t % keys;
      req.arg[1] = req.op == kKvTransfer ? (t + 1) % keys : 0;
      req.arg[2] = req.op == kKvTransfer ? 3 + t % 3 : 1 + t % 4;
      Msg rep = kv_.call(j, req);
      if (rep.op == kGarbled) return;  // reported; the connection is lost
      if (rep.id != req.id) {
        a.fail("acknowledgement for request " + std::to_string(rep.id) + " received by the sender of " +
               std::to_string(req.id));
        continue;
      }
      kv_.record_ack(a.index(), k, KvAck{req.op, rep.op, req.arg[0], req.arg[1], req.arg[2]});
    }
  }

  void check(RunContext& ctx) override {
    const KvShared& st = kv_.state();
    long want[kKvMaxKeys];
    for (int k = 0; k < kv_.keys(); ++k) want[k] = kKvInitial;
    long acked = 0, applied = 0, accepted = 0;
    for (int i = kv_.workers(); i < ctx.actors(); ++i)
      for (long c = 0; c < st.acked[i]; ++c) {
        const KvAck& ack = st.acks[i][c];
        ++acked;
        if (ack.status != kKvOk) continue;
        ++accepted;
        if (ack.op == kKvAdd) {
          want[ack.key] += ack.amount;
        } else {
          want[ack.key] -= ack.amount;
          want[ack.to] += ack.amount;
        }
      }
    for (int w = 0; w < kv_.workers(); ++w) applied += st.applied[w];
    const long requests = long(ctx.params().get("calls")) * kv_.clients();
    if (acked != requests || applied != requests) {
      ctx.fail("conservation: " + std::to_string(requests) + " requests, " + std::to_string(applied) +
               " served, " + std::to_string(acked) + " acknowledged");
      return;
    }
    for (int k = 0; k < kv_.keys(); ++k) {
      if (st.value[k] < 0) {
        ctx.fail("invariant violated: key " + std::to_string(k) + " holds " + std::to_string(st.value[k]) +
                 " (a transfer overdrew it)");
        return;
      }
      if (st.value[k] != want[k]) {
        ctx.fail("lost update: key " + std::to_string(k) + " holds " + std::to_string(st.value[k]) +
                 ", but applying each of the " + std::to_string(accepted) +
                 " acknowledged, accepted requests exactly once gives " + std::to_string(want[k]));
        return;
      }
    }
  }

  void teardown(RunContext&) override { kv_.close(); }

 private:
  KvSync sync_;
  KvStore kv_;
};

TargetInfo kv_target(const char* name, Variant v, KvSync sync, const char* how) {
  return TargetInfo{
      .name = name,
      .family = "rpc",
      .variant = v,
      .bug_class = "lost update / invariant violation (server workers share state)",
      .sync = how,
      .summary = "worker actors serve adds and transfers on a key-value store in shared memory",
      .defaults = {{"actors", 4}, {"workers", 2}, {"keys", 2}, {"calls", 2}},
      .make = [sync] { return std::make_unique<KvScenario>(sync); },
      .budget_runs = 100,
      .source = __FILE__,
      // Fewer calls or more keys can leave the two clients no key in common.
      .ranges = {{"calls", {2, 3}}, {"keys", {1, 2}}},
  };
}

}  // namespace

static const bool registered = [] {
  register_target(kv_target("rpc.kv.racy", Variant::racy, KvSync::none, ""));
  register_target(kv_target("rpc.kv.locked", Variant::synchronised, KvSync::locked,
                            "store interprocess_mutex held per request"));
  return true;
}();

}  // namespace ipcrace::rpc
