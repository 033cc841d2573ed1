// Parallel state machines (state_machine.hpp): the prefix runs on the first
// client while the other clients wait at a gate, then every client runs its
// suffix; each command is recorded as an invocation and its completion.
#include "ipcrace/state_machine.hpp"

#include <atomic>
#include <optional>
#include <stdexcept>

#include "ipcrace/actor.hpp"
#include "ipcrace/engine.hpp"

namespace ipcrace {

std::string SmCommand::str() const {
  std::string s = op;
  if (!key.empty()) s += " " + key;
  if (!arg.nil) s += " " + arg.str();
  return s;
}

std::string SmProgram::str() const {
  auto line = [](const std::vector<SmCommand>& cs) {
    std::string s;
    for (const auto& c : cs) s += (s.empty() ? "" : ", ") + c.str();
    return s.empty() ? std::string("-") : s;
  };
  std::string s = "prefix: " + line(prefix);
  for (size_t i = 0; i < suffixes.size(); ++i) s += "\nclient " + std::to_string(i) + ": " + line(suffixes[i]);
  return s;
}

namespace {

class SmScenario final : public Scenario {
 public:
  SmScenario(std::unique_ptr<SmSystem> sys, const SmProgram* p) : sys_(std::move(sys)), p_(p) {}
  void setup(RunContext& ctx) override {
    if (ctx.actors() != sys_->servers(*p_) + int(p_->suffixes.size()))
      throw std::invalid_argument("a state machine target runs servers + one actor per suffix");
    gate_ = ctx.shm_new<std::atomic<uint32_t>>("sm.gate", 0u);
    gate_res_ = ctx.resource("sm.gate");
    sys_->setup(ctx, *p_);
  }
  void actor(Actor& a) override {
    const int servers = sys_->servers(*p_);
    if (a.index() < servers) {
      sys_->serve(a, *p_);
      return;
    }
    const int client = a.index() - servers;
    if (!p_->prefix.empty()) {
      if (client == 0) {
        for (const SmCommand& c : p_->prefix) run(a, client, c);
        // A release store the waiting clients acquire: the prefix happens before their suffixes.
        a.point(OpKind::shm_store, gate_res_, "sm.prefix_done", at(*gate_, MemOrder::release));
        gate_->store(1, std::memory_order_release);
      } else {
        a.blocking(OpKind::shm_load, gate_res_, "sm.wait_prefix", at(*gate_, MemOrder::acquire),
                   [this]() -> std::optional<bool> {
                     if (gate_->load(std::memory_order_acquire)) return true;
                     return std::nullopt;
                   });
      }
    }
    for (const SmCommand& c : p_->suffixes[size_t(client)]) run(a, client, c);
  }
  void teardown(RunContext& ctx) override { sys_->teardown(ctx); }

 private:
  void run(Actor& a, int client, const SmCommand& c) {
    a.invoke(c.op, c.arg, c.key);
    Value result;
    const EventType t = sys_->apply(a, client, c, &result);
    a.complete(t, result);
  }
  std::unique_ptr<SmSystem> sys_;
  const SmProgram* p_;
  std::atomic<uint32_t>* gate_ = nullptr;
  Resource gate_res_;
};

}  // namespace

TargetInfo state_machine_target(std::string name, Variant variant, std::string model,
                                std::function<std::unique_ptr<SmSystem>()> make, SmProgram program) {
  auto prog = std::make_shared<const SmProgram>(std::move(program));
  const int servers = make()->servers(*prog);
  const int actors = servers + int(prog->suffixes.size());
  if (actors < 1 || actors > kMaxActors) throw std::invalid_argument("a state machine needs 1.." + std::to_string(kMaxActors) + " actors");
  TargetInfo t;
  t.name = std::move(name);
  t.family = "statemachine";
  t.variant = variant;
  t.bug_class = "non-linearizable history";
  t.summary = prog->str();
  t.defaults = {{"actors", actors}};
  t.make = [make, prog]() -> std::unique_ptr<Scenario> { return std::make_unique<SmScenario>(make(), prog.get()); };
  t.source = __FILE__;
  t.model = std::move(model);
  return t;
}

}  // namespace ipcrace
