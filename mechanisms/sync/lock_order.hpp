// Two Boost.Interprocess mutexes taken in nested fashion by every actor.
//   racy          odd actors take B then A, even actors A then B: lock-order
//                 inversion, a deadlock when each holds its first lock
//   synchronised  every actor takes them in one global order (A, then B)
#pragma once
#include "ipcrace/target.hpp"
#include "sync/scheduled.hpp"

namespace ipcrace::sync {

struct TwoLocks {
  bip::interprocess_mutex a;
  bip::interprocess_mutex b;
  long transfers = 0;
};

class LockOrder {
 public:
  LockOrder() = default;
  LockOrder(RunContext& ctx, bool ordered) : ordered_(ordered) {
    st_ = ctx.shm_new<TwoLocks>("locks");
    a_ = Mutex(&st_->a, ctx.resource("lock.A"));
    b_ = Mutex(&st_->b, ctx.resource("lock.B"));
    cell_ = Cell<long>(&st_->transfers, ctx.resource("transfers"));
  }
  // A critical section that needs both locks.
  void transfer(int actor) {
    const bool reverse = !ordered_ && actor % 2 == 1;
    Mutex& first = reverse ? b_ : a_;
    Mutex& second = reverse ? a_ : b_;
    first.lock("lock.first");
    second.lock("lock.second");
    cell_.store(cell_.load("transfers.load") + 1, "transfers.store");
    second.unlock("unlock.second");
    first.unlock("unlock.first");
  }
  long transfers() const { return st_->transfers; }

 private:
  bool ordered_ = true;
  TwoLocks* st_ = nullptr;
  Mutex a_, b_;
  Cell<long> cell_;
};

}  // namespace ipcrace::sync
