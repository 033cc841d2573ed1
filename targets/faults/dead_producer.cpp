// faults.dead_producer.*: a producer (actor 1, may die) sends numbered
// messages through a Boost.Interprocess message_queue to a consumer (actor 0)
// (mechanisms/faults/dead_producer.hpp). Without a `kill` fault every
// interleaving of either variant is fine.
#include "faults/dead_producer.hpp"

namespace ipcrace::faults {
namespace {

constexpr uint64_t kMayDie = uint64_t(1) << DeadProducer::kProducer;

class DeadProducerScenario final : public Scenario {
 public:
  explicit DeadProducerScenario(bool timed) : timed_(timed) {}
  void setup(RunContext& ctx) override { q_.setup(ctx, int(ctx.params().get("capacity"))); }
  void actor(Actor& a) override {
    const int n = int(a.params().get("messages"));
    if (a.index() == DeadProducer::kProducer) return q_.producer(a, n);
    if (a.index() == DeadProducer::kConsumer)
      if (std::string bad = q_.consumer(a, n, timed_); !bad.empty()) a.fail(bad);
  }
  void check(RunContext& ctx) override { q_.check(ctx, int(ctx.params().get("messages"))); }
  void teardown(RunContext&) override { q_.teardown(); }

 private:
  bool timed_;
  DeadProducer q_;
};

TargetInfo make(const char* name, Variant v, bool timed, const char* sync) {
  return TargetInfo{
      .name = name,
      .family = "faults",
      .variant = v,
      .bug_class = "consumer blocked forever in receive() after its producer died",
      .sync = sync,
      .summary = "a producer that may be killed sends numbered messages through a Boost.Interprocess message_queue",
      .defaults = {{"actors", 2}, {"messages", 3}, {"capacity", 2}},
      .make = [timed] { return std::make_unique<DeadProducerScenario>(timed); },
      .budget_runs = 100,
      .source = __FILE__,
      .ranges = {{"messages", {1, 5}}, {"capacity", {1, 3}}},
      .faults = "kill",
      .may_die = kMayDie,
      .data_race = false,  // a lost wake-up (liveness), not a data race
  };
}

}  // namespace

static const bool registered = [] {
  register_target(make("faults.dead_producer.racy", Variant::racy, false, ""));
  register_target(make("faults.dead_producer.timed", Variant::synchronised, true,
                       "timed_receive, and on a timeout a liveness check of the producer (Actor::alive)"));
  return true;
}();

}  // namespace ipcrace::faults
