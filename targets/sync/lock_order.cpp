// sync.lock_order.*: actors move money between two accounts, each transfer
// under both locks. The racy variant inverts the order: deadlock.
#include "sync/lock_order.hpp"

namespace ipcrace::sync {
namespace {

class LockOrderScenario final : public Scenario {
 public:
  explicit LockOrderScenario(bool ordered) : ordered_(ordered) {}
  void setup(RunContext& ctx) override { locks_ = LockOrder(ctx, ordered_); }
  void actor(Actor& a) override {
    for (int64_t i = 0; i < a.params().get("ops"); ++i) locks_.transfer(a.index());
  }
  void check(RunContext& ctx) override {
    long want = long(ctx.actors()) * long(ctx.params().get("ops"));
    if (locks_.transfers() != want)
      ctx.fail("transfers: " + std::to_string(locks_.transfers()) + ", expected " + std::to_string(want));
  }

 private:
  bool ordered_;
  LockOrder locks_;
};

TargetInfo make(const char* name, Variant v, bool ordered) {
  return TargetInfo{
      .name = name,
      .family = "sync",
      .variant = v,
      .bug_class = "deadlock (lock-order inversion)",
      .sync = ordered ? "global lock order" : "",
      .summary = "nested locking of two interprocess_mutexes",
      .defaults = {{"actors", 2}, {"ops", 1}},
      .make = [ordered] { return std::make_unique<LockOrderScenario>(ordered); },
      .budget_runs = 200,
      .source = __FILE__,
      .data_race = false,  // the bug is in message passing / wake-ups, not a data race
  };
}

}  // namespace

static const bool registered = [] {
  register_target(make("sync.lock_order.racy", Variant::racy, false));
  register_target(make("sync.lock_order.ordered", Variant::synchronised, true));
  return true;
}();

}  // namespace ipcrace::sync
