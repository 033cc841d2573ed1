// A multi-word record in POSIX shared memory: one writer sets every word to
// the same value (a version number), readers take snapshots.
//   racy     readers load the words one by one while the writer stores them
//            one by one: torn read (a snapshot mixes two versions)
//   seqlock  a sequence counter: the writer makes it odd, writes, makes it
//            even; a reader retries until it saw the same even value before
//            and after its loads. The data words are relaxed std::atomic, so
//            the by-design concurrent reads are no data race under TSan.
//   rwlock   readers hold a shared lock, the writer an exclusive one
//            (sync::RwLock over boost interprocess_sharable_mutex)
#pragma once
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ipcrace/actor.hpp"
#include "ipcrace/target.hpp"
#include "sync/scheduled.hpp"

namespace ipcrace::shm {

enum class RecordSync { none, seqlock, rwlock };

inline constexpr int kRecordMaxWords = 8;

struct RecordState {
  long words[kRecordMaxWords] = {};                   // racy, rwlock
  std::atomic<long> atomic_words[kRecordMaxWords] = {};  // seqlock
  std::atomic<uint64_t> seq{0};                        // seqlock: odd while a write is in progress
  sync::bip::interprocess_sharable_mutex rw;           // rwlock
};

class Record {
 public:
  Record() = default;
  Record(RunContext& ctx, RecordSync sync, int words) : sync_(sync), n_(words) {
    st_ = ctx.shm_new<RecordState>("record");
    for (int i = 0; i < n_; ++i) {
      Resource r = ctx.resource(("record.w" + std::to_string(i)).c_str());
      cells_[i] = Cell<long>(&st_->words[i], r);
    }
    seq_ = ctx.resource("record.seq");
    rw_ = sync::RwLock(&st_->rw, ctx.resource("record.lock"));
  }

  // Writer only (a single writer): every word becomes `v`.
  void write(long v) {
    switch (sync_) {
      case RecordSync::none: store_words(v); break;
      case RecordSync::rwlock:
        rw_.lock();
        store_words(v);
        rw_.unlock();
        break;
      case RecordSync::seqlock: {
        this_actor().point(OpKind::shm_rmw, seq_, "seq.begin", at(st_->seq, MemOrder::relaxed));
        st_->seq.fetch_add(1, std::memory_order_relaxed);  // odd: write in progress
        std::atomic_thread_fence(std::memory_order_release);
        for (int i = 0; i < n_; ++i) {
          this_actor().point(OpKind::shm_store, cells_[i].resource(), "record.store",
                              at(st_->atomic_words[i], MemOrder::relaxed));
          st_->atomic_words[i].store(v, std::memory_order_relaxed);
        }
        this_actor().point(OpKind::shm_rmw, seq_, "seq.end", at(st_->seq, MemOrder::release));
        st_->seq.fetch_add(1, std::memory_order_release);  // even: stable again
        break;
      }
    }
  }

  // A snapshot of every word.
  std::vector<long> read() {
    std::vector<long> out(size_t(n_), 0);
    switch (sync_) {
      case RecordSync::none: load_words(out); break;
      case RecordSync::rwlock:
        rw_.lock_shared();
        load_words(out);
        rw_.unlock_shared();
        break;
      case RecordSync::seqlock:
        for (;;) {
          // Waiting for an even counter is a blocking op (no spinning: a
          // spinning reader would starve the writer under pct and dfs).
          const uint64_t before = this_actor().blocking(
              OpKind::shm_load, seq_, "seq.read_begin", at(st_->seq, MemOrder::acquire), [this]() -> std::optional<uint64_t> {
                uint64_t s = st_->seq.load(std::memory_order_acquire);
                if (s % 2 == 0) return s;
                return std::nullopt;
              });
          for (int i = 0; i < n_; ++i) {
            this_actor().point(OpKind::shm_load, cells_[i].resource(), "record.load",
                                at(st_->atomic_words[i], MemOrder::relaxed));
            out[size_t(i)] = st_->atomic_words[i].load(std::memory_order_relaxed);
          }
          std::atomic_thread_fence(std::memory_order_acquire);
          this_actor().point(OpKind::shm_load, seq_, "seq.read_end", at(st_->seq, MemOrder::relaxed));
          if (st_->seq.load(std::memory_order_relaxed) == before) break;  // else a write overlapped: retry
        }
        break;
    }
    return out;
  }

  long word(int i) const {  // controller side, after the run
    return sync_ == RecordSync::seqlock ? st_->atomic_words[i].load() : st_->words[i];
  }

 private:
  void store_words(long v) {
    for (int i = 0; i < n_; ++i) cells_[i].store(v, "record.store");
  }
  void load_words(std::vector<long>& out) {
    for (int i = 0; i < n_; ++i) out[size_t(i)] = cells_[i].load("record.load");
  }

  RecordSync sync_ = RecordSync::none;
  int n_ = 0;
  RecordState* st_ = nullptr;
  Cell<long> cells_[kRecordMaxWords];
  Resource seq_;
  sync::RwLock rw_;
};

}  // namespace ipcrace::shm
