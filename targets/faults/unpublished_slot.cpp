// faults.unpublished_slot.*: a writer (actor 1, may die) fills and publishes
// the slots of a ring in shared memory; the reader (actor 0) takes them and,
// once the writer is dead, recovers what it left
// (mechanisms/faults/unpublished_slot.hpp). Without a `kill` fault the
// recovery never runs and every interleaving of either variant is fine.
#include "faults/unpublished_slot.hpp"

namespace ipcrace::faults {
namespace {

constexpr uint64_t kMayDie = uint64_t(1) << UnpublishedSlot::kWriter;

class UnpublishedSlotScenario final : public Scenario {
 public:
  explicit UnpublishedSlotScenario(bool published_only) : published_only_(published_only) {}
  void setup(RunContext& ctx) override { ring_.setup(ctx, int(ctx.params().get("capacity"))); }
  void actor(Actor& a) override {
    const int n = int(a.params().get("messages"));
    if (a.index() == UnpublishedSlot::kWriter) return ring_.writer(a, n);
    if (a.index() == UnpublishedSlot::kReader)
      if (std::string bad = ring_.reader(a, n, published_only_); !bad.empty()) a.fail(bad);
  }
  void check(RunContext& ctx) override { ring_.check(ctx, int(ctx.params().get("messages"))); }
  void teardown(RunContext&) override { ring_.teardown(); }

 private:
  bool published_only_;
  UnpublishedSlot ring_;
};

TargetInfo make(const char* name, Variant v, bool published_only, const char* sync) {
  return TargetInfo{
      .name = name,
      .family = "faults",
      .variant = v,
      .bug_class = "writer killed between filling a slot and publishing it: half-written slot read",
      .sync = sync,
      .summary = "a writer that may be killed fills and publishes the slots of an shm ring; the reader recovers",
      .defaults = {{"actors", 2}, {"messages", 3}, {"capacity", 2}},
      .make = [published_only] { return std::make_unique<UnpublishedSlotScenario>(published_only); },
      .budget_runs = 100,
      .source = __FILE__,
      .ranges = {{"messages", {1, 5}}, {"capacity", {1, 3}}},
      .faults = "kill",
      .may_die = kMayDie,
      .data_race = false,  // the oracle's torn record is the finding (race detection also sees the recovery's reads)
  };
}

}  // namespace

static const bool registered = [] {
  register_target(make("faults.unpublished_slot.racy", Variant::racy, false, ""));
  register_target(make("faults.unpublished_slot.published", Variant::synchronised, true,
                       "recovery takes only published slots (state word, release/acquire); reserved ones are dropped"));
  return true;
}();

}  // namespace ipcrace::faults
