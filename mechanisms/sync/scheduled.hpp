// Scheduled synchronisation primitives on real process-shared objects:
// Boost.Interprocess mutexes, POSIX semaphores, and a futex-style condition
// variable. Acquiring is a blocking op run as a try (try_lock, sem_trywait);
// releasing is a point on the same resource, which re-enables the waiters.
// Other families use these for their synchronised variants.
#pragma once
#include <semaphore.h>

#include <atomic>
#include <boost/interprocess/sync/interprocess_mutex.hpp>
#include <boost/interprocess/sync/interprocess_sharable_mutex.hpp>
#include <cerrno>
#include <cstdint>
#include <optional>

#include "ipcrace/actor.hpp"
#include "ipcrace/faults.hpp"

namespace ipcrace::sync {

namespace bip = boost::interprocess;

// The gate's self-test removes every lock of the synchronised variants.
inline bool locks_removed() { return fault_injected("no-lock"); }

class Mutex {
 public:
  Mutex() = default;
  Mutex(bip::interprocess_mutex* m, Resource r) : m_(m), r_(r) {}
  void lock(const char* label = "lock") {
    if (locks_removed()) return;
    this_actor().blocking(OpKind::lock, r_, label, [this]() -> std::optional<bool> {
      if (m_->try_lock()) return true;
      return std::nullopt;
    });
  }
  void unlock(const char* label = "unlock") {
    if (locks_removed()) return;
    this_actor().point(OpKind::unlock, r_, label);
    m_->unlock();
  }
  Resource resource() const { return r_; }

 private:
  bip::interprocess_mutex* m_ = nullptr;
  Resource r_;
};

// Reader-writer lock over interprocess_sharable_mutex.
class RwLock {
 public:
  RwLock() = default;
  RwLock(bip::interprocess_sharable_mutex* m, Resource r) : m_(m), r_(r) {}
  void lock(const char* label = "wrlock") {
    if (locks_removed()) return;
    this_actor().blocking(OpKind::lock, r_, label, [this]() -> std::optional<bool> {
      if (m_->try_lock()) return true;
      return std::nullopt;
    });
  }
  void unlock(const char* label = "wrunlock") {
    if (locks_removed()) return;
    this_actor().point(OpKind::unlock, r_, label);
    m_->unlock();
  }
  void lock_shared(const char* label = "rdlock") {
    if (locks_removed()) return;
    this_actor().blocking(OpKind::rdlock, r_, label, [this]() -> std::optional<bool> {
      if (m_->try_lock_sharable()) return true;
      return std::nullopt;
    });
  }
  void unlock_shared(const char* label = "rdunlock") {
    if (locks_removed()) return;
    this_actor().point(OpKind::rdunlock, r_, label);
    m_->unlock_sharable();
  }

 private:
  bip::interprocess_sharable_mutex* m_ = nullptr;
  Resource r_;
};

// A POSIX unnamed semaphore (sem_init with pshared=1) in shared memory.
class Semaphore {
 public:
  Semaphore() = default;
  Semaphore(sem_t* s, Resource r) : s_(s), r_(r) {}
  void wait(const char* label = "sem_wait") {
    this_actor().blocking(OpKind::sem_wait, r_, label, [this]() -> std::optional<bool> {
      if (sem_trywait(s_) == 0) return true;
      return std::nullopt;
    });
  }
  void post(const char* label = "sem_post") {
    this_actor().point(OpKind::sem_post, r_, label);
    sem_post(s_);
  }
  // A mutex made of a binary semaphore; the gate's self-test removes it too.
  void lock(const char* label = "sem_wait") {
    if (!locks_removed()) wait(label);
  }
  void unlock(const char* label = "sem_post") {
    if (!locks_removed()) post(label);
  }

 private:
  sem_t* s_ = nullptr;
  Resource r_;
};

// A condition variable in shared memory, built the way futex-based ones are:
// a generation word. wait() reads the generation while holding the mutex,
// unlocks, blocks until the generation moves, relocks. notify() moves it. A
// notify that happens before the wait read the generation is lost, exactly as
// with pthread_cond: that is the bug class of a wait without a predicate loop.
struct CondState {
  std::atomic<uint32_t> generation{0};
};

class CondVar {
 public:
  CondVar() = default;
  CondVar(CondState* s, Resource r) : s_(s), r_(r) {}
  template <class Lock>
  void wait(Lock& m, const char* label = "cv_wait") {
    // A point before the generation is read: a notify may land between the
    // caller's check of its predicate and this read, and is then lost,
    // exactly as with pthread_cond_wait. Without it the check and the read
    // ran as one step and a lost wakeup could not be scheduled.
    this_actor().point(OpKind::cv_wait, r_, "cv_wait.enter");
    const uint32_t seen = s_->generation.load(std::memory_order_acquire);
    m.unlock();
    this_actor().blocking(OpKind::cv_wait, r_, label, [&]() -> std::optional<bool> {
      if (s_->generation.load(std::memory_order_acquire) != seen) return true;
      return std::nullopt;
    });
    m.lock();
  }
  void notify_all(const char* label = "cv_notify") {
    this_actor().point(OpKind::cv_notify, r_, label);
    s_->generation.fetch_add(1, std::memory_order_acq_rel);
  }

 private:
  CondState* s_ = nullptr;
  Resource r_;
};

}  // namespace ipcrace::sync
