// Parallel state machines: a sequential prefix of commands, then one
// concurrent suffix of commands per client actor, run against a real
// mechanism under the scheduler. Every command is recorded in the run's
// history (Actor::invoke/complete), which the engine checks against the
// target's model (linearizability). rapidcheck generates the programs
// (tests/mechanisms/state_machines_test.cpp, with rc::state commands).
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ipcrace/history.hpp"
#include "ipcrace/target.hpp"

namespace ipcrace {

// One command: an op of the model (history-format.md) with its argument.
struct SmCommand {
  std::string op;   // enqueue, dequeue, read, write, get, put, cas, ...
  std::string key;  // kv model: the key ("" otherwise)
  Value arg;
  std::string str() const;  // "put k1 3"
};

struct SmProgram {
  std::vector<SmCommand> prefix;                 // run first, by the first client, alone
  std::vector<std::vector<SmCommand>> suffixes;  // one per client, run concurrently
  std::string str() const;                       // one line per actor
};

// The system under test, built once per engine (inherited by forked actors).
class SmSystem {
 public:
  virtual ~SmSystem() = default;
  // Actors of the system itself (servers), numbered before the clients.
  virtual int servers(const SmProgram&) const { return 0; }
  virtual void setup(RunContext& ctx, const SmProgram& p) = 0;
  // Server actor `index` (< servers()): serve the program's commands.
  virtual void serve(Actor&, const SmProgram&) {}
  // Client: run one command through the mechanism; returns the outcome (ok,
  // or fail when it certainly did not take effect) and sets *result.
  virtual EventType apply(Actor& a, int client, const SmCommand& c, Value* result) = 0;
  virtual void teardown(RunContext&) {}
};

// A target running `program` against systems made by `make`, checked with
// `model`. Params: actors = servers + clients; nothing else.
TargetInfo state_machine_target(std::string name, Variant variant, std::string model,
                                std::function<std::unique_ptr<SmSystem>()> make, SmProgram program);

}  // namespace ipcrace
