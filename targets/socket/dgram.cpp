// socket.dgram.*: actors 1..n-1 each send `messages` messages of `size`
// payload bytes through one shared Unix datagram socket; actor 0 receives them
// all on the bound socket, checking each message whole (checksum), per-sender
// order and the count; check() confirms every message arrived.
#include "common/reader_scenario.hpp"
#include "socket/dgram.hpp"

namespace ipcrace::sockets {
namespace {

class DgramScenario final : public framing::WritersReaderScenario {
 public:
  explicit DgramScenario(bool whole) : whole_(whole) {}

 protected:
  void open(RunContext& ctx) override { dgram_.open(ctx, whole_); }
  void close(RunContext&) override { dgram_.close(); }
  void send(Actor& a, const std::vector<unsigned char>& m) override { (void)a;
    dgram_.send(m); }
  std::string receive(std::vector<unsigned char>& m, int writer, uint32_t size) override { (void)writer;
    return dgram_.receive(m, sizeof(MsgHeader) + size); }

 private:
  bool whole_;
  SharedDatagram dgram_;
};

TargetInfo make(const char* name, Variant v, bool whole) {
  return TargetInfo{
      .name = name,
      .family = "socket",
      .variant = v,
      .bug_class = "message split across datagrams (pieces of concurrent senders interleave)",
      .sync = whole ? "one datagram per message (the kernel delivers it whole)" : "",
      .summary = "writers share a Unix datagram socket connected to one bound reader",
      .defaults = {{"actors", 3}, {"messages", 2}, {"size", 200}},
      .make = [whole] { return std::make_unique<DgramScenario>(whole); },
      .budget_runs = 200,
      .source = __FILE__,
      .ranges = {{"actors", {3, 4}}},  // one reader, 2-3 writers
      .data_race = false,  // the bug is in message passing / wake-ups, not a data race
  };
}

}  // namespace

static const bool registered = [] {
  register_target(make("socket.dgram.racy", Variant::racy, false));
  register_target(make("socket.dgram.whole", Variant::synchronised, true));
  return true;
}();

}  // namespace ipcrace::sockets
