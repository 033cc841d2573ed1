// socket.stream.*: actors 1..n-1 each send `messages` messages of `size`
// payload bytes on one shared end of a Unix stream connection; actor 0 reads
// them all at the other end, checking each message whole (checksum),
// per-sender order and the count; check() confirms every message arrived.
#include "common/reader_scenario.hpp"
#include "socket/stream.hpp"

namespace ipcrace::sockets {
namespace {

class StreamScenario final : public framing::WritersReaderScenario {
 public:
  explicit StreamScenario(bool locked) : locked_(locked) {}

 protected:
  void open(RunContext& ctx) override { stream_.open(ctx, locked_); }
  void close(RunContext&) override { stream_.close(); }
  void send(Actor& a, const std::vector<unsigned char>& m) override { (void)a;
    stream_.send(m); }
  std::string receive(std::vector<unsigned char>& m, int writer, uint32_t size) override { (void)writer, (void)size;
    return stream_.receive(m); }

 private:
  bool locked_;
  SharedStream stream_;
};

TargetInfo make(const char* name, Variant v, bool locked) {
  return TargetInfo{
      .name = name,
      .family = "socket",
      .variant = v,
      .bug_class = "interleaved stream writes (message in several send() calls, no writer lock)",
      .sync = locked ? "writer lock (interprocess_mutex) + length-prefixed frames read to completion" : "",
      .summary = "writers share one end of a Unix stream socket; one reader",
      .defaults = {{"actors", 3}, {"messages", 2}, {"size", 200}},
      .make = [locked] { return std::make_unique<StreamScenario>(locked); },
      .budget_runs = 200,
      .source = __FILE__,
      .ranges = {{"actors", {3, 4}}},  // one reader, 2-3 writers
      .data_race = false,  // the bug is in message passing / wake-ups, not a data race
  };
}

}  // namespace

static const bool registered = [] {
  register_target(make("socket.stream.racy", Variant::racy, false));
  register_target(make("socket.stream.locked", Variant::synchronised, true));
  return true;
}();

}  // namespace ipcrace::sockets
