// shm.counter.*: every actor increments a shared counter `ops` times; the
// oracle checks the final value is actors x ops (no lost update), and the
// history of fetch_adds (each returns the value it read) is linearizable.
#include "shm/counter.hpp"

namespace ipcrace::shm {
namespace {

class CounterScenario final : public Scenario {
 public:
  explicit CounterScenario(CounterSync sync) : sync_(sync) {}
  void setup(RunContext& ctx) override { counter_ = Counter(ctx, sync_); }
  void actor(Actor& a) override {
    for (int64_t i = 0; i < a.params().get("ops"); ++i) {
      a.invoke("fetch_add", {1});
      a.complete(EventType::ok, {counter_.increment()});
    }
  }
  void check(RunContext& ctx) override {
    const long want = long(ctx.actors()) * long(ctx.params().get("ops"));
    const long got = counter_.value();
    if (got != want)
      ctx.fail("lost update: counter is " + std::to_string(got) + ", expected " + std::to_string(want) + " (" +
               std::to_string(ctx.actors()) + " actors x " + std::to_string(ctx.params().get("ops")) +
               " increments)");
  }
  void teardown(RunContext&) override { counter_.destroy(); }

 private:
  CounterSync sync_;
  Counter counter_;
};

TargetInfo counter_target(const char* name, Variant v, CounterSync sync, const char* how) {
  return TargetInfo{
      .name = name,
      .family = "shm",
      .variant = v,
      .bug_class = "lost update",
      .sync = how,
      .summary = "actors increment a counter in POSIX shared memory",
      .defaults = {{"actors", 2}, {"ops", 2}},
      .make = [sync] { return std::make_unique<CounterScenario>(sync); },
      .budget_runs = 200,
      .source = __FILE__,
      .model = "counter",
      .ranges = {{"actors", {2, 4}}, {"ops", {1, 3}}},
  };
}

}  // namespace

static const bool registered = [] {
  register_target(counter_target("shm.counter.racy", Variant::racy, CounterSync::none, ""));
  register_target(counter_target("shm.counter.mutex", Variant::synchronised, CounterSync::mutex, "interprocess_mutex"));
  register_target(counter_target("shm.counter.semaphore", Variant::synchronised, CounterSync::semaphore, "POSIX semaphore"));
  register_target(counter_target("shm.counter.atomic", Variant::synchronised, CounterSync::atomic, "atomic fetch_add"));
  return true;
}();

}  // namespace ipcrace::shm
