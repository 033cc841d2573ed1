// Actor side of the handoff: publish the pending op, wake the controller,
// sleep on this actor's own futex word until granted.
#include "ipcrace/actor.hpp"

#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

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
      free_(free_run) {
  cb_->slots[index_].tid.store(int32_t(syscall(SYS_gettid)), rlx);
}

void Actor::publish(OpKind kind, Resource r, const char* label, uint32_t state, const OpDetail& d) {
  Slot& s = cb_->slots[index_];
  const uint32_t granted = s.grant.load(rlx);  // read before publishing: no lost grant
  s.kind.store(static_cast<uint32_t>(kind), rlx);
  s.resource.store(r.id, rlx);
  s.label.store(label, rlx);
  s.order.store(static_cast<uint32_t>(d.order), rlx);
  s.size.store(d.size, rlx);
  s.addr.store(d.addr, rlx);
  s.faults.store(d.faults, rlx);
  s.state.store(state, rlx);
  cb_->wake_controller();
  while (s.grant.load(rlx) == granted) detail::futex_wait(&s.grant, granted, nullptr);
  if (s.abort.load(rlx)) throw RunAborted{};
  fault_ = static_cast<FaultKind>(s.fault.load(rlx));
  // Killed at this point: a process is SIGKILLed by the controller before
  // this; a thread unwinds and ends (Engine: like an exit).
  if (fault_ == FaultKind::kill) throw RunAborted{};
}

bool Actor::alive(int peer) const {
  if (peer < 0 || peer >= count_) return false;
  return cb_->slots[peer].state.load(rlx) != kExited;
}

void Actor::point(OpKind kind, Resource r, const char* label, const OpDetail& d) {
  fault_ = FaultKind::none;
  if (free_) {
    cb_->slots[index_].state.store(kRunning, rlx);
    return;
  }
  publish(kind, r, label, kAtPoint, d);
}

void Actor::outcome(int64_t result, uint64_t value) {
  if (free_) return;
  Slot& s = cb_->slots[index_];
  s.result.store(result, rlx);
  s.value.store(value, rlx);
  s.nbytes.store(0, rlx);
  s.has_outcome.store(1, rlx);
}

void Actor::outcome(int64_t result, const void* p, size_t n) {
  if (free_) return;
  Slot& s = cb_->slots[index_];
  uint64_t words[kStepExcerpt / 8] = {};
  n = std::min(n, kStepExcerpt);
  if (n) std::memcpy(words, p, n);
  for (size_t i = 0; i < kStepExcerpt / 8; ++i) s.bytes[i].store(words[i], rlx);
  s.result.store(result, rlx);
  s.value.store(0, rlx);
  s.nbytes.store(uint32_t(n), rlx);
  s.has_outcome.store(1, rlx);
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

void Actor::retry_later(OpKind kind, Resource r, const char* label, const OpDetail& d) {
  if (free_) {
    block(kind, r, label);
    return;
  }
  publish(kind, r, label, kBlockedRetry, d);
}

namespace {
void put_text(char* dst, size_t cap, std::string_view s, const char* what) {
  if (s.size() >= cap) throw std::length_error(std::string("history ") + what + " too long: " + std::string(s));
  if (!s.empty()) std::memcpy(dst, s.data(), s.size());  // an empty view may hold nullptr
  dst[s.size()] = 0;
}

void record(ControlBlock* cb, int index, EventType type, std::string_view op, const int64_t* vals, size_t n,
            bool nil, std::string_view key) {
  if (n > 6) throw std::length_error("history value has more than 6 integers");
  HistoryLog& log = cb->history;
  const uint32_t i = log.count.fetch_add(1, rlx);
  if (i >= HistoryLog::kMax) return;  // overflow: the controller reports the history as truncated
  HistoryRecord& r = log.recs[i];
  r.step = cb->steps.load(rlx);
  r.process = static_cast<uint16_t>(index);
  r.type = static_cast<uint8_t>(type);
  r.nil = nil;
  r.nvals = static_cast<uint8_t>(n);
  for (size_t k = 0; k < n; ++k) r.vals[k] = vals[k];
  put_text(r.op, sizeof r.op, op, "op name");
  put_text(r.key, sizeof r.key, key, "key");
}
}  // namespace

void Actor::invoke(std::string_view op, std::initializer_list<int64_t> arg, std::string_view key) {
  record(cb_, index_, EventType::invoke, op, arg.begin(), arg.size(), arg.size() == 0, key);
}
void Actor::invoke(std::string_view op, const Value& arg, std::string_view key) {
  record(cb_, index_, EventType::invoke, op, arg.v.data(), arg.v.size(), arg.nil, key);
}
void Actor::complete(EventType type, std::initializer_list<int64_t> result) {
  record(cb_, index_, type, {}, result.begin(), result.size(), result.size() == 0, {});
}
void Actor::complete(EventType type, const Value& result) {
  record(cb_, index_, type, {}, result.v.data(), result.v.size(), result.nil, {});
}

void Actor::fail(std::string_view message) {
  std::string msg = "actor " + std::to_string(index_) + ": " + std::string(message);
  cb_->record_failure(msg.data(), msg.size());
}

}  // namespace ipcrace
