// The actor-side harness API: every IPC, shared-memory or synchronisation
// operation an actor performs first reaches a point through this class.
#pragma once
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <type_traits>
#include <optional>
#include <string_view>
#include <utility>

#include "ipcrace/fault_kind.hpp"
#include "ipcrace/history.hpp"
#include "ipcrace/op.hpp"
#include "ipcrace/params.hpp"
#include "ipcrace/rng.hpp"

namespace ipcrace {

struct ControlBlock;

// Thrown out of a point in thread mode when the controller ends the run early
// (deadlock, pruned or diverged run); the actor thread unwinds and exits.
struct RunAborted {};

class Actor {
 public:
  Actor(ControlBlock* cb, int index, int count, const Params* params, uint64_t run_seed, bool free_run);

  int index() const { return index_; }
  int count() const { return count_; }
  const Params& params() const { return *params_; }
  // Deterministic per (run, actor): payloads, sizes, choices of the workload.
  Rng& rng() { return rng_; }
  bool free_running() const { return free_; }

  // Announce `kind` on `r` and wait until the scheduler grants it. `d`
  // tells what the op touches (memory order, size, address), for detectors.
  void point(OpKind kind, Resource r, const char* label, const OpDetail& d = {});

  // What the op granted last did: bytes moved or a return value (`result`)
  // and the value read or written (`value`, raw bits). Optional; it becomes
  // part of that step in the run's trace (Step::result, Step::value). Not a
  // point: it never changes the schedule.
  void outcome(int64_t result, uint64_t value = 0);
  // The same with the payload the op moved: `result` (bytes moved or the
  // return value) and the first kStepExcerpt bytes of [p, p+n) (Step::bytes).
  void outcome(int64_t result, const void* p, size_t n);

  // A blocking op run as non-blocking tries. `try_once` returns an engaged
  // optional on success, std::nullopt when it would block; then this actor is
  // blocked on `r` until another actor completes an op on `r` (or exits).
  // `d`: what each try touches (a wait that loads an atomic: its address and order).
  template <class F>
  auto blocking(OpKind kind, Resource r, const char* label, F&& try_once) {
    return blocking(kind, r, label, OpDetail{}, std::forward<F>(try_once));
  }
  // The same with op details; d.faults says how the op can fail, and
  // try_once reads fault() to fail that way (ipcrace/io.hpp does).
  template <class F>
  auto blocking(OpKind kind, Resource r, const char* label, const OpDetail& d, F&& try_once) {
    point(kind, r, label, d);
    for (;;) {
      auto res = try_once();
      if (res) return *std::move(res);
      retry_later(kind, r, label, d);
    }
  }

  // A timed wait: like blocking(), but it times out (returns std::nullopt)
  // when granted with a `timeout` fault, which the controller also forces
  // when every live actor is blocked (time passes when nothing else can).
  template <class F>
  auto timed(OpKind kind, Resource r, const char* label, F&& try_once) -> decltype(try_once()) {
    return timed(kind, r, label, OpDetail{}, std::forward<F>(try_once));
  }
  // The same with op details (a wait that loads an atomic: its address and order).
  template <class F>
  auto timed(OpKind kind, Resource r, const char* label, OpDetail d, F&& try_once) -> decltype(try_once()) {
    d.faults |= fault_bit(FaultKind::timeout);
    point(kind, r, label, d);
    for (;;) {
      if (fault_ == FaultKind::timeout) return std::nullopt;
      auto res = try_once();
      if (res) return res;
      retry_later(kind, r, label, d);
    }
  }

  // The fault granted with the op of the last point (FaultKind::none: the
  // op must do what it normally does). See ipcrace/fault_kind.hpp.
  FaultKind fault() const { return fault_; }

  // Whether actor `peer` of this run has not ended (exited, died or been
  // killed). An ended process is reaped at once, so kill(pid, 0) fails too.
  bool alive(int peer) const;

  // Low level: park as blocked on r, to run op `kind` when woken. The op
  // granted before (if any) counts as completed: its waiters are woken.
  // Prefer blocking(): a wait that reads its condition over several points
  // and then calls block() can miss a store made in between.
  void block(OpKind kind, Resource r, const char* label);

  // Report an assertion finding from inside the actor (first failure wins).
  void fail(std::string_view message);

  // History (docs/history-format.md): record the invocation of a logical
  // operation of this actor, and then its completion, each stamped with the
  // scheduler step. The harness checks the history against the target's
  // model (TargetInfo::model) and `ipcrace replay --history` writes it.
  // Recording is not a point: it never changes the schedule. An empty list is
  // nil; at most 6 integers per value, op and key at most 14 and 15 chars.
  void invoke(std::string_view op, std::initializer_list<int64_t> arg = {}, std::string_view key = {});
  void invoke(std::string_view op, const Value& arg, std::string_view key = {});
  void complete(EventType type, std::initializer_list<int64_t> result = {});
  void complete(EventType type, const Value& result);

 private:
  // The try of the op just granted would block: park without counting it as done.
  void retry_later(OpKind kind, Resource r, const char* label, const OpDetail& d = {});
  void publish(OpKind kind, Resource r, const char* label, uint32_t state, const OpDetail& d = {});
  ControlBlock* cb_;
  int index_;
  int count_;
  const Params* params_;
  Rng rng_;
  bool free_;
  FaultKind fault_ = FaultKind::none;
};

// The actor running on this thread (or process). Valid only in an actor body.
Actor& this_actor();

// The detail of a point that accesses `obj` (an atomic or a raw word in the
// run's shared mapping) with order `o`: every point that touches shared
// memory says truthfully whether it is atomic and how it is ordered, e.g.
//   a.point(OpKind::shm_rmw, r, "tas.exchange", at(st->flag, MemOrder::acquire));
template <class T>
OpDetail at(const T& obj, MemOrder o) {
  return OpDetail{o, uint32_t(sizeof(T)), uint64_t(reinterpret_cast<uintptr_t>(&obj))};
}

// A value in shared memory whose loads and stores are points. Accesses are
// plain (not atomic) on purpose: in thread mode ThreadSanitizer sees the races,
// and the race detector judges them as non-atomic accesses of [addr, addr+size).
template <class T>
class Cell {
 public:
  Cell() = default;
  Cell(T* p, Resource r) : p_(p), r_(r) {}
  T load(const char* label = "load") const {
    Actor& a = this_actor();
    a.point(OpKind::shm_load, r_, label, OpDetail{MemOrder::plain, sizeof(T), addr()});
    T v = *p_;
    a.outcome(0, bits(v));
    return v;
  }
  void store(T v, const char* label = "store") {
    Actor& a = this_actor();
    a.point(OpKind::shm_store, r_, label, OpDetail{MemOrder::plain, sizeof(T), addr()});
    *p_ = v;
    a.outcome(0, bits(v));
  }
  T* raw() const { return p_; }  // unscheduled: setup and check only
  Resource resource() const { return r_; }
  // Where it lives: the shared mapping is made in setup, before the actors
  // start, so every actor sees it at this address (the race detector's key).
  uint64_t addr() const { return reinterpret_cast<uintptr_t>(p_); }

 private:
  static uint64_t bits(const T& v) {
    uint64_t b = 0;
    if constexpr (std::is_trivially_copyable_v<T> && sizeof(T) <= sizeof(uint64_t)) std::memcpy(&b, &v, sizeof(T));
    return b;
  }
  T* p_ = nullptr;
  Resource r_;
};

}  // namespace ipcrace
