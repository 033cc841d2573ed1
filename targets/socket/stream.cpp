// socket.stream.*: actors 1..n-1 each send `messages` messages of `size`
// payload bytes on one shared end of a Unix stream connection; actor 0 reads
// them all at the other end, checking each message whole (checksum),
// per-sender order and the count; check() confirms every message arrived.
#include "socket/stream.hpp"

namespace ipcrace::sockets {
namespace {

struct Tally {
  int received = 0;
};

class StreamScenario final : public Scenario {
 public:
  explicit StreamScenario(bool locked) : locked_(locked) {}
  void setup(RunContext& ctx) override {
    stream_.open(ctx, locked_);
    tally_ = ctx.shm_new<Tally>("stream.tally");
  }
  void actor(Actor& a) override {
    const int messages = int(a.params().get("messages"));
    const uint32_t size = uint32_t(a.params().get("size"));
    if (a.index() != 0) {
      for (int i = 0; i < messages; ++i) stream_.send(make_message(a, uint16_t(i), size));
      return;
    }
    Checker checker(1, a.count() - 1, messages, size);
    std::vector<unsigned char> m;
    while (checker.received() < checker.expected()) {
      std::string bad = stream_.receive(m);
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
    stream_.close();
    tally_ = nullptr;
  }

 private:
  bool locked_;
  SharedStream stream_;
  Tally* tally_ = nullptr;
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
  };
}

}  // namespace

static const bool registered = [] {
  register_target(make("socket.stream.racy", Variant::racy, false));
  register_target(make("socket.stream.locked", Variant::synchronised, true));
  return true;
}();

}  // namespace ipcrace::sockets
