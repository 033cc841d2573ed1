// A bounded ring buffer of messages in POSIX shared memory, three ways.
//   RacyRing      racy: head and tail are plain words, every load and store of
//                 head, tail and a slot its own point (Cell), no coordination
//                 (the waits for space and for data read them inside one
//                 blocking op each).
//                 Two producers load the same tail, write the same slot and
//                 store the same tail + 1: one message overwrites the other.
//                 Bug class: lost update on the tail index -> overwritten
//                 (lost) or duplicated slots.
//   BoundedBuffer synchronised: the classic bounded buffer. A counting
//                 semaphore of empty slots, one of full slots (sem_init,
//                 pshared=1) and a mutex (interprocess_mutex) around the index
//                 updates; any number of producers and consumers.
//   SpscRing      synchronised: a single-producer single-consumer lock-free
//                 ring. Only the producer writes tail and only the consumer
//                 writes head, both std::atomic; the slot is published by the
//                 release store of the index and taken by an acquire load. A
//                 full or empty ring is a blocking op on the ring's resource.
#pragma once
#include <semaphore.h>

#include <atomic>
#include <cstdint>
#include <optional>
#include <stdexcept>

#include "ipcrace/actor.hpp"
#include "ipcrace/engine.hpp"
#include "ipcrace/target.hpp"
#include "mqueue/message.hpp"
#include "sync/scheduled.hpp"

namespace ipcrace::mqueue {

inline constexpr int kRingMax = 8;

inline void check_ring_capacity(int capacity) {
  if (capacity < 1 || capacity > kRingMax) throw std::invalid_argument("ring capacity must be in 1..8");
}

// ---- racy: unsynchronised head and tail ------------------------------------

class RacyRing {
 public:
  struct State {
    uint32_t head = 0;
    uint32_t tail = 0;
    uint32_t done[kMaxActors] = {};  // producer i sent its last message
    Msg slots[kRingMax];
  };

  RacyRing() = default;
  RacyRing(RunContext& ctx, int capacity) : cap_(capacity) {
    check_ring_capacity(capacity);
    st_ = ctx.shm_new<State>("ring");
    r_ = ctx.resource("ring");
    head_ = Cell<uint32_t>(&st_->head, r_);
    tail_ = Cell<uint32_t>(&st_->tail, r_);
  }

  // Wait until the ring looks not full, then load the tail, fill its slot
  // and advance it: three separate points, nothing held in between.
  void push(Actor& a, const Msg& m) {
    a.blocking(OpKind::shm_load, r_, "ring.wait_space", [&]() -> std::optional<bool> {
      if (int32_t(st_->tail - st_->head) < cap_) return true;
      return std::nullopt;
    });
    const uint32_t t = tail_.load("ring.load_tail");  // another producer may load the same t
    slot(t).store(m, "ring.store_slot");
    tail_.store(t + 1, "ring.store_tail");
  }
  void finish(Actor& a) { Cell<uint32_t>(&st_->done[a.index()], r_).store(1, "ring.store_done"); }

  // Non-blocking ops (parallel state machines): false / nullopt when the
  // ring looks full / empty. Same race: each load and store its own point.
  bool try_push(const Msg& m) {
    const uint32_t t = tail_.load("ring.load_tail");
    if (int32_t(t - head_.load("ring.load_head")) >= cap_) return false;
    slot(t).store(m, "ring.store_slot");
    tail_.store(t + 1, "ring.store_tail");
    return true;
  }
  std::optional<Msg> try_pop() {
    const uint32_t h = head_.load("ring.load_head");
    if (int32_t(tail_.load("ring.load_tail") - h) <= 0) return std::nullopt;
    const Msg m = slot(h).load("ring.load_slot");
    head_.store(h + 1, "ring.store_head");
    return m;
  }

  // Take messages until every producer is done and the ring is empty.
  template <class Sink>
  void drain(Actor& a, int producers, Sink&& sink) {
    for (;;) {
      // One blocking op reads the whole predicate: a wait spread over several
      // points would miss a store made between them (a lost wake-up).
      const bool more = a.blocking(OpKind::shm_load, r_, "ring.wait_data", [&]() -> std::optional<bool> {
        if (int32_t(st_->tail - st_->head) > 0) return true;
        for (int p = 0; p < producers; ++p)
          if (!st_->done[p]) return std::nullopt;
        return false;  // empty and every producer done
      });
      if (!more) return;
      const uint32_t h = head_.load("ring.load_head");
      const Msg m = slot(h).load("ring.load_slot");
      head_.store(h + 1, "ring.store_head");
      sink(m);
    }
  }

 private:
  Cell<Msg> slot(uint32_t i) { return Cell<Msg>(&st_->slots[i % uint32_t(cap_)], r_); }
  int cap_ = 1;
  State* st_ = nullptr;
  Resource r_;
  Cell<uint32_t> head_, tail_;
};

// ---- synchronised: mutex + two counting semaphores -------------------------

class BoundedBuffer {
 public:
  struct State {
    uint32_t head = 0;
    uint32_t tail = 0;
    Msg slots[kRingMax];
    sync::bip::interprocess_mutex mutex;
    sem_t empty;  // free slots
    sem_t full;   // filled slots
  };

