// The writers-and-one-reader scenario shared by the byte-stream and datagram
// targets (pipe, socket): actors 1..n-1 each send `messages` self-checking
// messages (message.hpp) of `size` payload bytes; actor 0 receives them all,
// checking every one whole, in per-sender order (Checker), and fails at the
// first bad one; check() confirms the reader got every message. A mechanism
// supplies open/close, send and receive.
#pragma once
#include <string>
#include <vector>

#include "common/message.hpp"
#include "ipcrace/target.hpp"

namespace ipcrace::framing {

class WritersReaderScenario : public Scenario {
 public:
  void setup(RunContext& ctx) final {
    received_ = ctx.shm_new<int>("reader.tally", 0);
    open(ctx);
  }
  void actor(Actor& a) final {
    const int messages = int(a.params().get("messages"));
    const uint32_t size = uint32_t(a.params().get("size"));
    if (a.index() != 0) {
      for (int i = 0; i < messages; ++i) send(a, make_message(a, uint16_t(i), size));
      return;
    }
    Checker checker(1, a.count() - 1, messages, size);
    start_reading();
    std::vector<unsigned char> m;
    for (int k = 0; k < checker.expected(); ++k) {
      std::string bad = receive(m, 1 + k / messages, size);
      if (bad.empty()) bad = checker.check(m.data(), m.size());
      if (!bad.empty()) return a.fail(bad);
    }
    *received_ = checker.received();  // only the reader writes it; check() reads it after the run
  }
  void check(RunContext& ctx) final {
    const int want = (ctx.actors() - 1) * int(ctx.params().get("messages"));
    if (*received_ != want)
      ctx.fail("reader got " + std::to_string(*received_) + " of " + std::to_string(want) + " messages");
  }
  void teardown(RunContext& ctx) final {
    close(ctx);
    received_ = nullptr;
  }

 protected:
  virtual void open(RunContext& ctx) = 0;
  virtual void close(RunContext& ctx) = 0;
  virtual void send(Actor& a, const std::vector<unsigned char>& m) = 0;
  // The reader, before its first receive (reset per-run reader state).
  virtual void start_reading() {}
  // Receive the next message into `m` (`writer`: whose turn it is, for
  // mechanisms with a connection per writer); "" or what is wrong.
  virtual std::string receive(std::vector<unsigned char>& m, int writer, uint32_t size) = 0;

 private:
  int* received_ = nullptr;
};

}  // namespace ipcrace::framing
