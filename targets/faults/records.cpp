// faults.short_read.* and faults.eintr_write.*: one writer (actor 1) sends
// `messages` fixed-size records and an end record over a real pipe; the
// reader (actor 0) checks them (mechanisms/faults/record_pipe.hpp). Each
// racy variant is correct under every interleaving: only the fault its
// target names (a short read, an interrupted write) reveals the bug.
#include "faults/record_pipe.hpp"

namespace ipcrace::faults {
namespace {

class RecordsScenario final : public Scenario {
 public:
  RecordsScenario(bool robust_reader, bool robust_writer) : rr_(robust_reader), rw_(robust_writer) {}
  void setup(RunContext& ctx) override { pipe_.open(ctx); }
  void actor(Actor& a) override {
    if (a.index() == 1) return pipe_.writer(a, int(a.params().get("messages")), rw_);
    if (a.index() == 0) {
      std::string bad = pipe_.reader(rr_);
      if (!bad.empty()) a.fail(bad);
    }
  }
  void check(RunContext& ctx) override {
    const int want = int(ctx.params().get("messages"));
    if (pipe_.got() != want) ctx.fail("reader got " + std::to_string(pipe_.got()) + " of " + std::to_string(want) + " records");
  }
  void teardown(RunContext&) override { pipe_.close(); }

 private:
  bool rr_, rw_;
  RecordPipe pipe_;
};

TargetInfo make(const char* name, Variant v, const char* bug, const char* sync, const char* faults, bool rr,
                bool rw) {
  return TargetInfo{
      .name = name,
      .family = "faults",
      .variant = v,
      .bug_class = bug,
      .sync = sync,
      .summary = "a writer sends fixed-size records over a pipe; the reader checks them whole and in order",
      .defaults = {{"actors", 2}, {"messages", 3}},
      .make = [rr, rw] { return std::make_unique<RecordsScenario>(rr, rw); },
      .budget_runs = 100,
      .source = __FILE__,
      .ranges = {{"messages", {1, 5}}},
      .faults = faults,
  };
}

}  // namespace

static const bool registered = [] {
  register_target(make("faults.short_read.racy", Variant::racy, "short read taken for a whole record", "", "short",
                       false, true));
  register_target(make("faults.short_read.looped", Variant::synchronised, "short read taken for a whole record",
                       "the reader reads until the record is complete (and retries EINTR)", "short", true, true));
  register_target(make("faults.eintr_write.racy", Variant::racy, "interrupted write not retried (record lost)", "",
                       "eintr", true, false));
  register_target(make("faults.eintr_write.retried", Variant::synchronised,
                       "interrupted write not retried (record lost)",
                       "the writer retries on EINTR and writes until the record is complete", "eintr", true, true));
  return true;
}();

}  // namespace ipcrace::faults
