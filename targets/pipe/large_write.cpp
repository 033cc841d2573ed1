// pipe.large_write.*: actors 1..n-1 each write `messages` messages of `size`
// payload bytes (more than PIPE_BUF) into one shared pipe; actor 0 reads them
// all. The reader checks every message whole (checksum), per-sender order, and
// the count; check() confirms the reader got every message.
#include "pipe/large_write.hpp"

namespace ipcrace::pipe {
namespace {

struct Tally {
  int received = 0;
};

class LargeWriteScenario final : public Scenario {
 public:
  explicit LargeWriteScenario(PipeSync sync) : sync_(sync) {}
  void setup(RunContext& ctx) override {
    pipe_.open(ctx, sync_);
    tally_ = ctx.shm_new<Tally>("pipe.tally");
  }
  void actor(Actor& a) override {
    const int messages = int(a.params().get("messages"));
    const uint32_t size = uint32_t(a.params().get("size"));
    if (a.index() != 0) {
      for (int i = 0; i < messages; ++i) pipe_.send(make_message(a, uint16_t(i), size));
      return;
    }
    Checker checker(1, a.count() - 1, messages, size);
    LargeWritePipe::Reader reader;
    std::vector<unsigned char> m;
    while (checker.received() < checker.expected()) {
      std::string bad = pipe_.receive(reader, m);
      if (bad.empty()) bad = checker.check(m.data(), m.size());
      if (!bad.empty()) return a.fail(bad);
    }
    tally_->received = checker.received();  // only the reader writes it; check() reads it after the run
  }
  void check(RunContext& ctx) override {
    const int want = (ctx.actors() - 1) * int(ctx.params().get("messages"));
    if (tally_->received != want)
      ctx.fail("reader got " + std::to_string(tally_->received) + " of " + std::to_string(want) + " messages");
  }
  void teardown(RunContext&) override {
    pipe_.close();
    tally_ = nullptr;
  }

 private:
  PipeSync sync_;
  LargeWritePipe pipe_;
  Tally* tally_ = nullptr;
};

TargetInfo make(const char* name, Variant v, PipeSync sync, const char* how) {
  return TargetInfo{
      .name = name,
      .family = "pipe",
      .variant = v,
      .bug_class = "torn/interleaved message (write > PIPE_BUF not atomic)",
      .sync = how,
      .summary = "writers share one pipe with messages larger than PIPE_BUF; one reader",
      .defaults = {{"actors", 3}, {"messages", 2}, {"size", 6000}},
      .make = [sync] { return std::make_unique<LargeWriteScenario>(sync); },
      .budget_runs = 200,
      .source = __FILE__,
      // Writes above PIPE_BUF (4096) are not atomic: smaller ones cannot tear.
      .ranges = {{"messages", {1, 3}}, {"size", {5000, 9000}}},
  };
}

}  // namespace

static const bool registered = [] {
  register_target(make("pipe.large_write.racy", Variant::racy, PipeSync::none, ""));
  register_target(make("pipe.large_write.framed", Variant::synchronised, PipeSync::framed,
                       "frames of at most PIPE_BUF bytes (atomic write), reassembled by the reader"));
  register_target(make("pipe.large_write.locked", Variant::synchronised, PipeSync::locked,
                       "writer lock (interprocess_mutex) + reader reads to the announced length"));
  return true;
}();

}  // namespace ipcrace::pipe
