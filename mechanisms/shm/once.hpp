// One-time initialisation of a shared object in POSIX shared memory: every
// actor makes sure it is initialised, then uses it.
//   racy   check-then-act: "if (!initialised) { init(); initialised = true; }"
//          with the check and the set as separate ops: double initialisation
//   cas    a state word (0 idle, 1 running, 2 done) claimed with one atomic
//          compare-exchange; the losers block until the winner publishes 2
//   mutex  the same check-then-act, but under a Boost.Interprocess mutex
#pragma once
#include <atomic>
#include <optional>

#include "ipcrace/actor.hpp"
#include "ipcrace/target.hpp"
#include "sync/scheduled.hpp"

namespace ipcrace::shm {

enum class OnceSync { none, cas, mutex };

inline constexpr long kOnceConfig = 42;  // what init() writes

struct OnceState {
  int initialised = 0;           // racy, mutex: the flag
  std::atomic<int> state{0};     // cas: 0 idle, 1 running, 2 done
  long config = 0;               // the object init() sets up
  std::atomic<long> inits{0};    // how many times init() ran (the oracle's counter)
  sync::bip::interprocess_mutex mutex;
};

class Once {
 public:
  Once() = default;
  Once(RunContext& ctx, OnceSync sync) : sync_(sync) {
    st_ = ctx.shm_new<OnceState>("once");
    flag_ = Cell<int>(&st_->initialised, ctx.resource("once.flag"));
    state_ = ctx.resource("once.flag");
    config_ = Cell<long>(&st_->config, ctx.resource("once.config"));
    inits_ = ctx.resource("once.inits");
    mutex_ = sync::Mutex(&st_->mutex, ctx.resource("once.lock"));
  }

  // Returns once the object is initialised (by this actor or another one).
  void ensure() {
    switch (sync_) {
      case OnceSync::none:
        if (!flag_.load("once.check")) {
          init();
          flag_.store(1, "once.set");
        }
        break;
      case OnceSync::mutex:
        mutex_.lock();
        if (!flag_.load("once.check")) {
          init();
          flag_.store(1, "once.set");
        }
        mutex_.unlock();
        break;
      case OnceSync::cas: {
        this_actor().point(OpKind::shm_rmw, state_, "once.cas", at(st_->state, MemOrder::acq_rel));
        int expected = 0;
        if (st_->state.compare_exchange_strong(expected, 1, std::memory_order_acq_rel)) {
          init();
          this_actor().point(OpKind::shm_store, state_, "once.done", at(st_->state, MemOrder::release));
          st_->state.store(2, std::memory_order_release);
        } else if (expected != 2) {
          this_actor().blocking(OpKind::shm_load, state_, "once.wait", at(st_->state, MemOrder::acquire), [this]() -> std::optional<bool> {
            if (st_->state.load(std::memory_order_acquire) == 2) return true;
            return std::nullopt;
          });
        }
        break;
      }
    }
  }

  long use() { return config_.load("once.use"); }
  long inits() const { return st_->inits.load(); }

 private:
  void init() {
    this_actor().point(OpKind::shm_rmw, inits_, "once.init", at(st_->inits, MemOrder::relaxed));
    st_->inits.fetch_add(1, std::memory_order_relaxed);
    config_.store(kOnceConfig, "once.configure");
  }

  OnceSync sync_ = OnceSync::none;
  OnceState* st_ = nullptr;
  Cell<int> flag_;
  Resource state_;
  Cell<long> config_;
  Resource inits_;
  sync::Mutex mutex_;
};

}  // namespace ipcrace::shm
