// pipe.large_write.*: actors 1..n-1 each write `messages` messages of `size`
// payload bytes (more than PIPE_BUF) into one shared pipe; actor 0 reads them
// all. The reader checks every message whole (checksum), per-sender order, and
// the count; check() confirms the reader got every message.
#include "common/reader_scenario.hpp"
#include "pipe/large_write.hpp"

namespace ipcrace::pipe {
namespace {

class LargeWriteScenario final : public framing::WritersReaderScenario {
 public:
  explicit LargeWriteScenario(PipeSync sync) : sync_(sync) {}

 protected:
  void open(RunContext& ctx) override { pipe_.open(ctx, sync_); }
  void close(RunContext&) override { pipe_.close(); }
  void send(Actor& a, const std::vector<unsigned char>& m) override { (void)a;
    pipe_.send(m); }
  void start_reading() override { reader_ = {}; }
  std::string receive(std::vector<unsigned char>& m, int writer, uint32_t size) override { (void)writer, (void)size;
    return pipe_.receive(reader_, m); }

 private:
  PipeSync sync_;
  LargeWritePipe pipe_;
  LargeWritePipe::Reader reader_;
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
      .ranges = {{"actors", {3, 4}}, {"messages", {1, 3}}, {"size", {5000, 9000}}},
      .data_race = false,  // the bug is in message passing / wake-ups, not a data race
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
