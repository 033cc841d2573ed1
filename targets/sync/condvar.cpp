// sync.condvar.*: waiting on a condition variable.
//   Event (lost_wakeup, unlocked_signal, predicate_under_lock): actor 0 signals a one-shot
//   event, the other actors await it; a lost wakeup is a deadlock finding.
//   Queue (if_wait, while_wait): actor 0 puts `items` items per consumer, the
//   other actors take `items` each; taking from an empty queue fails in the
//   actor, and check() wants the queue empty at the end.
#include <string>

#include "sync/condvar.hpp"

namespace ipcrace::sync {
namespace {

class EventScenario final : public Scenario {
 public:
  explicit EventScenario(EventStyle style) : style_(style) {}
  void setup(RunContext& ctx) override { event_ = Event(ctx, style_); }
  void actor(Actor& a) override {
    if (a.index() == 0)
      event_.signal();
    else
      event_.await();
  }
  void check(RunContext& ctx) override {
    if (event_.value() != 1) ctx.fail("the event was never signalled");
  }

 private:
  EventStyle style_;
  Event event_;
};

class QueueScenario final : public Scenario {
 public:
  explicit QueueScenario(bool loop) : loop_(loop) {}
  void setup(RunContext& ctx) override { queue_ = ItemQueue(ctx, loop_); }
  void actor(Actor& a) override {
    const int64_t items = a.params().get("items");
    if (a.index() == 0) {
      for (int64_t i = 0; i < items * (a.count() - 1); ++i) queue_.put();
      return;
    }
    for (int64_t i = 0; i < items; ++i)
      if (!queue_.take()) {
        a.fail("took an item from an empty queue (woken, but another consumer took the item first)");
        return;
      }
  }
  void check(RunContext& ctx) override {
    if (queue_.value() != 0) ctx.fail("queue holds " + std::to_string(queue_.value()) + " items at the end, expected 0");
  }

 private:
  bool loop_;
  ItemQueue queue_;
};

TargetInfo event_target(const char* name, Variant v, EventStyle style) {
  const bool loop = style == EventStyle::under_lock_while;
  return TargetInfo{
      .name = name,
      .family = "sync",
      .variant = v,
      .bug_class = style == EventStyle::unlocked_signal
                       ? "lost wakeup (flag set and signalled without the mutex, if instead of while)"
                       : "lost wakeup (predicate checked outside the mutex)",
      .sync = loop ? "condition variable: predicate checked under the mutex in a while loop" : "",
      .summary = "actors await a one-shot event through a condition variable",
      .defaults = {{"actors", 2}},
      .make = [style] { return std::make_unique<EventScenario>(style); },
      .budget_runs = 200,
      .source = __FILE__,
      .data_race = false,  // the bug is in message passing / wake-ups, not a data race
  };
}

TargetInfo queue_target(const char* name, Variant v, bool loop) {
  return TargetInfo{
      .name = name,
      .family = "sync",
      .variant = v,
      .bug_class = "wait without a predicate loop (consumes from an empty queue)",
      .sync = loop ? "condition variable: wait in a while loop re-checking the predicate" : "",
      .summary = "consumers take items a producer puts, waiting on a condition variable",
      .defaults = {{"actors", 3}, {"items", 1}},
      .make = [loop] { return std::make_unique<QueueScenario>(loop); },
      .budget_runs = 300,
      .source = __FILE__,
      .data_race = false,  // the bug is in message passing / wake-ups, not a data race
  };
}

}  // namespace

static const bool registered = [] {
  register_target(event_target("sync.condvar.lost_wakeup", Variant::racy, EventStyle::peek_outside));
  register_target(event_target("sync.condvar.unlocked_signal", Variant::racy, EventStyle::unlocked_signal));
  register_target(event_target("sync.condvar.predicate_under_lock", Variant::synchronised, EventStyle::under_lock_while));
  register_target(queue_target("sync.condvar.if_wait", Variant::racy, false));
  register_target(queue_target("sync.condvar.while_wait", Variant::synchronised, true));
  return true;
}();

}  // namespace ipcrace::sync
