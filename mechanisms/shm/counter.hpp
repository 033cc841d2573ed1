// A counter in POSIX shared memory incremented by several processes.
//   racy       load, add, store as separate ops: lost update
//   mutex      the same under a Boost.Interprocess interprocess_mutex
//   semaphore  the same under a POSIX semaphore used as a binary lock
//   atomic     one std::atomic fetch_add (a single indivisible op)
#pragma once
#include <semaphore.h>

#include <atomic>

#include "ipcrace/actor.hpp"
#include "ipcrace/target.hpp"
#include "sync/scheduled.hpp"

namespace ipcrace::shm {

enum class CounterSync { none, mutex, semaphore, atomic };

struct CounterState {
  long value = 0;
  std::atomic<long> atomic_value{0};
  sync::bip::interprocess_mutex mutex;
  sem_t sem;
};

class Counter {
 public:
  Counter() = default;
  Counter(RunContext& ctx, CounterSync sync) : sync_(sync) {
    st_ = ctx.shm_new<CounterState>("counter");
    sem_init(&st_->sem, /*pshared=*/1, 1);
    Resource r = ctx.resource("counter");
    cell_ = Cell<long>(&st_->value, r);
    mutex_ = sync::Mutex(&st_->mutex, ctx.resource("counter.lock"));
    sem_ = sync::Semaphore(&st_->sem, ctx.resource("counter.lock"));
  }
  void destroy() {
    if (st_) sem_destroy(&st_->sem);
    st_ = nullptr;
  }

  // Returns the value it read (fetch-and-add semantics).
  long increment() {
    long old = 0;
    switch (sync_) {
      case CounterSync::none:
        old = cell_.load("counter.load");
        cell_.store(old + 1, "counter.store");
        break;
      case CounterSync::mutex:
        mutex_.lock();
        old = cell_.load("counter.load");
        cell_.store(old + 1, "counter.store");
        mutex_.unlock();
        break;
      case CounterSync::semaphore:
        sem_.lock();
        old = cell_.load("counter.load");
        cell_.store(old + 1, "counter.store");
        sem_.unlock();
        break;
      case CounterSync::atomic:
        this_actor().point(OpKind::shm_rmw, cell_.resource(), "counter.fetch_add", at(st_->atomic_value, MemOrder::relaxed));
        old = st_->atomic_value.fetch_add(1, std::memory_order_relaxed);
        break;
    }
    return old;
  }

  long value() const { return sync_ == CounterSync::atomic ? st_->atomic_value.load() : st_->value; }

 private:
  CounterSync sync_ = CounterSync::none;
  CounterState* st_ = nullptr;
  Cell<long> cell_;
  sync::Mutex mutex_;
  sync::Semaphore sem_;
};

}  // namespace ipcrace::shm
