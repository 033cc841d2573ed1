// A lock holder killed mid-critical-section (issue 12): a process-shared
// pthread mutex guards a two-field record whose invariant is a == b; every
// actor increments both fields `rounds` times under the lock, one store per
// point, so a holder killed between the two stores leaves a != b behind.
//
//   plain   PTHREAD_PROCESS_SHARED only: the dead holder's lock is never
//           released; every survivor blocks on it forever (deadlock).
//   robust  PTHREAD_MUTEX_ROBUST: the next locker gets EOWNERDEAD, repairs the
//           record (b = a), marks the mutex consistent (pthread_mutex_consistent)
//           and goes on. (Boost 1.74's interprocess_mutex has no robust mode.)
//
// Actor 0 may die (TargetInfo::may_die); the survivors must finish every
// round and see a == b each time they hold the lock.
#pragma once
#include <pthread.h>
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
extern "C" void __tsan_release(void* addr);
#endif
#endif

#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <system_error>

#include "ipcrace/target.hpp"

namespace ipcrace::faults {

struct LockedRecord {
  pthread_mutex_t m;
  long a;
  long b;
  int done[64];  // rounds each actor completed (read by check())
};

class KilledHolder {
 public:
  void setup(RunContext& ctx, bool robust) {
    rec_ = ctx.shm_new<LockedRecord>("locked.record");
    pthread_mutexattr_t at;
    pthread_mutexattr_init(&at);
    pthread_mutexattr_setpshared(&at, PTHREAD_PROCESS_SHARED);
    if (robust) pthread_mutexattr_setrobust(&at, PTHREAD_MUTEX_ROBUST);
    const int e = pthread_mutex_init(&rec_->m, &at);
    pthread_mutexattr_destroy(&at);
    if (e) throw std::system_error(e, std::generic_category(), "pthread_mutex_init");
    lock_ = ctx.resource("record.lock");
    a_ = Cell<long>(&rec_->a, ctx.resource("record.a"));
    b_ = Cell<long>(&rec_->b, ctx.resource("record.b"));
    robust_ = robust;
  }
  // The mutex is not destroyed: a killed holder can leave it locked (that is
  // the workload), destroying a locked mutex is undefined (TSan reports it),
  // and its shared memory is unmapped and unlinked after the run anyway.
  void teardown() { rec_ = nullptr; }

  // History (model counter): each round is an `add 1`, then a final `read`
  // under the lock. A killed actor's open `add` is info: it may or may not
  // have taken effect (a repair keeps a half-done increment of `a`).
  void actor(Actor& a, int rounds) {
    try {
      rounds_body(a, rounds);
    } catch (const RunAborted&) {
      // Thread mode's kill unwinds the actor with the lock held. The kernel
      // hands a dead owner's robust mutex to the next locker (EOWNERDEAD);
      // ThreadSanitizer does not model that hand-off, so tell it.
      if (holding()) tsan_release(&rec_->m);
      throw;
    }
  }

 private:
  // Whether this actor (thread or process) holds the lock now.
  static bool& holding() {
    static thread_local bool h = false;
    return h;
  }
  static void tsan_release(void* addr) {
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
    __tsan_release(addr);
#endif
#endif
    (void)addr;
  }
  void rounds_body(Actor& a, int rounds) {
    for (int i = 0; i < rounds; ++i) {
      a.invoke("add", {1});
      lock(a);
      const long va = a_.load("a.load"), vb = b_.load("b.load");
      if (va != vb) return unlock(a), a.fail("holding the lock, saw a=" + std::to_string(va) + " b=" + std::to_string(vb));
      a_.store(va + 1, "a.store");
      b_.store(vb + 1, "b.store");
      unlock(a);
      a.complete(EventType::ok);
      rec_->done[a.index()] = i + 1;  // own slot, read after the run
    }
    a.invoke("read");
    lock(a);
    const long v = a_.load("final.load");
    unlock(a);
    a.complete(EventType::ok, {v});
  }

 public:

  // Every survivor finished every round.
  void check(RunContext& ctx, int rounds, uint64_t may_die) {
    for (int i = 0; i < ctx.actors(); ++i)
      if (!((may_die >> i) & 1) && rec_->done[i] != rounds)
        ctx.fail("actor " + std::to_string(i) + " finished " + std::to_string(rec_->done[i]) + " of " +
                 std::to_string(rounds) + " rounds");
  }

 private:
  void lock(Actor& a) {
    a.blocking(OpKind::lock, lock_, "record.lock", [&]() -> std::optional<bool> {
      const int e = pthread_mutex_trylock(&rec_->m);
      if (e == 0) return holding() = true;
      if (e == EBUSY) return std::nullopt;
      if (e == EOWNERDEAD && robust_) {
        // The holder died inside the critical section: repair, then mark consistent.
        rec_->b = rec_->a;
        pthread_mutex_consistent(&rec_->m);
        holding() = true;
        return true;
      }
      throw std::system_error(e, std::generic_category(), "pthread_mutex_trylock");
    });
  }
  void unlock(Actor& a) {
    a.point(OpKind::unlock, lock_, "record.unlock");
    holding() = false;
    pthread_mutex_unlock(&rec_->m);
  }

  LockedRecord* rec_ = nullptr;
  Resource lock_;
  Cell<long> a_, b_;
  bool robust_ = false;
};

}  // namespace ipcrace::faults
