// Tiny targets for the race detector's edge cases (test binaries only,
// family "test"); tests/harness/race_test.cpp runs them.
//   test.race.wrong_mutex       each actor locks its OWN mutex around the shared
//                               counter: the lock hides nothing (race); before,
//                               each passes through a common "start" mutex
//   test.race.publish_release   data, then a release store of a flag; the
//                               reader's acquire load sees the flag, then reads
//                               the data (no race)
//   test.race.publish_relaxed   the same with relaxed flag accesses (race)
//   test.race.seqlock_plain     a seqlock whose data words are plain: a read
//                               that overlaps a write is discarded by the
//                               sequence check, but it raced (race on the
//                               schedules where a read overlaps a write)
//   test.race.message_orders    data, then one byte down a pipe; the reader
//                               reads the byte, then the data (no race)
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <optional>
#include <string>
#include <system_error>

#include "ipcrace/target.hpp"
#include "sync/scheduled.hpp"

namespace ipcrace::test {
namespace {

struct PubState {
  long data = 0;
  std::atomic<int> flag{0};
  sync::bip::interprocess_mutex m[3];
};

class WrongMutex final : public Scenario {
 public:
  void setup(RunContext& ctx) override {
    st_ = ctx.shm_new<PubState>("wrong_mutex");
    data_ = Cell<long>(&st_->data, ctx.resource("data"));
    m_[0] = sync::Mutex(&st_->m[0], ctx.resource("mutex.0"));
    m_[1] = sync::Mutex(&st_->m[1], ctx.resource("mutex.1"));
    start_ = sync::Mutex(&st_->m[2], ctx.resource("start"));
  }
  void actor(Actor& a) override {
    start_.lock("start.lock");  // orders the actors' starts, protects nothing
    start_.unlock("start.unlock");
    sync::Mutex& m = m_[a.index() % 2];  // each actor its own mutex: no mutual exclusion
    m.lock();
    data_.store(data_.load("data.load") + 1, "data.store");
    m.unlock();
  }

 private:
  PubState* st_ = nullptr;
  Cell<long> data_;
  sync::Mutex m_[2], start_;
};

// Actor 0 publishes, the others consume.
class Publish final : public Scenario {
 public:
  explicit Publish(bool release) : release_(release) {}
  void setup(RunContext& ctx) override {
    st_ = ctx.shm_new<PubState>("publish");
    data_ = Cell<long>(&st_->data, ctx.resource("data"));
    flag_ = ctx.resource("flag");
  }
  void actor(Actor& a) override {
    const MemOrder store = release_ ? MemOrder::release : MemOrder::relaxed;
    const MemOrder load = release_ ? MemOrder::acquire : MemOrder::relaxed;
    if (a.index() == 0) {
      data_.store(42, "data.store");
      a.point(OpKind::shm_store, flag_, "flag.store", at(st_->flag, store));
      st_->flag.store(1, release_ ? std::memory_order_release : std::memory_order_relaxed);
      return;
    }
    a.blocking(OpKind::shm_load, flag_, "flag.wait", at(st_->flag, load), [&]() -> std::optional<bool> {
      if (st_->flag.load(release_ ? std::memory_order_acquire : std::memory_order_relaxed) == 1) return true;
      return std::nullopt;
    });
    const long v = data_.load("data.load");
    if (v != 42) a.fail("read " + std::to_string(v) + " after the flag, expected 42");
  }

 private:
  bool release_;
  PubState* st_ = nullptr;
  Cell<long> data_;
  Resource flag_;
};

// shm.record.seqlock with plain data words (actor 0 writes, the others read).
class SeqlockPlain final : public Scenario {
  static constexpr int kWords = 2;
  struct State {
    long words[kWords] = {};
    std::atomic<uint64_t> seq{0};
  };

