// socket.tcp.*: actors 1..n-1 each send `messages` messages of `size` payload
// bytes over their own TCP loopback connection; actor 0 reads every
// connection in turn, checking each message whole (checksum), per-sender order
// and the count; check() confirms every message arrived.
#include "common/reader_scenario.hpp"
#include "socket/tcp.hpp"

namespace ipcrace::sockets {
namespace {

class TcpScenario final : public framing::WritersReaderScenario {
 public:
  explicit TcpScenario(bool read_full) : read_full_(read_full) {}

 protected:
  void open(RunContext& ctx) override { tcp_.open(ctx, read_full_, ctx.actors() - 1); }
  void close(RunContext&) override { tcp_.close(); }
  void send(Actor& a, const std::vector<unsigned char>& m) override { tcp_.send(a.index(), m); }
  std::string receive(std::vector<unsigned char>& m, int writer, uint32_t size) override { return tcp_.receive(writer, m, size); }

 private:
  bool read_full_;
  TcpLoopback tcp_;
};

TargetInfo make(const char* name, Variant v, bool read_full) {
  return TargetInfo{
      .name = name,
      .family = "socket",
      .variant = v,
      .bug_class = "short read (one recv() assumed to return one whole message)",
      .sync = read_full ? "length-prefixed frames read until the length is complete" : "",
      .summary = "writers each send over their own TCP loopback connection; one reader serves them all",
      .defaults = {{"actors", 2}, {"messages", 2}, {"size", 200}},
      .make = [read_full] { return std::make_unique<TcpScenario>(read_full); },
      .budget_runs = 200,
      .source = __FILE__,
      .ranges = {{"actors", {2, 4}}},  // one reader, 1-3 writers
      .data_race = false,  // the bug is in message passing / wake-ups, not a data race
  };
}

}  // namespace

static const bool registered = [] {
  register_target(make("socket.tcp.racy", Variant::racy, false));
  register_target(make("socket.tcp.read_full", Variant::synchronised, true));
  return true;
}();

}  // namespace ipcrace::sockets
