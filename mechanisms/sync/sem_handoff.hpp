// Handing items from a producer to a consumer with a POSIX semaphore.
//   missed_post  an "optimised" wakeup: the consumer raises an idle flag
//                before it sleeps on the semaphore, and the producer posts
//                only if it sees the flag. The consumer's "queue is empty"
//                check and its flag are separate ops: an item pushed in
//                between finds the flag down, its post is skipped, and the
//                consumer sleeps forever (deadlock)
//   post_always  the semaphore counts the items: the producer posts once
//                per item on every path, the consumer waits once per item
#pragma once
#include <semaphore.h>

#include <atomic>
#include <cerrno>
#include <system_error>

#include "ipcrace/actor.hpp"
#include "ipcrace/target.hpp"
#include "sync/scheduled.hpp"

namespace ipcrace::sync {

struct HandoffState {
  std::atomic<long> queued{0};  // items pushed and not yet taken
  int idle = 0;                 // missed_post: the consumer is (about to be) asleep
  sem_t sem;
};

class SemHandoff {
 public:
  SemHandoff() = default;
  SemHandoff(RunContext& ctx, bool post_always) : always_(post_always) {
    st_ = ctx.shm_new<HandoffState>("handoff");
    if (sem_init(&st_->sem, /*pshared=*/1, 0) != 0) {
      st_ = nullptr;
      throw std::system_error(errno, std::generic_category(), "sem_init");
    }
    queue_ = ctx.resource("handoff.queue");
    idle_ = Cell<int>(&st_->idle, ctx.resource("handoff.idle"));
    sem_ = Semaphore(&st_->sem, ctx.resource("handoff.sem"));
  }
  void destroy() {
    if (st_) sem_destroy(&st_->sem);
    st_ = nullptr;
  }

  void put() {
    this_actor().point(OpKind::shm_rmw, queue_, "queue.push", at(st_->queued, MemOrder::release));
    st_->queued.fetch_add(1, std::memory_order_release);
    if (always_) {
      sem_.post();
    } else if (idle_.load("idle.check")) {  // post only if the consumer looked idle
      idle_.store(0, "idle.clear");
      sem_.post();
    }
  }

  // Takes one item; returns the number of items left (negative: took from empty).
  long take() {
    if (always_) {
      sem_.wait();
    } else {
      while (peek() == 0) {  // looked empty ...
        idle_.store(1, "idle.set");  // ... so announce the sleep, and sleep
        sem_.wait();
      }
    }
    this_actor().point(OpKind::shm_rmw, queue_, "queue.take", at(st_->queued, MemOrder::acquire));
    return st_->queued.fetch_sub(1, std::memory_order_acquire) - 1;
  }

  long queued() const { return st_->queued.load(); }  // controller side

 private:
  long peek() {
    this_actor().point(OpKind::shm_load, queue_, "queue.peek", at(st_->queued, MemOrder::acquire));
    return st_->queued.load(std::memory_order_acquire);
  }

  bool always_ = true;
  HandoffState* st_ = nullptr;
  Resource queue_;
  Cell<int> idle_;
  Semaphore sem_;
};

}  // namespace ipcrace::sync
