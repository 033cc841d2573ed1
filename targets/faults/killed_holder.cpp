// faults.killed_holder.*: actors increment a two-field record under a
// process-shared pthread mutex; actor 0 may be killed at any point
// (mechanisms/faults/robust_lock.hpp). Without a `kill` fault every
// interleaving of either variant is fine.
#include "faults/robust_lock.hpp"

namespace ipcrace::faults {
namespace {

constexpr uint64_t kMayDie = 1;  // actor 0

class KilledHolderScenario final : public Scenario {
 public:
  explicit KilledHolderScenario(bool robust) : robust_(robust) {}
  void setup(RunContext& ctx) override { h_.setup(ctx, robust_); }
  void actor(Actor& a) override { h_.actor(a, int(a.params().get("rounds"))); }
  void check(RunContext& ctx) override { h_.check(ctx, int(ctx.params().get("rounds")), kMayDie); }
  void teardown(RunContext&) override { h_.teardown(); }

 private:
  bool robust_;
  KilledHolder h_;
};

TargetInfo make(const char* name, Variant v, bool robust, const char* sync) {
  return TargetInfo{
      .name = name,
      .family = "faults",
      .variant = v,
      .bug_class = "lock holder killed mid-critical-section (lock never released)",
      .sync = sync,
      .summary = "actors update a two-field record under a process-shared pthread mutex; actor 0 may be killed",
      .defaults = {{"actors", 3}, {"rounds", 2}},
      .make = [robust] { return std::make_unique<KilledHolderScenario>(robust); },
      .budget_runs = 300,
      .source = __FILE__,
      .ranges = {{"actors", {2, 4}}, {"rounds", {1, 3}}},
      .model = "counter",
      .faults = "kill",
      .may_die = kMayDie,
  };
}

}  // namespace

static const bool registered = [] {
  register_target(make("faults.killed_holder.racy", Variant::racy, false, ""));
  register_target(make("faults.killed_holder.robust", Variant::synchronised, true,
                       "robust mutex: EOWNERDEAD, repair (b = a), pthread_mutex_consistent"));
  return true;
}();

}  // namespace ipcrace::faults
