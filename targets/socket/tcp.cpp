// socket.tcp.*: actors 1..n-1 each send `messages` messages of `size` payload
// bytes over their own TCP loopback connection; actor 0 reads every
// connection in turn, checking each message whole (checksum), per-sender order
// and the count; check() confirms every message arrived.
#include "socket/tcp.hpp"

namespace ipcrace::sockets {
namespace {

struct Tally {
  int received = 0;
};

class TcpScenario final : public Scenario {
 public:
  explicit TcpScenario(bool read_full) : read_full_(read_full) {}
  void setup(RunContext& ctx) override {
    tally_ = ctx.shm_new<Tally>("tcp.tally");
    tcp_.open(ctx, read_full_, ctx.actors() - 1);
  }
  void actor(Actor& a) override {
    const int messages = int(a.params().get("messages"));
    const uint32_t size = uint32_t(a.params().get("size"));
    if (a.index() != 0) {
      for (int i = 0; i < messages; ++i) tcp_.send(a.index(), make_message(a, uint16_t(i), size));
      return;
    }
    Checker checker(1, a.count() - 1, messages, size);
    std::vector<unsigned char> m;
    for (int w = 1; w < a.count(); ++w)
      for (int i = 0; i < messages; ++i) {
        std::string bad = tcp_.receive(w, m, size);
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
    tcp_.close();
    tally_ = nullptr;
  }

 private:
  bool read_full_;
  TcpLoopback tcp_;
  Tally* tally_ = nullptr;
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
  };
}

}  // namespace

static const bool registered = [] {
  register_target(make("socket.tcp.racy", Variant::racy, false));
  register_target(make("socket.tcp.read_full", Variant::synchronised, true));
  return true;
}();

}  // namespace ipcrace::sockets
