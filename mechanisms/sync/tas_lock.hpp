// A spin lock on a flag word in shared memory, guarding a critical section.
//   racy      test-then-set: load the flag; if 0, store 1 - two separate
//             ops, so two actors can both see 0 and both enter: mutual
//             exclusion violated
//   exchange  test-and-set as one op: atomic exchange(1) returns the old
//             value; 0 means this actor took the lock
//   mutex     a Boost.Interprocess interprocess_mutex (sync::Mutex)
// Waiting for the flag is a blocking op (the actor is parked until another
// actor touches the flag), never a busy spin.
#pragma once
#include <atomic>
#include <optional>

#include "ipcrace/actor.hpp"
#include "ipcrace/target.hpp"
#include "sync/scheduled.hpp"

namespace ipcrace::sync {

enum class TasKind { test_then_set, exchange, mutex };

struct TasState {
  int flag = 0;                  // test_then_set: plain word
  std::atomic<int> aflag{0};     // exchange
  bip::interprocess_mutex mutex;  // mutex
};

class TasLock {
 public:
  TasLock() = default;
  TasLock(RunContext& ctx, TasKind kind) : kind_(kind) {
    st_ = ctx.shm_new<TasState>("taslock");
    r_ = ctx.resource("taslock.flag");
    mutex_ = Mutex(&st_->mutex, ctx.resource("taslock.mutex"));
  }

  void lock() {
    if (locks_removed()) return;  // the gate's self-test (IPCRACE_INJECT=no-lock)
    Actor& a = this_actor();
    switch (kind_) {
      case TasKind::test_then_set:
        // Test: wait until the flag reads 0 ...
        a.blocking(OpKind::shm_load, r_, "tts.test", at(st_->flag, MemOrder::plain), [this]() -> std::optional<bool> {
          if (st_->flag == 0) return true;
          return std::nullopt;
        });
        // ... then set it, as a second op: another actor may have set it since.
        a.point(OpKind::shm_store, r_, "tts.set", at(st_->flag, MemOrder::plain));
        st_->flag = 1;
        break;
      case TasKind::exchange:
        a.blocking(OpKind::shm_rmw, r_, "tas.exchange", at(st_->aflag, MemOrder::acquire), [this]() -> std::optional<bool> {
          if (st_->aflag.exchange(1, std::memory_order_acquire) == 0) return true;
          return std::nullopt;
        });
        break;
      case TasKind::mutex: mutex_.lock(); break;
    }
  }

  void unlock() {
    if (locks_removed()) return;
    Actor& a = this_actor();
    switch (kind_) {
      case TasKind::test_then_set:
        a.point(OpKind::shm_store, r_, "tts.clear", at(st_->flag, MemOrder::plain));
        st_->flag = 0;
        break;
      case TasKind::exchange:
        a.point(OpKind::shm_store, r_, "tas.clear", at(st_->aflag, MemOrder::release));
        st_->aflag.store(0, std::memory_order_release);
        break;
      case TasKind::mutex: mutex_.unlock(); break;
    }
  }

 private:
  TasKind kind_ = TasKind::exchange;
  TasState* st_ = nullptr;
  Resource r_;
  Mutex mutex_;
};

}  // namespace ipcrace::sync
