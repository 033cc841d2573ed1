// The control block: MAP_SHARED|MAP_ANONYMOUS memory shared by the controller
// and its actors (processes or threads). Every field is an atomic accessed with
// memory_order_relaxed, so ThreadSanitizer neither reports the harness nor
// derives happens-before from it. On x86-64 the futex syscalls on both sides of
// every handoff order the surrounding plain accesses.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

#include "ipcrace/engine.hpp"

namespace ipcrace {

// kBlocked: parked after completing the granted op (its waiters wake);
// kBlockedRetry: parked because the granted op's try would block.
enum SlotState : uint32_t { kIdle = 0, kRunning = 1, kAtPoint = 2, kBlocked = 3, kExited = 4, kBlockedRetry = 5 };

constexpr auto rlx = std::memory_order_relaxed;

struct alignas(64) Slot {
  std::atomic<uint32_t> grant{0};  // futex word the actor sleeps on
  std::atomic<uint32_t> state{kIdle};
  std::atomic<uint32_t> kind{0};
  std::atomic<uint32_t> resource{0};
  std::atomic<const char*> label{nullptr};
  std::atomic<uint32_t> abort{0};  // thread mode: unwind at the next point
  // Op details (ipcrace::OpDetail) of the pending op.
  std::atomic<uint32_t> order{0};
  std::atomic<uint32_t> size{0};
  std::atomic<uint64_t> addr{0};
  std::atomic<uint32_t> faults{0};  // FaultMask: how the pending op can fail
  // The fault granted with the op (FaultKind), written by the controller
  // before the grant; the actor reads it when it wakes (Actor::fault()).
  std::atomic<uint32_t> fault{0};
  // Outcome of the last granted op (Actor::outcome), read by the controller
  // when the actor reaches its next point, blocks or exits.
  std::atomic<uint32_t> has_outcome{0};
  std::atomic<int64_t> result{0};
  std::atomic<uint64_t> value{0};
};

// One history event as recorded by an actor (Actor::invoke / complete). The
// writer reserves a record with a fetch_add on HistoryLog::count; the
// controller reads the records after every actor has exited.
struct HistoryRecord {
  int64_t step;
  int64_t vals[6];
  uint16_t process;
  uint8_t type;  // EventType
  uint8_t nil;
  uint8_t nvals;
  char op[15];
  char key[16];
};

struct HistoryLog {
  static constexpr uint32_t kMax = 4096;
  std::atomic<uint32_t> count{0};  // records reserved (may exceed kMax: overflow)
  HistoryRecord recs[kMax];
};

struct ControlBlock {
  std::atomic<uint32_t> ctl{0};  // futex word the controller sleeps on
  std::atomic<uint32_t> go{0};   // free-run start barrier
  std::atomic<uint32_t> failed{0};
  std::atomic<uint32_t> fail_len{0};
  static constexpr size_t kFailMax = 480;
  std::atomic<char> fail_msg[kFailMax];
  Slot slots[kMaxActors];
  std::atomic<uint32_t> steps{0};  // steps granted so far in this run
  HistoryLog history;

  void reset();
  void wake_controller();
  void record_failure(const char* msg, size_t len);  // first wins
  std::string failure() const;
};

ControlBlock* map_control_block();
void unmap_control_block(ControlBlock* cb);

}  // namespace ipcrace
