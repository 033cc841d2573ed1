// A consumer outliving its producer on a Boost.Interprocess message_queue
// (issue 12). The producer (actor 1) sends `messages` numbered messages; it may
// be killed at any point (TargetInfo::may_die). The consumer (actor 0) takes
// them in order.
//
//   blocking   receive() (retried try_receive): after the producer's death the
//              consumer waits forever for a message nobody will send.
//   timed      timed_receive(): on a timeout the consumer asks whether the
//              producer is alive (Actor::alive); if it is not, it takes what is
//              still queued and stops.
//
// The oracle: every message the consumer got is the next in order; a producer
// that finished had all of its messages taken; a dead producer's messages were
// taken up to the last one it sent.
#pragma once
#include <boost/interprocess/ipc/message_queue.hpp>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "ipcrace/actor.hpp"
#include "ipcrace/target.hpp"

namespace ipcrace::faults {

class DeadProducer {
 public:
  static constexpr int kConsumer = 0, kProducer = 1;

  void setup(RunContext& ctx, int capacity) {
    if (ctx.actors() != 2) throw std::invalid_argument("takes exactly 2 actors");
    name_ = ctx.object_name("deadmq");
    ctx.track_shm_name(name_);
    boost::interprocess::permissions owner_only(0600);
    q_ = std::make_unique<boost::interprocess::message_queue>(boost::interprocess::create_only, name_.c_str(),
                                                              size_t(capacity), sizeof(Msg), owner_only);
    r_ = ctx.resource("deadmq");
    st_ = ctx.shm_new<State>("deadmq.state");
  }
  void teardown() {
    q_.reset();
    if (!name_.empty()) boost::interprocess::message_queue::remove(name_.c_str());
    name_.clear();
  }

  void producer(Actor& a, int n) {
    for (int i = 0; i < n; ++i) {
      const Msg m{uint32_t(i), tag(uint32_t(i))};
      a.blocking(OpKind::send, r_, "producer.try_send", [&]() -> std::optional<bool> {
        if (!q_->try_send(&m, sizeof m, 0)) return std::nullopt;
        a.outcome(int64_t(sizeof m), &m, sizeof m);
        return true;
      });
      st_->sent = i + 1;  // own word, read by check() after the run
    }
    st_->finished = 1;
  }

  // "" or what is wrong.
  std::string consumer(Actor& a, int n, bool timed) {
    while (st_->got < n) {
      std::optional<Msg> m = timed ? timed_receive(a) : std::optional<Msg>(receive(a));
      if (!m) {
        if (a.alive(kProducer)) continue;  // only slow: wait again
        // The producer is gone: whatever it sent is queued already.
        while ((m = try_receive(a))) {
          if (auto bad = take(*m); !bad.empty()) return bad;
        }
        return {};
      }
      if (auto bad = take(*m); !bad.empty()) return bad;
    }
    return {};
  }

  // Every message sent was taken: all `n` of a producer that finished, the
  // ones a dead producer had sent (it is killed at a point, never inside
  // try_send, so nothing it sent is half-sent).
  void check(RunContext& ctx, int n) {
    const int got = st_->got, want = st_->finished ? n : st_->sent;
    if (got != want)
      ctx.fail(std::string(st_->finished ? "the producer finished" : "the producer died") + " after sending " +
               std::to_string(want) + " messages; the consumer got " + std::to_string(got));
  }

 private:
  struct Msg {
    uint32_t seq;
    uint32_t tag;
  };
  struct State {
    int sent;
    int finished;
    int got;
  };
  static uint32_t tag(uint32_t seq) { return (seq * 2654435761u) ^ 0xdeadc0deu; }

  std::string take(const Msg& m) {
    if (m.seq != uint32_t(st_->got) || m.tag != tag(m.seq))
      return "expected message " + std::to_string(st_->got) + ", got " + std::to_string(m.seq);
    ++st_->got;
    return {};
  }
  std::optional<Msg> try_once(Actor& a) {
    Msg m{};
    boost::interprocess::message_queue::size_type n = 0;
    unsigned prio = 0;
    if (!q_->try_receive(&m, sizeof m, n, prio)) return std::nullopt;
    a.outcome(int64_t(n), &m, size_t(n));
    return m;
  }
  Msg receive(Actor& a) {
    return a.blocking(OpKind::recv, r_, "consumer.receive", [&] { return try_once(a); });
  }
  std::optional<Msg> timed_receive(Actor& a) {
    return a.timed(OpKind::recv, r_, "consumer.timed_receive", [&] { return try_once(a); });
  }
  std::optional<Msg> try_receive(Actor& a) {
    a.point(OpKind::recv, r_, "consumer.try_receive");
    return try_once(a);
  }

  std::string name_;
  std::unique_ptr<boost::interprocess::message_queue> q_;
  Resource r_;
  State* st_ = nullptr;
};

}  // namespace ipcrace::faults