  BoundedBuffer() = default;
  BoundedBuffer(RunContext& ctx, int capacity) : cap_(capacity) {
    check_ring_capacity(capacity);
    st_ = ctx.shm_new<State>("buffer");
    sem_init(&st_->empty, /*pshared=*/1, unsigned(capacity));
    sem_init(&st_->full, /*pshared=*/1, 0);
    r_ = ctx.resource("buffer");
    head_ = Cell<uint32_t>(&st_->head, r_);
    tail_ = Cell<uint32_t>(&st_->tail, r_);
    mutex_ = sync::Mutex(&st_->mutex, ctx.resource("buffer.lock"));
    empty_ = sync::Semaphore(&st_->empty, ctx.resource("buffer.empty"));
    full_ = sync::Semaphore(&st_->full, ctx.resource("buffer.full"));
  }
  void destroy() {
    if (st_) {
      sem_destroy(&st_->empty);
      sem_destroy(&st_->full);
    }
    st_ = nullptr;
  }

  void push(const Msg& m) {
    empty_.wait("buffer.wait_empty");
    mutex_.lock("buffer.lock");
    const uint32_t t = tail_.load("buffer.load_tail");
    slot(t).store(m, "buffer.store_slot");
    tail_.store(t + 1, "buffer.store_tail");
    mutex_.unlock("buffer.unlock");
    full_.post("buffer.post_full");
  }
  Msg pop() {
    full_.wait("buffer.wait_full");
    mutex_.lock("buffer.lock");
    const uint32_t h = head_.load("buffer.load_head");
    const Msg m = slot(h).load("buffer.load_slot");
    head_.store(h + 1, "buffer.store_head");
    mutex_.unlock("buffer.unlock");
    empty_.post("buffer.post_empty");
    return m;
  }

  // Non-blocking ops (parallel state machines): the index updates under the
  // mutex alone; a state machine uses only these, never push/pop, so the
  // semaphores are not involved.
  bool try_push(const Msg& m) {
    mutex_.lock("buffer.lock");
    const uint32_t t = tail_.load("buffer.load_tail");
    const bool room = int32_t(t - head_.load("buffer.load_head")) < cap_;
    if (room) {
      slot(t).store(m, "buffer.store_slot");
      tail_.store(t + 1, "buffer.store_tail");
    }
    mutex_.unlock("buffer.unlock");
    return room;
  }
  std::optional<Msg> try_pop() {
    mutex_.lock("buffer.lock");
    std::optional<Msg> m;
    const uint32_t h = head_.load("buffer.load_head");
    if (int32_t(tail_.load("buffer.load_tail") - h) > 0) {
      m = slot(h).load("buffer.load_slot");
      head_.store(h + 1, "buffer.store_head");
    }
    mutex_.unlock("buffer.unlock");
    return m;
  }

 private:
  Cell<Msg> slot(uint32_t i) { return Cell<Msg>(&st_->slots[i % uint32_t(cap_)], r_); }
  int cap_ = 1;
  State* st_ = nullptr;
  Resource r_;
  Cell<uint32_t> head_, tail_;
  sync::Mutex mutex_;
  sync::Semaphore empty_, full_;
};

// ---- synchronised: single-producer single-consumer lock-free ring ----------

class SpscRing {
 public:
  struct State {
    std::atomic<uint32_t> head{0};  // written by the consumer only
    std::atomic<uint32_t> tail{0};  // written by the producer only
    Msg slots[kRingMax];
  };

  SpscRing() = default;
  SpscRing(RunContext& ctx, int capacity) : cap_(capacity) {
    check_ring_capacity(capacity);
    st_ = ctx.shm_new<State>("spsc");
    r_ = ctx.resource("spsc");
  }

  void push(Actor& a, const Msg& m) {
    a.point(OpKind::shm_load, r_, "spsc.load_tail", at(st_->tail, MemOrder::relaxed));
    const uint32_t t = st_->tail.load(std::memory_order_relaxed);  // our own index
    a.blocking(OpKind::shm_load, r_, "spsc.wait_space", at(st_->head, MemOrder::acquire), [&]() -> std::optional<bool> {
      if (t - st_->head.load(std::memory_order_acquire) < uint32_t(cap_)) return true;
      return std::nullopt;  // full: the consumer's head store wakes us
    });
    a.point(OpKind::shm_store, r_, "spsc.store_slot", at(st_->slots[t % uint32_t(cap_)], MemOrder::plain));
    st_->slots[t % uint32_t(cap_)] = m;
    a.point(OpKind::shm_store, r_, "spsc.store_tail", at(st_->tail, MemOrder::release));
    st_->tail.store(t + 1, std::memory_order_release);  // publishes the slot
  }
  Msg pop(Actor& a) {
    a.point(OpKind::shm_load, r_, "spsc.load_head", at(st_->head, MemOrder::relaxed));
    const uint32_t h = st_->head.load(std::memory_order_relaxed);  // our own index
    a.blocking(OpKind::shm_load, r_, "spsc.wait_data", at(st_->tail, MemOrder::acquire), [&]() -> std::optional<bool> {
      if (st_->tail.load(std::memory_order_acquire) != h) return true;
      return std::nullopt;  // empty: the producer's tail store wakes us
    });
    a.point(OpKind::shm_load, r_, "spsc.load_slot", at(st_->slots[h % uint32_t(cap_)], MemOrder::plain));
    const Msg m = st_->slots[h % uint32_t(cap_)];
    a.point(OpKind::shm_store, r_, "spsc.store_head", at(st_->head, MemOrder::release));
    st_->head.store(h + 1, std::memory_order_release);  // hands the slot back
    return m;
  }

 private:
  int cap_ = 1;
  State* st_ = nullptr;
  Resource r_;
};

}  // namespace ipcrace::mqueue
