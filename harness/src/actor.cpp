// Actor side of the handoff: publish the pending op, wake the controller,
// sleep on this actor's own futex word until granted.
#include "ipcrace/actor.hpp"

#include <sched.h>

#include <cstdio>
#include <cstdlib>

#include "control_block.hpp"
#include "futex.hpp"

namespace ipcrace {
namespace {
thread_local Actor* tls_actor = nullptr;
}

namespace detail {
void set_current_actor(Actor* a) { tls_actor = a; }
}  // namespace detail

Actor& this_actor() {
  if (!tls_actor) {
    std::fputs("ipcrace: harness API used outside an actor body\n", stderr);
    std::abort();
  }
  return *tls_actor;
}

Actor::Actor(ControlBlock* cb, int index, int count, const Params* params, uint64_t run_seed, bool free_run)
    : cb_(cb), index_(index), count_(count), params_(params), rng_(mix64(run_seed ^ (0x5bd1e995u * (index + 1)))),
      free_(free_run) {}

void Actor::publish(OpKind kind, Resource r, const char* label, uint32_t state) {
  Slot& s = cb_->slots[index_];
  const uint32_t granted = s.grant.load(rlx);  // read before publishing: no lost grant
  s.kind.store(static_cast<uint32_t>(kind), rlx);
  s.resource.store(r.id, rlx);
  s.label.store(label, rlx);
  s.state.store(state, rlx);
  cb_->wake_controller();
  while (s.grant.load(rlx) == granted) detail::futex_wait(&s.grant, granted, nullptr);
  if (s.abort.load(rlx)) throw RunAborted{};
}

void Actor::point(OpKind kind, Resource r, const char* label) {
  if (free_) {
    cb_->slots[index_].state.store(kRunning, rlx);
    return;
  }
  publish(kind, r, label, kAtPoint);
}

void Actor::block(OpKind kind, Resource r, const char* label) {
  if (free_) {
    // Free run: spin politely; the controller sees every alive actor blocked
    // for long enough as a deadlock.
    cb_->slots[index_].state.store(kBlocked, rlx);
    sched_yield();
    return;
  }
  publish(kind, r, label, kBlocked);
}

void Actor::retry_later(OpKind kind, Resource r, const char* label) {
  if (free_) {
    block(kind, r, label);
    return;
  }
  publish(kind, r, label, kBlockedRetry);
}

void Actor::fail(std::string_view message) {
  std::string msg = "actor " + std::to_string(index_) + ": " + std::string(message);
  cb_->record_failure(msg.data(), msg.size());
}

}  // namespace ipcrace
