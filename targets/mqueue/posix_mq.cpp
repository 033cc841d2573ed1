// mqueue.posix.*: producers send variable-length messages through one POSIX
// message queue, consumers receive them. Oracle: conservation, per-sender FIFO
// (one priority, so the queue is FIFO) and payload integrity.
#include "mqueue/posix_mq.hpp"

namespace ipcrace::mqueue {
namespace {

class PosixScenario final : public QueueScenario {
 public:
  explicit PosixScenario(bool racy) : QueueScenario(/*fifo=*/true), racy_(racy) {}

 protected:
  void open(RunContext& ctx) override { q_.open(ctx, workload().capacity); }
  void close(RunContext&) override { q_.close(); }
  void produce(Actor& a, const Msg& m) override { q_.send(a, m); }
  void consume(Actor& a, int quota) override {
    Msg m;
    ssize_t n = -1;
    for (int k = 0; k < quota; ++k) {
      n = racy_ ? q_.check_then_receive(a, m, n) : q_.receive(a, m);
      ledger().record(a, m, n);
    }
  }

 private:
  bool racy_;
  PosixQueue q_;
};

TargetInfo make(const char* name, Variant v, bool racy) {
  return TargetInfo{
      .name = name,
      .family = "mqueue",
      .variant = v,
      .bug_class = "check-then-act (mq_getattr then mq_receive): phantom, duplicate and lost messages",
      .sync = racy ? "" : "POSIX message queue with blocking receive and per-consumer quotas",
      .summary = "producers and consumers share a POSIX mq_* queue (O_NONBLOCK)",
      .defaults = {{"actors", 4}, {"producers", 2}, {"messages", 2}, {"size", 8}, {"capacity", 2}},
      .make = [racy] { return std::make_unique<PosixScenario>(racy); },
      .budget_runs = 300,
      .source = __FILE__,
      // The racy consumers race each other: it keeps its 2 producers and 2 consumers.
      .ranges = racy ? std::map<std::string, std::pair<int64_t, int64_t>>{{"messages", {2, 3}}}
                     : std::map<std::string, std::pair<int64_t, int64_t>>{{"actors", {3, 4}}},
      .data_race = false,  // the bug is in message passing / wake-ups, not a data race
  };
}

}  // namespace

static const bool registered = [] {
  register_target(make("mqueue.posix.racy", Variant::racy, true));
  register_target(make("mqueue.posix.blocking", Variant::synchronised, false));
  return true;
}();

}  // namespace ipcrace::mqueue
