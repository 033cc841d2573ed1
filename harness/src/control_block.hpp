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
  // Exec mode (harness/runtime/): the actor's process and thread, its
  // parent process, how it ended.
  std::atomic<int32_t> pid{0};   // process (tgid) of this actor
  std::atomic<int32_t> tid{0};
  std::atomic<int32_t> ppid{0};  // the process that forked it (0: actor 0)
  std::atomic<uint32_t> thread{0};     // 1: a pthread_create thread
  std::atomic<uint32_t> exit_how{0};   // ExecExit
  std::atomic<int32_t> exit_status{-1};  // wait status, once known
  std::atomic<int32_t> killed_by{0};     // signal an actor sent it (kill, raise)
  std::atomic<uint32_t> sigs{0};         // signals sent to it: a blocked actor becomes enabled
  std::atomic<int64_t> deadline{0};      // virtual time a blocked timed op gives up (0: none)
  std::atomic<int64_t> alarm{0};         // alarm()/setitimer of this actor's process (0: none)
  std::atomic<int64_t> alarm_every{0};   // setitimer's interval
  // The first bytes the op moved (Actor::outcome with bytes): nbytes of them
  // in bytes[], packed little-endian into words (relaxed atomics, like every field).
  std::atomic<uint32_t> nbytes{0};
  std::atomic<uint64_t> bytes[kStepExcerpt / 8];
};

// How an exec-mode actor ended (Slot::exit_how).
enum ExecExit : uint32_t { kExitNone = 0, kExitThread = 1, kExitProcess = 2 };

// Names an exec-mode program created (shm_open, mq_open, sem_open, bind),
// removed by the controller after each run.
struct ExecNames {
  static constexpr uint32_t kMax = 64;
  static constexpr uint32_t kLen = 108;
  std::atomic<uint32_t> count{0};
  struct Entry {
    std::atomic<uint32_t> kind{0};  // cleanup::Kind (0: being written)
    char name[kLen];
  } e[kMax];
};

// Exec mode: the fork server and the runtime's per-run state.
struct ExecShared {
  std::atomic<uint64_t> layout{0};   // sizeof(ControlBlock): a runtime of another build refuses to run
  std::atomic<uint32_t> cmd{0};      // futex word: the fork server starts a run per increment
  std::atomic<uint32_t> ack{0};      // the last command the server served
  std::atomic<uint32_t> quit{0};
  std::atomic<uint32_t> free_run{0};
  std::atomic<uint32_t> nactors{0};  // actors registered in this run
  std::atomic<int32_t> pid0{0};      // actor 0 of this run
  std::atomic<int32_t> server_pid{0};
  std::atomic<uint64_t> seed{0};
  std::atomic<uint64_t> base{0};     // load address of the program (labels are offsets from it)
  std::atomic<int64_t> clock_ns{0};  // virtual time (CLOCK_MONOTONIC; REALTIME adds a fixed epoch)
  std::atomic<uint32_t> live_sig{0}; // a signal-wait was granted (virtual time)
  std::atomic<uint32_t> futex_wakes{0};  // FUTEX_WAKEs of the program (rt_futex.cpp): a waiter's wake-up
  ExecNames names;
  // The kernel objects (pipes, FIFOs, queues, shm files, System V segments)
  // the run's processes have used, in order of first use: their index, not
  // their inode, names their resources and shared locations, so the same
  // schedule gives the same trace in every run (inode numbers change).
  struct Objects {
    static constexpr uint32_t kMax = 256;
    std::atomic<uint32_t> count{0};
    std::atomic<uint64_t> id[kMax];
  } objects;
  // FIFOs opened by the run's actors (object ids as in `objects`): who has
  // opened each for reading and for writing, so a blocking open waits, as
  // tries, for the other end (rt_io.cpp, open).
  struct Fifos {
    static constexpr uint32_t kMax = 32;
    std::atomic<uint32_t> count{0};
    std::atomic<uint64_t> id[kMax];
    std::atomic<uint32_t> readers[kMax], writers[kMax];
  } fifos;
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
  std::atomic<uint32_t> fail_step{0};  // steps granted when the first failure was recorded
  static constexpr size_t kFailMax = 480;
  std::atomic<char> fail_msg[kFailMax];
  Slot slots[kMaxActors];
  std::atomic<uint32_t> steps{0};  // steps granted so far in this run
  HistoryLog history;
  ExecShared exec;
  int fd = -1;  // the memfd this block lives in (exec mode passes it to the program)

  void reset();
  void wake_controller();
  void record_failure(const char* msg, size_t len);  // first wins
  std::string failure() const;
};

ControlBlock* map_control_block();
void unmap_control_block(ControlBlock* cb);

}  // namespace ipcrace
