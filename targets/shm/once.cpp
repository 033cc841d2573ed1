// shm.once.*: every actor makes sure a shared object is initialised, then
// uses it. Oracles: the object is initialised when used (in the actor), and
// init() ran exactly once (check).
#include <string>

#include "shm/once.hpp"

namespace ipcrace::shm {
namespace {

class OnceScenario final : public Scenario {
 public:
  explicit OnceScenario(OnceSync sync) : sync_(sync) {}
  void setup(RunContext& ctx) override { once_ = Once(ctx, sync_); }
  void actor(Actor& a) override {
    once_.ensure();
    const long got = once_.use();
    if (got != kOnceConfig)
      a.fail("used before initialisation: config is " + std::to_string(got) + ", expected " +
             std::to_string(kOnceConfig));
  }
  void check(RunContext& ctx) override {
    if (once_.inits() != 1)
      ctx.fail("init ran " + std::to_string(once_.inits()) + " times, expected exactly once (" +
               std::to_string(ctx.actors()) + " actors)");
  }

 private:
  OnceSync sync_;
  Once once_;
};

TargetInfo once_target(const char* name, Variant v, OnceSync sync, const char* how) {
  return TargetInfo{
      .name = name,
      .family = "shm",
      .variant = v,
      .bug_class = "double initialisation (check-then-act)",
      .sync = how,
      .summary = "actors lazily initialise a shared object in POSIX shared memory",
      .defaults = {{"actors", 2}},
      .make = [sync] { return std::make_unique<OnceScenario>(sync); },
      .budget_runs = 200,
      .source = __FILE__,
      .ranges = {{"actors", {2, 4}}},
  };
}

}  // namespace

static const bool registered = [] {
  register_target(once_target("shm.once.racy", Variant::racy, OnceSync::none, ""));
  register_target(once_target("shm.once.cas", Variant::synchronised, OnceSync::cas, "atomic compare-exchange on a state word"));
  register_target(once_target("shm.once.mutex", Variant::synchronised, OnceSync::mutex, "interprocess_mutex"));
  return true;
}();

}  // namespace ipcrace::shm
