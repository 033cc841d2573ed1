// sync.tas_lock.*: every actor enters a critical section `ops` times under a
// flag lock. Oracles: at most one actor is inside at any time (in the actor,
// on entry), and the counter incremented inside ends at actors x ops (check).
#include <atomic>
#include <string>

#include "sync/tas_lock.hpp"

namespace ipcrace::sync {
namespace {

struct Section {
  std::atomic<int> inside{0};  // actors inside the critical section (the oracle's instrument)
  long counter = 0;            // the data the lock protects
};

class TasScenario final : public Scenario {
 public:
  explicit TasScenario(TasKind kind) : kind_(kind) {}
  void setup(RunContext& ctx) override {
    lock_ = TasLock(ctx, kind_);
    cs_ = ctx.shm_new<Section>("section");
    inside_ = ctx.resource("section.inside");
    counter_ = Cell<long>(&cs_->counter, ctx.resource("section.counter"));
  }
  void actor(Actor& a) override {
    for (int64_t i = 0; i < a.params().get("ops"); ++i) {
      lock_.lock();
      a.point(OpKind::shm_rmw, inside_, "section.enter", at(cs_->inside, MemOrder::relaxed));
      const int n = cs_->inside.fetch_add(1, std::memory_order_relaxed) + 1;
      if (n > 1) {
        a.fail("mutual exclusion violated: " + std::to_string(n) + " actors inside the critical section");
        return;
      }
      counter_.store(counter_.load("counter.load") + 1, "counter.store");
      a.point(OpKind::shm_rmw, inside_, "section.leave", at(cs_->inside, MemOrder::relaxed));
      cs_->inside.fetch_sub(1, std::memory_order_relaxed);
      lock_.unlock();
    }
  }
  void check(RunContext& ctx) override {
    const long want = long(ctx.actors()) * long(ctx.params().get("ops"));
    if (cs_->counter != want)
      ctx.fail("lost update in the critical section: counter is " + std::to_string(cs_->counter) + ", expected " +
               std::to_string(want));
  }

 private:
  TasKind kind_;
  TasLock lock_;
  Section* cs_ = nullptr;
  Resource inside_;
  Cell<long> counter_;
};

TargetInfo tas_target(const char* name, Variant v, TasKind kind, const char* how) {
  return TargetInfo{
      .name = name,
      .family = "sync",
      .variant = v,
      .bug_class = "mutual exclusion violation (test-then-set lock)",
      .sync = how,
      .summary = "a spin lock on a shared-memory flag guards a critical section",
      .defaults = {{"actors", 2}, {"ops", 1}},
      .make = [kind] { return std::make_unique<TasScenario>(kind); },
      .budget_runs = 400,
      .source = __FILE__,
      .ranges = {{"actors", {2, 4}}, {"ops", {1, 2}}},
  };
}

}  // namespace

static const bool registered = [] {
  register_target(tas_target("sync.tas_lock.racy", Variant::racy, TasKind::test_then_set, ""));
  register_target(tas_target("sync.tas_lock.exchange", Variant::synchronised, TasKind::exchange,
                             "atomic exchange (test-and-set as one op)"));
  register_target(tas_target("sync.tas_lock.mutex", Variant::synchronised, TasKind::mutex, "interprocess_mutex"));
  return true;
}();

}  // namespace ipcrace::sync
