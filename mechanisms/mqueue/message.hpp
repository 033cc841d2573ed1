// Messages, workload and oracles shared by every mqueue mechanism.
//
// A message names its sender (an actor index) and its sequence number among
// that sender's messages, and carries a checksum over everything else, so a
// consumer can tell a torn, stale or invented message from a real one.
// Consumers write what they received into their own row of a Ledger in shared
// memory (a row has one writer and is read by the controller after the run, so
// it needs no point); audit() then checks, over all rows:
//   conservation   every sent message was received exactly once, none invented
//   per-sender FIFO each consumer saw each sender's messages in send order
//   integrity      no consumer received a message whose checksum is wrong
#pragma once
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "ipcrace/actor.hpp"
#include "ipcrace/engine.hpp"
#include "ipcrace/target.hpp"

namespace ipcrace::mqueue {

inline constexpr int kMaxPayload = 32;
inline constexpr int kMaxLog = 64;  // messages one consumer can record

struct Msg {
  uint32_t sender = 0;
  uint32_t seq = 0;
  uint32_t len = 0;       // payload bytes in use
  uint32_t checksum = 0;  // over sender, seq, len and payload[0, len)
  uint8_t payload[kMaxPayload] = {};
};

inline constexpr size_t kHeader = offsetof(Msg, payload);

// FNV-1a; an all-zero message does not check out.
inline uint32_t checksum_of(const Msg& m) {
  uint32_t h = 2166136261u;
  auto mix = [&h](const void* p, size_t n) {
    auto* b = static_cast<const uint8_t*>(p);
    for (size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 16777619u;
  };
  mix(&m.sender, sizeof m.sender);
  mix(&m.seq, sizeof m.seq);
  mix(&m.len, sizeof m.len);
  mix(m.payload, m.len <= kMaxPayload ? m.len : kMaxPayload);
  return h;
}

// Bytes a message occupies on the wire (variable-length messages).
inline size_t wire_size(const Msg& m) { return kHeader + m.len; }

inline bool intact(const Msg& m) { return m.len <= kMaxPayload && m.checksum == checksum_of(m); }

// Message `seq` of the calling producer: 1..size payload bytes drawn from a.rng().
inline Msg make_message(Actor& a, uint32_t seq, int64_t size) {
  Msg m;
  m.sender = static_cast<uint32_t>(a.index());
  m.seq = seq;
  m.len = 1 + static_cast<uint32_t>(a.rng().below(static_cast<uint64_t>(size)));
  for (uint32_t i = 0; i < m.len; ++i) m.payload[i] = static_cast<uint8_t>(a.rng().next());
  m.checksum = checksum_of(m);
  return m;
}

inline std::string describe(const Msg& m) { return std::to_string(m.sender) + "#" + std::to_string(m.seq); }

// Who does what: actors [0, producers) produce `messages` each, the others consume.
struct Workload {
  int actors = 0;
  int producers = 0;
  int messages = 0;
  int size = 0;
  int capacity = 0;

  static Workload from(const Params& p) {
    Workload w;
    w.actors = static_cast<int>(p.get("actors"));
    w.producers = static_cast<int>(p.get("producers", 1));
    w.messages = static_cast<int>(p.get("messages"));
    w.size = static_cast<int>(p.get("size", 8));
    w.capacity = static_cast<int>(p.get("capacity", 2));
    if (w.producers < 1 || w.producers >= w.actors)
      throw std::invalid_argument("producers must be in 1..actors-1");
    if (w.size < 1 || w.size > kMaxPayload) throw std::invalid_argument("size must be in 1..32");
    if (w.capacity < 1) throw std::invalid_argument("capacity must be at least 1");
    if (w.total() > kMaxLog) throw std::invalid_argument("producers x messages must be at most 64");
    return w;
  }
  int consumers() const { return actors - producers; }
  int total() const { return producers * messages; }
  bool producer(int actor) const { return actor < producers; }
  // Messages consumer `actor` takes: the total split evenly, the first ones take the rest.
  int quota(int actor) const {
    const int c = actor - producers;
    return total() / consumers() + (c < total() % consumers() ? 1 : 0);
  }
};

// What each consumer received, one row per actor (single writer per row).
struct Ledger {
  uint32_t count[kMaxActors];
  uint32_t corrupt[kMaxActors];
  uint64_t got[kMaxActors][kMaxLog];

  // Record a received message; a.fail() on a checksum mismatch or overflow.
  void record(Actor& a, const Msg& m, ssize_t bytes = -1) {
    const int i = a.index();
    if (!intact(m) || (bytes >= 0 && size_t(bytes) != wire_size(m))) {
      ++corrupt[i];
      a.fail("received a corrupt message (bad checksum or length): " + describe(m) + ", " +
             std::to_string(bytes) + " bytes");
      return;
    }
    if (count[i] >= kMaxLog) {
      a.fail("received more messages than were sent");
      return;
    }
    got[i][count[i]++] = (uint64_t(m.sender) << 32) | m.seq;
  }
};

// The conservation, FIFO and integrity oracle; "" when the run is correct.
inline std::string audit(const Ledger& l, const Workload& w, bool fifo) {
  std::vector<std::string> problems;
  auto note = [&problems](std::string s) {
    if (problems.size() < 6) problems.push_back(std::move(s));
  };
  std::vector<int> receiver(size_t(w.total()), -1);
  for (int c = 0; c < w.actors; ++c) {
    if (l.corrupt[c]) note("actor " + std::to_string(c) + " received " + std::to_string(l.corrupt[c]) + " corrupt message(s)");
    std::vector<int64_t> last(size_t(w.producers), -1);
    for (uint32_t k = 0; k < l.count[c] && k < kMaxLog; ++k) {
      const uint32_t s = uint32_t(l.got[c][k] >> 32), q = uint32_t(l.got[c][k]);
      const std::string id = std::to_string(s) + "#" + std::to_string(q);
      if (int(s) >= w.producers || int(q) >= w.messages) {
        note("message " + id + " received by actor " + std::to_string(c) + " was never sent");
        continue;
      }
      int& r = receiver[size_t(s) * size_t(w.messages) + q];
      if (r >= 0) {
        note("message " + id + " received twice (by actors " + std::to_string(r) + " and " + std::to_string(c) + ")");
        continue;
      }
      r = c;
      if (fifo && int64_t(q) < last[s])
        note("actor " + std::to_string(c) + " received " + id + " after " + std::to_string(s) + "#" +
             std::to_string(last[s]) + " (per-sender FIFO broken)");
      if (int64_t(q) > last[s]) last[s] = q;
    }
  }
  for (int s = 0; s < w.producers; ++s)
    for (int q = 0; q < w.messages; ++q)
      if (receiver[size_t(s) * size_t(w.messages) + q] < 0)
        note("message " + std::to_string(s) + "#" + std::to_string(q) + " was sent but never received");
  std::string out;
  for (auto& p : problems) out += (out.empty() ? "" : "; ") + p;
  return out;
}

// A producer/consumer scenario: the mechanism supplies produce() and consume().
class QueueScenario : public Scenario {
 public:
  explicit QueueScenario(bool fifo) : fifo_(fifo) {}
  void setup(RunContext& ctx) override {
    w_ = Workload::from(ctx.params());
    ledger_ = ctx.shm_new<Ledger>("ledger");
    open(ctx);
  }
  void actor(Actor& a) override {
    if (w_.producer(a.index())) {
      for (int q = 0; q < w_.messages; ++q) produce(a, make_message(a, uint32_t(q), w_.size));
      produced(a);
    } else {
      consume(a, w_.quota(a.index()));
    }
  }
  void check(RunContext& ctx) override {
    std::string why = audit(*ledger_, w_, fifo_);
    if (!why.empty()) ctx.fail(why);
  }
  void teardown(RunContext& ctx) override {
    close(ctx);
    ledger_ = nullptr;
  }

 protected:
  virtual void open(RunContext& ctx) = 0;
  virtual void close(RunContext& ctx) = 0;
  virtual void produce(Actor& a, const Msg& m) = 0;
  virtual void produced(Actor&) {}  // after a producer's last message
  virtual void consume(Actor& a, int quota) = 0;
  Ledger& ledger() { return *ledger_; }
  const Workload& workload() const { return w_; }

 private:
  bool fifo_;
  Workload w_;
  Ledger* ledger_ = nullptr;
};

}  // namespace ipcrace::mqueue
