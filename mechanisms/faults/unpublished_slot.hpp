// An shm ring whose writer dies between filling a slot and publishing it
// (issue 12). The writer (actor 1, may die) puts `messages` records into a
// ring of `capacity` slots in POSIX shared memory: it waits for the slot to
// be free, reserves it (`reserved`, a release store), fills its three words
// (seq, payload, check; one plain store each) and publishes it (the slot's
// state, a release store). The reader (actor 0) takes the slots in order: a
// timed wait for the state (acquire), the three words, the state back to free
// (release). When the wait times out and the writer is dead
// (Actor::alive), the reader recovers what the writer left:
//
//   reserved-is-written (racy)  takes every reserved slot, as if reserving
//                               meant writing: a writer killed while filling
//                               leaves a half-written slot, which the reader
//                               takes for a record.
//   published-only              takes a slot only when its state says it was
//                               published; a reserved, unpublished slot is
//                               dropped unread.
//
// The oracle: no record is torn (seq in order, check = f(seq, payload)); a
// writer that finished had all of its records read; a dead writer had every
// record it published read.
#pragma once
#include <atomic>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

#include "ipcrace/actor.hpp"
#include "ipcrace/target.hpp"

namespace ipcrace::faults {

class UnpublishedSlot {
 public:
  static constexpr int kReader = 0, kWriter = 1, kMaxSlots = 8;

  void setup(RunContext& ctx, int capacity) {
    if (ctx.actors() != 2) throw std::invalid_argument("takes exactly 2 actors");
    if (capacity < 1 || capacity > kMaxSlots) throw std::invalid_argument("capacity must be in 1..8");
    cap_ = uint32_t(capacity);
    st_ = ctx.shm_new<State>("slots");
    state_ = ctx.resource("slots.state");
    data_ = ctx.resource("slots.data");
  }
  void teardown() { st_ = nullptr; }

  void writer(Actor& a, int n) {
    for (uint32_t i = 0; i < uint32_t(n); ++i) {
      Slot& s = slot(i);
      a.blocking(OpKind::shm_load, state_, "writer.wait_free", at(s.full, MemOrder::acquire),
                 [&]() -> std::optional<bool> {
                   if (s.full.load(std::memory_order_acquire) == 0) return true;
                   return std::nullopt;
                 });
      a.point(OpKind::shm_store, state_, "writer.reserve", at(st_->reserved, MemOrder::release));
      st_->reserved.store(i + 1, std::memory_order_release);
      const uint32_t payload = uint32_t(a.rng().next());
      Cell<uint32_t>(&s.seq, data_).store(i, "writer.fill_seq");
      Cell<uint32_t>(&s.payload, data_).store(payload, "writer.fill_payload");
      Cell<uint32_t>(&s.check, data_).store(check_word(i, payload), "writer.fill_check");
      a.point(OpKind::shm_store, state_, "writer.publish", at(s.full, MemOrder::release));
      s.full.store(1, std::memory_order_release);
      st_->published = int(i + 1);  // own word, read by check() after the run
    }
    st_->finished = 1;
  }

  // "" or what is wrong.
  std::string reader(Actor& a, int n, bool published_only) {
    for (uint32_t k = 0; k < uint32_t(n);) {
      Slot& s = slot(k);
      const bool full = a.timed(OpKind::shm_load, state_, "reader.wait_full", at(s.full, MemOrder::acquire),
                                [&]() -> std::optional<bool> {
                                  if (s.full.load(std::memory_order_acquire) == 1) return true;
                                  return std::nullopt;
                                }).has_value();
      if (!full) {
        if (a.alive(kWriter)) continue;  // only slow: wait again
        // The writer is gone: recover what it left in slot k (and go on: a
        // timeout can come while later slots are published too).
        if (published_only) {
          a.point(OpKind::shm_load, state_, "reader.recover_state", at(s.full, MemOrder::acquire));
          if (s.full.load(std::memory_order_acquire) != 1) return {};  // reserved maybe, never published: dropped
        } else {
          a.point(OpKind::shm_load, state_, "reader.recover_reserved", at(st_->reserved, MemOrder::acquire));
          if (st_->reserved.load(std::memory_order_acquire) <= k) return {};  // "not reserved: nothing there"
        }
      }
      if (std::string bad = take(a, s, k); !bad.empty()) return bad;
      ++k;
    }
    return {};
  }

  void check(RunContext& ctx, int n) {
    const int want = st_->finished ? n : st_->published;
    if (st_->got < want)
      ctx.fail(std::string(st_->finished ? "the writer finished" : "the writer died") + " after publishing " +
               std::to_string(want) + " records; the reader read " + std::to_string(st_->got));
  }

 private:
  struct Slot {
    std::atomic<uint32_t> full;  // 1: published, not yet read
    uint32_t seq;
    uint32_t payload;
    uint32_t check;
  };
  struct State {
    std::atomic<uint32_t> reserved;  // slots reserved by the writer so far
    int published;
    int finished;
    int got;
    Slot slots[kMaxSlots];
  };
  static uint32_t check_word(uint32_t seq, uint32_t payload) { return (payload ^ (seq * 2654435761u)) + 0x51075107u; }
  Slot& slot(uint32_t i) { return st_->slots[i % cap_]; }

  std::string take(Actor& a, Slot& s, uint32_t k) {
    const uint32_t seq = Cell<uint32_t>(&s.seq, data_).load("reader.seq");
    const uint32_t payload = Cell<uint32_t>(&s.payload, data_).load("reader.payload");
    const uint32_t check = Cell<uint32_t>(&s.check, data_).load("reader.check");
    if (seq != k || check != check_word(seq, payload))
      return "slot " + std::to_string(k % cap_) + " read as record " + std::to_string(k) + " is half-written (seq " +
             std::to_string(seq) + ", check " + (check == check_word(seq, payload) ? "ok" : "wrong") + ")";
    a.point(OpKind::shm_store, state_, "reader.free", at(s.full, MemOrder::release));
    s.full.store(0, std::memory_order_release);
    ++st_->got;
    return {};
  }

  uint32_t cap_ = 1;
  State* st_ = nullptr;
  Resource state_, data_;
};

}  // namespace ipcrace::faults
