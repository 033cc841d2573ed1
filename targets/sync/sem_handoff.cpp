// sync.semaphore.*: actor 0 produces `items` items per consumer, the other
// actors consume `items` each, woken through a POSIX semaphore. A consumer
// left asleep is a deadlock finding; taking from an empty queue fails in the
// actor; check() wants every item taken.
#include <string>

#include "sync/sem_handoff.hpp"

namespace ipcrace::sync {
namespace {

class HandoffScenario final : public Scenario {
 public:
  explicit HandoffScenario(bool always) : always_(always) {}
  void setup(RunContext& ctx) override { handoff_ = SemHandoff(ctx, always_); }
  void actor(Actor& a) override {
    const int64_t items = a.params().get("items");
    if (a.index() == 0) {
      for (int64_t i = 0; i < items * (a.count() - 1); ++i) handoff_.put();
      return;
    }
    for (int64_t i = 0; i < items; ++i)
      if (handoff_.take() < 0) {
        a.fail("took an item from an empty queue");
        return;
      }
  }
  void check(RunContext& ctx) override {
    if (handoff_.queued() != 0)
      ctx.fail(std::to_string(handoff_.queued()) + " items left in the queue at the end, expected 0");
  }
  void teardown(RunContext&) override { handoff_.destroy(); }

 private:
  bool always_;
  SemHandoff handoff_;
};

TargetInfo handoff_target(const char* name, Variant v, bool always) {
  return TargetInfo{
      .name = name,
      .family = "sync",
      .variant = v,
      .bug_class = "missed semaphore post (consumer sleeps forever)",
      .sync = always ? "POSIX semaphore posted once per item" : "",
      .summary = "a producer wakes a consumer through a POSIX semaphore",
      .defaults = {{"actors", 2}, {"items", 2}},
      .make = [always] { return std::make_unique<HandoffScenario>(always); },
      .budget_runs = 200,
      .source = __FILE__,
      .data_race = false,  // the bug is in message passing / wake-ups, not a data race
  };
}

}  // namespace

static const bool registered = [] {
  register_target(handoff_target("sync.semaphore.missed_post", Variant::racy, false));
  register_target(handoff_target("sync.semaphore.post_always", Variant::synchronised, true));
  return true;
}();

}  // namespace ipcrace::sync
