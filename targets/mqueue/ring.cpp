// mqueue.ring.*: a bounded ring buffer of messages in POSIX shared memory.
// Producers push variable-length messages, consumers pop them. Oracle:
// conservation, per-sender FIFO and payload integrity.
#include "mqueue/ring.hpp"

namespace ipcrace::mqueue {
namespace {

enum class RingKind { racy, mutex_sem, spsc };

class RingScenario final : public QueueScenario {
 public:
  explicit RingScenario(RingKind k) : QueueScenario(/*fifo=*/true), kind_(k) {}

 protected:
  void open(RunContext& ctx) override {
    const int cap = workload().capacity;
    switch (kind_) {
      case RingKind::racy: racy_ = RacyRing(ctx, cap); break;
      case RingKind::mutex_sem: buffer_ = BoundedBuffer(ctx, cap); break;
      case RingKind::spsc:
        if (workload().producers != 1 || workload().consumers() != 1)
          throw std::invalid_argument("the SPSC ring takes exactly one producer and one consumer");
        spsc_ = SpscRing(ctx, cap);
        break;
    }
  }
  void close(RunContext&) override { buffer_.destroy(); }
  void produce(Actor& a, const Msg& m) override {
    switch (kind_) {
      case RingKind::racy: racy_.push(a, m); break;
      case RingKind::mutex_sem: buffer_.push(m); break;
      case RingKind::spsc: spsc_.push(a, m); break;
    }
  }
  void produced(Actor& a) override {
    if (kind_ == RingKind::racy) racy_.finish(a);
  }
  void consume(Actor& a, int quota) override {
    switch (kind_) {
      case RingKind::racy:
        racy_.drain(a, workload().producers, [&](const Msg& m) { ledger().record(a, m); });
        break;
      case RingKind::mutex_sem:
        for (int k = 0; k < quota; ++k) ledger().record(a, buffer_.pop());
        break;
      case RingKind::spsc:
        for (int k = 0; k < quota; ++k) ledger().record(a, spsc_.pop(a));
        break;
    }
  }

 private:
  RingKind kind_;
  RacyRing racy_;
  BoundedBuffer buffer_;
  SpscRing spsc_;
};

TargetInfo make(const char* name, Variant v, RingKind k) {
  const bool spsc = k == RingKind::spsc;
  return TargetInfo{
      .name = name,
      .family = "mqueue",
      .variant = v,
      .bug_class = "lost update on unsynchronised head/tail: overwritten, lost or duplicated slots",
      .sync = k == RingKind::mutex_sem ? "interprocess_mutex + empty/full POSIX semaphores (bounded buffer)"
              : spsc                   ? "single-producer single-consumer ring, atomic head/tail acquire/release"
                                       : "",
      .summary = spsc ? "one producer and one consumer share a lock-free ring in shared memory"
                      : "producers and consumers share a bounded ring buffer in shared memory",
      .defaults = spsc ? Params{{"actors", 2}, {"producers", 1}, {"messages", 4}, {"size", 8}, {"capacity", 2}}
                  : k == RingKind::racy
                      ? Params{{"actors", 3}, {"producers", 2}, {"messages", 2}, {"size", 8}, {"capacity", 4}}
                      : Params{{"actors", 4}, {"producers", 2}, {"messages", 2}, {"size", 8}, {"capacity", 2}},
      .make = [k] { return std::make_unique<RingScenario>(k); },
      .budget_runs = k == RingKind::racy ? 100 : 300,
      .source = __FILE__,
      .ranges = spsc ? std::map<std::string, std::pair<int64_t, int64_t>>{}
                     : std::map<std::string, std::pair<int64_t, int64_t>>{{"actors", {3, 4}}},  // 2 producers
  };
}

}  // namespace

static const bool registered = [] {
  register_target(make("mqueue.ring.racy", Variant::racy, RingKind::racy));
  register_target(make("mqueue.ring.mutex_sem", Variant::synchronised, RingKind::mutex_sem));
  register_target(make("mqueue.ring.spsc", Variant::synchronised, RingKind::spsc));
  return true;
}();

}  // namespace ipcrace::mqueue
