// socket.dgram.*: actors 1..n-1 each send `messages` messages of `size`
// payload bytes through one shared Unix datagram socket; actor 0 receives them
// all on the bound socket, checking each message whole (checksum), per-sender
// order and the count; check() confirms every message arrived.
#include "socket/dgram.hpp"

namespace ipcrace::sockets {
namespace {

struct Tally {
  int received = 0;
};

class DgramScenario final : public Scenario {
 public:
  explicit DgramScenario(bool whole) : whole_(whole) {}
  void setup(RunContext& ctx) override {
    dgram_.open(ctx, whole_);
    tally_ = ctx.shm_new<Tally>("dgram.tally");
  }
  void actor(Actor& a) override {
    const int messages = int(a.params().get("messages"));
    const uint32_t size = uint32_t(a.params().get("size"));
    if (a.index() != 0) {
      for (int i = 0; i < messages; ++i) dgram_.send(make_message(a, uint16_t(i), size));
      return;
    }
    Checker checker(1, a.count() - 1, messages, size);
    std::vector<unsigned char> m;
    while (checker.received() < checker.expected()) {
      std::string bad = dgram_.receive(m, sizeof(MsgHeader) + size);
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
    dgram_.close();
    tally_ = nullptr;
  }

 private:
  bool whole_;
  SharedDatagram dgram_;
  Tally* tally_ = nullptr;
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
  };
}

}  // namespace

static const bool registered = [] {
  register_target(make("socket.dgram.racy", Variant::racy, false));
  register_target(make("socket.dgram.whole", Variant::synchronised, true));
  return true;
}();

}  // namespace ipcrace::sockets
