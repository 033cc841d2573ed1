// Ops: what an actor is about to do at a scheduling point.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ipcrace {

// Every kind an actor can announce at a point. Names (op_kind_name) are the
// words used in schedule files, traces and reports; append only.
enum class OpKind : uint8_t {
  send, recv, read, write, connect, accept, close,
  lock, unlock, rdlock, rdunlock,
  shm_load, shm_store, shm_rmw,
  sem_wait, sem_post, cv_wait, cv_notify,
  call, reply, yield,
  // exec mode (harness/runtime/): process and thread life, signals, time
  fork, wait, exit, spawn, join, kill, start, sleep, poll,
  count_  // not a kind
};

const char* op_kind_name(OpKind k);
std::optional<OpKind> op_kind_from_name(std::string_view name);
// Read-only kinds commute with each other on the same resource.
bool op_kind_read_only(OpKind k);

// How a shared access is ordered (C++ memory orders; `plain` is a
// non-atomic access). A point that does not say is plain; an shm_rmw is an
// atomic read-modify-write whatever it says (plain there reads as seq_cst).
// Exec mode passes the order the instrumented code used.
enum class MemOrder : uint8_t { plain, relaxed, acquire, release, acq_rel, seq_cst };
const char* mem_order_name(MemOrder m);
std::optional<MemOrder> mem_order_from_name(std::string_view name);

// A resource is any object ops can conflict on: a shm cell, a queue, a pipe, a lock.
struct Resource {
  uint16_t id = 0;
};

// What the controller sees at a point. The label must have static storage
// duration (a string literal): it is passed by address across fork.
struct Op {
  OpKind kind = OpKind::yield;
  uint16_t resource = 0;
  const char* label = "";
  // Details of a shared access (or of a message op), when the point knows
  // them: the address (exec mode: the real address; API targets: the
  // address of the Cell or atomic in the run's shared mapping; 0: unknown),
  // the size in bytes (0 or addr 0: the whole resource) and the memory
  // order. The race detector keys its shadow state on (resource, addr,
  // size); an access without an address overlaps everything on its resource.
  MemOrder order = MemOrder::plain;
  uint32_t size = 0;
  uint64_t addr = 0;
  // The ways this op can fail (a FaultMask, ipcrace/fault_kind.hpp): the
  // faults a strategy may choose here. The controller adds `kill` for an
  // actor whose death the target expects (TargetInfo::may_die).
  uint32_t faults = 0;
};

// Optional details a point may carry (Actor::point's last argument).
struct OpDetail {
  MemOrder order = MemOrder::plain;
  uint32_t size = 0;
  uint64_t addr = 0;
  uint32_t faults = 0;  // FaultMask: how the op can fail (ipcrace/io.hpp sets it)
};

// Two ops conflict when their order can matter: same resource, not both reads.
inline bool ops_dependent(const Op& a, const Op& b) {
  return a.resource == b.resource && !(op_kind_read_only(a.kind) && op_kind_read_only(b.kind));
}

}  // namespace ipcrace
