// Waiting for a condition with a condition variable (sync::CondVar, a
// generation word in shared memory) and a Boost.Interprocess mutex.
//
// Event: a one-shot "ready" flag; one actor signals, the others await it.
//   lost_wakeup         the waiter checks the flag WITHOUT the mutex, then
//                       locks and waits unconditionally: the signal can land
//                       between check and wait, its notify is lost, and the
//                       waiter sleeps forever (deadlock)
//   predicate_under_lock the flag is checked under the mutex, in a while
//                       loop around wait(); the signaller sets it and
//                       notifies under the mutex
//   unlocked_signal     the signaller sets the flag and notifies WITHOUT the
//                       mutex; the waiter checks it under the mutex with
//                       "if", not "while": set + notify can land between the
//                       waiter's check and its wait (1 preemption), the
//                       notify is lost, the waiter sleeps forever
//
// Queue: a count of items; one producer, several consumers.
//   if_wait             "if (count == 0) wait();" then take: after the
//                       wakeup another consumer may have taken the item, so
//                       this one takes from an empty queue
//   while_wait          "while (count == 0) wait();": the predicate is
//                       re-checked under the mutex after every wakeup
#pragma once
#include "ipcrace/actor.hpp"
#include "ipcrace/target.hpp"
#include "sync/scheduled.hpp"

namespace ipcrace::sync {

struct CondShared {
  long value = 0;  // Event: the ready flag; Queue: the item count
  bip::interprocess_mutex mutex;
  CondState cv;
};

class CondBase {
 public:
  CondBase() = default;
  CondBase(RunContext& ctx, const char* base) {
    st_ = ctx.shm_new<CondShared>(base);
    value_ = Cell<long>(&st_->value, ctx.resource("cond.value"));
    m_ = Mutex(&st_->mutex, ctx.resource("cond.mutex"));
    cv_ = CondVar(&st_->cv, ctx.resource("cond.cv"));
  }
  long value() const { return st_->value; }  // controller side

 protected:
  CondShared* st_ = nullptr;
  Cell<long> value_;
  Mutex m_;
  CondVar cv_;
};

enum class EventStyle { peek_outside, under_lock_while, unlocked_signal };

class Event : public CondBase {
 public:
  Event() = default;
  Event(RunContext& ctx, EventStyle style) : CondBase(ctx, "event"), style_(style) {}

  void signal() {
    if (style_ == EventStyle::unlocked_signal) {  // no mutex around set + notify
      value_.store(1, "ready.set");
      cv_.notify_all();
      return;
    }
    m_.lock();
    value_.store(1, "ready.set");
    cv_.notify_all();
    m_.unlock();
  }

  void await() {
    if (style_ == EventStyle::unlocked_signal) {
      m_.lock();
      if (!value_.load("ready.check")) cv_.wait(m_);  // "if", not "while"
      m_.unlock();
    } else if (style_ == EventStyle::under_lock_while) {
      m_.lock();
      while (!value_.load("ready.check")) cv_.wait(m_);
      m_.unlock();
    } else if (!value_.load("ready.peek")) {  // checked without the mutex
      m_.lock();
      cv_.wait(m_);  // no predicate: assumes the notify is still to come
      m_.unlock();
    }
  }

 private:
  EventStyle style_ = EventStyle::under_lock_while;
};

class ItemQueue : public CondBase {
 public:
  ItemQueue() = default;
  ItemQueue(RunContext& ctx, bool predicate_loop) : CondBase(ctx, "queue"), loop_(predicate_loop) {}

  void put() {
    m_.lock();
    value_.store(value_.load("count.load") + 1, "count.inc");
    cv_.notify_all();
    m_.unlock();
  }

  // Takes one item; false if the queue was empty when this actor took.
  bool take() {
    m_.lock();
    if (loop_) {
      while (value_.load("count.check") == 0) cv_.wait(m_);
    } else if (value_.load("count.check") == 0) {
      cv_.wait(m_);  // woken: assumes an item is there
    }
    const long n = value_.load("count.load");
    if (n > 0) value_.store(n - 1, "count.dec");
    m_.unlock();
    return n > 0;
  }

 private:
  bool loop_ = true;
};

}  // namespace ipcrace::sync