 public:
  void setup(RunContext& ctx) override {
    st_ = ctx.shm_new<State>("seqlock");
    seq_ = ctx.resource("seq");
    words_ = ctx.resource("words");
  }
  void actor(Actor& a) override {
    if (a.index() == 0) {
      for (long v = 1; v <= 2; ++v) {
        a.point(OpKind::shm_rmw, seq_, "seq.begin", at(st_->seq, MemOrder::relaxed));
        st_->seq.fetch_add(1, std::memory_order_relaxed);
        std::atomic_thread_fence(std::memory_order_release);
        for (int i = 0; i < kWords; ++i) {
          a.point(OpKind::shm_store, words_, "word.store", at(st_->words[i], MemOrder::plain));
          st_->words[i] = v;
        }
        a.point(OpKind::shm_rmw, seq_, "seq.end", at(st_->seq, MemOrder::release));
        st_->seq.fetch_add(1, std::memory_order_release);
      }
      return;
    }
    for (int r = 0; r < 2; ++r) {
      long out[kWords];
      for (;;) {
        const uint64_t before =
            a.blocking(OpKind::shm_load, seq_, "seq.read_begin", at(st_->seq, MemOrder::acquire),
                       [this]() -> std::optional<uint64_t> {
                         const uint64_t s = st_->seq.load(std::memory_order_acquire);
                         if (s % 2 == 0) return s;
                         return std::nullopt;
                       });
        for (int i = 0; i < kWords; ++i) {
          a.point(OpKind::shm_load, words_, "word.load", at(st_->words[i], MemOrder::plain));
          out[i] = st_->words[i];
        }
        std::atomic_thread_fence(std::memory_order_acquire);
        a.point(OpKind::shm_load, seq_, "seq.read_end", at(st_->seq, MemOrder::relaxed));
        if (st_->seq.load(std::memory_order_relaxed) == before) break;  // the read raced a write: discarded
      }
      if (out[0] != out[1]) a.fail("torn snapshot kept by the seqlock");
    }
  }

 private:
  State* st_ = nullptr;
  Resource seq_, words_;
};

class MessageOrders final : public Scenario {
 public:
  void setup(RunContext& ctx) override {
    data_ = Cell<long>(ctx.shm_new<long>("message_orders"), ctx.resource("data"));
    pipe_ = ctx.resource("pipe");
    if (pipe2(fds_, O_NONBLOCK | O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe2");
  }
  void actor(Actor& a) override {
    if (a.index() == 0) {
      data_.store(42, "data.store");
      a.point(OpKind::write, pipe_, "pipe.write");
      const char c = 1;
      a.outcome(::write(fds_[1], &c, 1));
      return;
    }
    a.blocking(OpKind::read, pipe_, "pipe.read", [&]() -> std::optional<bool> {
      char c;
      if (::read(fds_[0], &c, 1) == 1) return true;
      return std::nullopt;
    });
    a.outcome(1);
    const long v = data_.load("data.load");
    if (v != 42) a.fail("read " + std::to_string(v) + " after the message, expected 42");
  }
  void teardown(RunContext&) override {
    for (int& fd : fds_)
      if (fd >= 0) close(fd);
    fds_[0] = fds_[1] = -1;
  }

 private:
  Cell<long> data_;
  Resource pipe_;
  int fds_[2] = {-1, -1};
};

TargetInfo race_target(const char* name, Variant v, const char* bug, std::function<std::unique_ptr<Scenario>()> make) {
  return TargetInfo{.name = name,
                    .family = "test",
                    .variant = v,
                    .bug_class = bug,
                    .sync = v == Variant::synchronised ? "see tests/support/race_targets.cpp" : "",
                    .summary = "race detector edge case",
                    .defaults = {{"actors", 2}},
                    .make = std::move(make),
                    .budget_runs = 100,
                    .source = __FILE__};
}

const bool registered = [] {
  register_target(race_target("test.race.wrong_mutex", Variant::racy, "data race behind the wrong mutex",
                              [] { return std::make_unique<WrongMutex>(); }));
  register_target(race_target("test.race.publish_release", Variant::synchronised, "publication",
                              [] { return std::make_unique<Publish>(true); }));
  register_target(race_target("test.race.publish_relaxed", Variant::racy, "publication through a relaxed flag",
                              [] { return std::make_unique<Publish>(false); }));
  register_target(race_target("test.race.seqlock_plain", Variant::racy, "seqlock with plain data words",
                              [] { return std::make_unique<SeqlockPlain>(); }));
  register_target(race_target("test.race.message_orders", Variant::synchronised, "a message orders two accesses",
                              [] { return std::make_unique<MessageOrders>(); }));
  return true;
}();

}  // namespace
}  // namespace ipcrace::test
