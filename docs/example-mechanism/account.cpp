// example.account.*: every actor withdraws `amount` from an account holding
// `balance`; the oracle checks the balance never goes negative and every
// withdrawal is accounted for.
#include "account.hpp"

namespace example {
namespace {

using namespace ipcrace;

class AccountScenario final : public Scenario {
 public:
  explicit AccountScenario(bool locked) : locked_(locked) {}
  void setup(RunContext& ctx) override { account_ = Account(ctx, long(ctx.params().get("balance")), locked_); }
  void actor(Actor& a) override { account_.withdraw(long(a.params().get("amount"))); }
  void check(RunContext& ctx) override {
    const long start = long(ctx.params().get("balance"));
    if (account_.balance() < 0 || account_.balance() + account_.withdrawn() != start)
      ctx.fail("overdraft: balance is " + std::to_string(account_.balance()) + " after withdrawing " +
               std::to_string(account_.withdrawn()) + " from " + std::to_string(start));
  }
  void teardown(RunContext&) override { account_.destroy(); }

 private:
  bool locked_;
  Account account_;
};

TargetInfo account_target(const char* name, Variant v, bool locked) {
  return TargetInfo{
      .name = name,
      .family = "example",
      .variant = v,
      .bug_class = "check-then-act (overdraft)",
      .sync = locked ? "process-shared pthread mutex" : "",
      .summary = "processes withdraw from one account in shared memory",
      .defaults = {{"actors", 2}, {"balance", 100}, {"amount", 60}},
      .make = [locked] { return std::make_unique<AccountScenario>(locked); },
      .budget_runs = 200,
      .source = __FILE__,
  };
}

[[maybe_unused]] const bool registered = [] {
  register_target(account_target("example.account.racy", Variant::racy, false));
  register_target(account_target("example.account.locked", Variant::synchronised, true));
  return true;
}();

}  // namespace
}  // namespace example
