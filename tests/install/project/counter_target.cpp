// user.counter.racy / .locked: actors increment a counter in shared memory
// (a Cell: every load and store is a point); the oracle checks the count.
// The locked twin takes a process-shared pthread mutex around the update.
#include <pthread.h>

#include <optional>

#include "ipcrace/actor.hpp"
#include "ipcrace/target.hpp"

namespace {

using namespace ipcrace;

struct Shared {
  long count;
  pthread_mutex_t mutex;
};

class CounterScenario final : public Scenario {
 public:
  explicit CounterScenario(bool locked) : locked_(locked) {}
  void setup(RunContext& ctx) override {
    s_ = static_cast<Shared*>(ctx.shm("counter", sizeof(Shared)));
    pthread_mutexattr_t at;
    pthread_mutexattr_init(&at);
    pthread_mutexattr_setpshared(&at, PTHREAD_PROCESS_SHARED);
    pthread_mutex_init(&s_->mutex, &at);
    pthread_mutexattr_destroy(&at);
    count_ = Cell<long>(&s_->count, ctx.resource("counter.count"));
    lock_ = ctx.resource("counter.lock");
  }
  void actor(Actor& a) override {
    if (locked_)
      a.blocking(OpKind::lock, lock_, "counter.lock", [this]() -> std::optional<bool> {
        if (pthread_mutex_trylock(&s_->mutex) == 0) return true;
        return std::nullopt;
      });
    count_.store(count_.load("count.load") + 1, "count.store");
    if (locked_) {
      a.point(OpKind::unlock, lock_, "counter.unlock");
      pthread_mutex_unlock(&s_->mutex);
    }
  }
  void check(RunContext& ctx) override {
    const long want = long(ctx.params().get("actors"));
    if (s_->count != want)
      ctx.fail("lost update: count " + std::to_string(s_->count) + ", expected " + std::to_string(want));
  }
  void teardown(RunContext&) override { pthread_mutex_destroy(&s_->mutex); }

 private:
  bool locked_;
  Shared* s_ = nullptr;
  Cell<long> count_;
  Resource lock_;
};

TargetInfo counter_target(const char* name, Variant v, bool locked) {
  return TargetInfo{
      .name = name,
      .family = "user",
      .variant = v,
      .bug_class = "lost update",
      .sync = locked ? "process-shared pthread mutex" : "",
      .summary = "processes increment one counter in shared memory",
      .defaults = {{"actors", 2}},
      .make = [locked] { return std::make_unique<CounterScenario>(locked); },
      .budget_runs = 200,
      .source = __FILE__,
  };
}

[[maybe_unused]] const bool registered = [] {
  register_target(counter_target("user.counter.racy", Variant::racy, false));
  register_target(counter_target("user.counter.locked", Variant::synchronised, true));
  return true;
}();

}  // namespace
