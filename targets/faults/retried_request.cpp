// faults.retried_request.*: an RPC client (actor 0) retries a request after a
// timed-out wait for its reply; the server (actor 1) applies requests
// (mechanisms/faults/retried_request.hpp). Without a `timeout` fault no
// request is retried and every interleaving of either variant is fine.
#include "faults/retried_request.hpp"

namespace ipcrace::faults {
namespace {

class RetriedRequestScenario final : public Scenario {
 public:
  explicit RetriedRequestScenario(bool dedup) : dedup_(dedup) {}
  void setup(RunContext& ctx) override { rpc_.setup(ctx); }
  void actor(Actor& a) override {
    if (a.index() == RetriedRequest::kServer) return rpc_.server(dedup_);
    if (a.index() == RetriedRequest::kClient)
      if (std::string bad = rpc_.client(a, int(a.params().get("requests"))); !bad.empty()) a.fail(bad);
  }
  void check(RunContext& ctx) override { rpc_.check(ctx, int(ctx.params().get("requests"))); }
  void teardown(RunContext&) override { rpc_.teardown(); }

 private:
  bool dedup_;
  RetriedRequest rpc_;
};

TargetInfo make(const char* name, Variant v, bool dedup, const char* sync) {
  return TargetInfo{
      .name = name,
      .family = "faults",
      .variant = v,
      .bug_class = "request retried after a timeout applied twice (non-idempotent retry)",
      .sync = sync,
      .summary = "an RPC client retries a request after a timeout; the server applies it",
      .defaults = {{"actors", 2}, {"requests", 2}},
      .make = [dedup] { return std::make_unique<RetriedRequestScenario>(dedup); },
      .budget_runs = 100,
      .source = __FILE__,
      .ranges = {{"requests", {1, 4}}},
      .faults = "timeout",
      .data_race = false,  // a protocol bug of message passing, not a data race
  };
}

}  // namespace

static const bool registered = [] {
  register_target(make("faults.retried_request.racy", Variant::racy, false, ""));
  register_target(make("faults.retried_request.dedup", Variant::synchronised, true,
                       "request ids: the server applies an id once and answers a repeat from its cached reply"));
  return true;
}();

}  // namespace ipcrace::faults
