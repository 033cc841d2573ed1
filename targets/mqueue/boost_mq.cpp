// mqueue.boost.*: producers send variable-length messages through a
// Boost.Interprocess message_queue, consumers receive them. Oracle:
// conservation, per-sender FIFO (one priority) and payload integrity; a lost
// message shows as a deadlock (a consumer waits for its quota forever).
#include "mqueue/boost_mq.hpp"

namespace ipcrace::mqueue {
namespace {

class BoostScenario final : public QueueScenario {
 public:
  explicit BoostScenario(bool racy) : QueueScenario(/*fifo=*/true), racy_(racy) {}

 protected:
  void open(RunContext& ctx) override { q_.open(ctx, workload().capacity); }
  void close(RunContext&) override { q_.close(); }
  void produce(Actor& a, const Msg& m) override {
    if (racy_) q_.check_then_send(a, m);
    else q_.send(a, m);
  }
  void consume(Actor& a, int quota) override {
    for (int k = 0; k < quota; ++k) {
      Msg m;
      size_t n = q_.receive(a, m);
      ledger().record(a, m, ssize_t(n));
    }
  }

 private:
  bool racy_;
  BoostQueue q_;
};

TargetInfo make(const char* name, Variant v, bool racy) {
  return TargetInfo{
      .name = name,
      .family = "mqueue",
      .variant = v,
      .bug_class = "check-then-act (get_num_msg then try_send): lost message",
      .sync = racy ? "" : "Boost.Interprocess message_queue with blocking send/receive and quotas",
      .summary = "producers and consumers share a boost::interprocess::message_queue",
      // racy: three producers race for the one free slot of a one-message queue
      .defaults = racy ? Params{{"actors", 4}, {"producers", 3}, {"messages", 1}, {"size", 8}, {"capacity", 1}}
                       : Params{{"actors", 4}, {"producers", 2}, {"messages", 2}, {"size", 8}, {"capacity", 1}},
      .make = [racy] { return std::make_unique<BoostScenario>(racy); },
      .budget_runs = 400,
      .source = __FILE__,
      .data_race = false,  // the bug is in message passing / wake-ups, not a data race
  };
}

}  // namespace

static const bool registered = [] {
  register_target(make("mqueue.boost.racy", Variant::racy, true));
  register_target(make("mqueue.boost.blocking", Variant::synchronised, false));
  return true;
}();

}  // namespace ipcrace::mqueue
