// rpc.mux.*: actor 0 serves, actors 1..n-1 each make `calls` calls over one
// shared connection. Each caller knows the answer to its own request
// (f(arg) = 3 arg + 1, args distinct per caller) and fails on a reply meant
// for someone else; check() verifies every request was answered exactly once.
#include <stdexcept>

#include "rpc/mux.hpp"

namespace ipcrace::rpc {
namespace {

class MuxScenario final : public Scenario {
 public:
  explicit MuxScenario(MuxSync sync) : sync_(sync) {}
  void setup(RunContext& ctx) override {
    if (ctx.actors() < 2) throw std::invalid_argument("rpc.mux needs a server and at least one caller (actors >= 2)");
    if (ctx.params().get("calls") > 15) throw std::invalid_argument("rpc.mux: calls must be at most 15");
    mux_ = Mux(ctx, sync_);
  }
  void actor(Actor& a) override {
    const long calls = long(a.params().get("calls"));
    if (a.index() == 0) {
      mux_.serve(calls * (a.count() - 1));
      return;
    }
    for (long k = 0; k < calls; ++k) {
      // Distinct per caller and per call: the low byte names both.
      const int64_t arg = int64_t(a.rng().below(1000)) << 8 | int64_t(a.index()) << 4 | k;
      Msg rep = mux_.call(arg, uint64_t(k));
      if (rep.op == kGarbled) continue;  // already reported
      if (rep.arg[0] != mux_fn(arg))
        a.fail("reply to the wrong caller: actor " + std::to_string(a.index()) + " called f(" + std::to_string(arg) +
               ") = " + std::to_string(mux_fn(arg)) + " and got " + std::to_string(rep.arg[0]) +
               ", the reply to actor " + std::to_string(rep.from) + "'s request");
    }
  }
  void check(RunContext& ctx) override {
    const long calls = long(ctx.params().get("calls"));
    const long want = calls * (ctx.actors() - 1);
    if (mux_.served() != want)
      ctx.fail("the server answered " + std::to_string(mux_.served()) + " requests, expected " + std::to_string(want));
    for (int i = 1; i < ctx.actors(); ++i)
      if (mux_.answered(i) != calls)
        ctx.fail("caller " + std::to_string(i) + " got " + std::to_string(mux_.answered(i)) + " replies for " +
                 std::to_string(calls) + " calls");
  }
  void teardown(RunContext&) override { mux_.close(); }

 private:
  MuxSync sync_;
  Mux mux_;
};

TargetInfo mux_target(const char* name, Variant v, MuxSync sync, const char* how) {
  return TargetInfo{
      .name = name,
      .family = "rpc",
      .variant = v,
      .bug_class = "misrouted reply (calls multiplexed without correlation)",
      .sync = how,
      .summary = "callers share one AF_UNIX connection to a server actor",
      .defaults = {{"actors", 3}, {"calls", 2}},
      .make = [sync] { return std::make_unique<MuxScenario>(sync); },
      .budget_runs = 100,
      .source = __FILE__,
      .data_race = false,  // the bug is in message passing / wake-ups, not a data race
  };
}

}  // namespace

static const bool registered = [] {
  register_target(mux_target("rpc.mux.racy", Variant::racy, MuxSync::none, ""));
  register_target(mux_target("rpc.mux.locked", Variant::synchronised, MuxSync::locked,
                             "per-call interprocess_mutex held from request to reply"));
  register_target(mux_target("rpc.mux.ids", Variant::synchronised, MuxSync::ids,
                             "request ids + reply stash under an interprocess_mutex (reader lock)"));
  return true;
}();

}  // namespace ipcrace::rpc
