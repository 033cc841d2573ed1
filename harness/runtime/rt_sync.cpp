// Interposed pthread condition variables, barriers, rwlocks and POSIX
// semaphores, their timed forms included (a timeout is virtual time).
//
// Condition variables are the runtime's own (every process of the program
// runs under it): the pthread_cond_t's bytes hold a generation, the number of
// waiters and of pending wake-ups. A wait is a point at its entry (so a
// notify can land between the caller's check and its wait), then the mutex's
// unlock, then a blocked try until a notify, then the mutex's lock.
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdarg.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "rt.hpp"

using namespace ipcrace;
using namespace ipcrace::rt;

namespace {

// clock: pthread_condattr_setclock's (0, as zeroed bytes and
// PTHREAD_COND_INITIALIZER leave it: CLOCK_REALTIME), for timedwait's abstime.
struct Cv {
  uint32_t seq, waiters, pending;
  int32_t clock;
};
static_assert(sizeof(Cv) <= sizeof(pthread_cond_t), "a condvar's state fits its pthread_cond_t");

int cv_wait(pthread_cond_t* c, pthread_mutex_t* m, int64_t deadline, const void* pc) {
  auto* cv = reinterpret_cast<Cv*>(c);
  const uint16_t res = sync_res(c);
  point(OpKind::cv_wait, res, pc);  // entry: the caller checked its condition before this
  const uint32_t seq0 = __atomic_load_n(&cv->seq, __ATOMIC_RELAXED);
  __atomic_fetch_add(&cv->waiters, 1, __ATOMIC_RELAXED);
  pthread_mutex_unlock(m);  // interposed: a point of its own
  const bool woken = timed_blocking(OpKind::cv_wait, res, pc, deadline, [&] {
    if (__atomic_load_n(&cv->seq, __ATOMIC_RELAXED) == seq0 || __atomic_load_n(&cv->pending, __ATOMIC_RELAXED) == 0)
      return false;
    __atomic_fetch_sub(&cv->pending, 1, __ATOMIC_RELAXED);
    return true;
  });
  __atomic_fetch_sub(&cv->waiters, 1, __ATOMIC_RELAXED);
  pthread_mutex_lock(m);
  return woken ? 0 : ETIMEDOUT;
}

void cv_notify(pthread_cond_t* c, bool all, const void* pc) {
  auto* cv = reinterpret_cast<Cv*>(c);
  const uint16_t res = sync_res(c);
  point(OpKind::cv_notify, res, pc);
  const uint32_t w = __atomic_load_n(&cv->waiters, __ATOMIC_RELAXED);
  const uint32_t p = __atomic_load_n(&cv->pending, __ATOMIC_RELAXED);
  if (w > p) __atomic_store_n(&cv->pending, all ? w : p + 1, __ATOMIC_RELAXED);
  __atomic_fetch_add(&cv->seq, 1, __ATOMIC_RELAXED);
}

#define CV_REAL(fn) IPCRACE_REALV(fn, "GLIBC_2.3.2")

// Barriers are the runtime's own too (glibc's block in futexes the runtime
// cannot see: the first thread to arrive would hang the run): the
// pthread_barrier_t's bytes hold the count, the arrivals of this round and
// the round. A wait is an arrival (a post to the barrier, which the race
// detector reads as a release) and then a blocked try until the round's last
// arrival (a wait, an acquire of every arrival's clock).
struct Bar {
  uint32_t magic, count, arrived, round;
};
constexpr uint32_t kBarMagic = 0x1bca44e1;
static_assert(sizeof(Bar) <= sizeof(pthread_barrier_t), "a barrier's state fits its pthread_barrier_t");

// A semaphore wait with a virtual deadline (0: none): sem_wait's result.
// `res`: the semaphore's (the caller checked it is shared: sync_key).
int sem_wait_until(sem_t* s, uint16_t res, int64_t deadline, const void* pc) {
  auto t = IPCRACE_REAL(sem_trywait);
  int r = 0, err = 0;
  const bool done = timed_blocking(OpKind::sem_wait, res, pc, deadline, [&] {
    r = t(s);
    err = errno;
    return !(r != 0 && err == EAGAIN);
  });
  if (!done) {
    errno = ETIMEDOUT;
    return -1;
  }
  errno = err;
  return r;
}

}  // namespace

extern "C" {

int pthread_cond_init(pthread_cond_t* c, const pthread_condattr_t* a) {
  if (!active()) return CV_REAL(pthread_cond_init)(c, a);
  memset(c, 0, sizeof *c);
  clockid_t clk = CLOCK_REALTIME;
  if (a && pthread_condattr_getclock(a, &clk) == 0) reinterpret_cast<Cv*>(c)->clock = int32_t(clk);
  return 0;
}
int pthread_cond_destroy(pthread_cond_t* c) {
  if (!active()) return CV_REAL(pthread_cond_destroy)(c);
  return 0;
}
int pthread_cond_wait(pthread_cond_t* c, pthread_mutex_t* m) {
  if (!active()) return CV_REAL(pthread_cond_wait)(c, m);
  return cv_wait(c, m, 0, IPCRACE_PC);
}
int pthread_cond_timedwait(pthread_cond_t* c, pthread_mutex_t* m, const struct timespec* t) {
  if (!active()) return CV_REAL(pthread_cond_timedwait)(c, m, t);
  return cv_wait(c, m, abs_deadline(clockid_t(reinterpret_cast<Cv*>(c)->clock), t), IPCRACE_PC);
}
int pthread_cond_clockwait(pthread_cond_t* c, pthread_mutex_t* m, clockid_t clk, const struct timespec* t) {
  if (!active()) return IPCRACE_REAL(pthread_cond_clockwait)(c, m, clk, t);
  return cv_wait(c, m, abs_deadline(clk, t), IPCRACE_PC);
}
int pthread_cond_signal(pthread_cond_t* c) {
  if (!active()) return CV_REAL(pthread_cond_signal)(c);
  cv_notify(c, false, IPCRACE_PC);
  return 0;
}
int pthread_cond_broadcast(pthread_cond_t* c) {
  if (!active()) return CV_REAL(pthread_cond_broadcast)(c);
  cv_notify(c, true, IPCRACE_PC);
  return 0;
}

// ---- barriers ----------------------------------------------------------------------

int pthread_barrier_init(pthread_barrier_t* b, const pthread_barrierattr_t* a, unsigned count) {
  if (!active()) return IPCRACE_REAL(pthread_barrier_init)(b, a, count);
  if (count == 0) return EINVAL;
  memset(b, 0, sizeof *b);
  auto* x = reinterpret_cast<Bar*>(b);
  x->count = count;
  x->magic = kBarMagic;
  return 0;
}
int pthread_barrier_destroy(pthread_barrier_t* b) {
  auto* x = reinterpret_cast<Bar*>(b);
  if (x->magic != kBarMagic) return IPCRACE_REAL(pthread_barrier_destroy)(b);
  if (x->arrived != 0) return EBUSY;
  x->magic = 0;
  return 0;
}
int pthread_barrier_wait(pthread_barrier_t* b) {
  auto* x = reinterpret_cast<Bar*>(b);
  if (!active() || __atomic_load_n(&x->magic, __ATOMIC_RELAXED) != kBarMagic) return IPCRACE_REAL(pthread_barrier_wait)(b);
  const uint16_t res = sync_res(b);
  const void* pc = IPCRACE_PC;
  point(OpKind::sem_post, res, pc);  // the arrival: one actor runs at a time, so the count below is atomic
  const uint32_t round = __atomic_load_n(&x->round, __ATOMIC_RELAXED);
  const bool last = __atomic_add_fetch(&x->arrived, 1, __ATOMIC_RELAXED) >= x->count;
  if (last) {
    __atomic_store_n(&x->arrived, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&x->round, round + 1, __ATOMIC_RELAXED);
  }
  blocking(OpKind::sem_wait, res, pc, [&] { return __atomic_load_n(&x->round, __ATOMIC_RELAXED) != round; });
  return last ? PTHREAD_BARRIER_SERIAL_THREAD : 0;
}

// ---- rwlocks ----------------------------------------------------------------------

int pthread_rwlock_rdlock(pthread_rwlock_t* l) {
  uint64_t key;
  if (!sync_key(l, &key)) return IPCRACE_REAL(pthread_rwlock_rdlock)(l);
  auto t = IPCRACE_REAL(pthread_rwlock_tryrdlock);
  int r = 0;
  blocking(OpKind::rdlock, res_of_key(key), IPCRACE_PC, [&] { return (r = t(l)) != EBUSY; });
  return r;
}
int pthread_rwlock_wrlock(pthread_rwlock_t* l) {
  uint64_t key;
  if (!sync_key(l, &key)) return IPCRACE_REAL(pthread_rwlock_wrlock)(l);
  auto t = IPCRACE_REAL(pthread_rwlock_trywrlock);
  int r = 0;
  blocking(OpKind::lock, res_of_key(key), IPCRACE_PC, [&] { return (r = t(l)) != EBUSY; });
  return r;
}
int pthread_rwlock_timedrdlock(pthread_rwlock_t* l, const struct timespec* t) {
  uint64_t key;
  if (!sync_key(l, &key)) return IPCRACE_REAL(pthread_rwlock_timedrdlock)(l, t);
  auto tr = IPCRACE_REAL(pthread_rwlock_tryrdlock);
  return timed_lock(OpKind::rdlock, res_of_key(key), IPCRACE_PC, abs_deadline(CLOCK_REALTIME, t), [&] { return tr(l); });
}
int pthread_rwlock_timedwrlock(pthread_rwlock_t* l, const struct timespec* t) {
  uint64_t key;
  if (!sync_key(l, &key)) return IPCRACE_REAL(pthread_rwlock_timedwrlock)(l, t);
  auto tw = IPCRACE_REAL(pthread_rwlock_trywrlock);
  return timed_lock(OpKind::lock, res_of_key(key), IPCRACE_PC, abs_deadline(CLOCK_REALTIME, t), [&] { return tw(l); });
}
int pthread_rwlock_clockrdlock(pthread_rwlock_t* l, clockid_t clk, const struct timespec* t) {
  uint64_t key;
  if (!sync_key(l, &key)) return IPCRACE_REAL(pthread_rwlock_clockrdlock)(l, clk, t);
  auto tr = IPCRACE_REAL(pthread_rwlock_tryrdlock);
  return timed_lock(OpKind::rdlock, res_of_key(key), IPCRACE_PC, abs_deadline(clk, t), [&] { return tr(l); });
}
int pthread_rwlock_clockwrlock(pthread_rwlock_t* l, clockid_t clk, const struct timespec* t) {
  uint64_t key;
  if (!sync_key(l, &key)) return IPCRACE_REAL(pthread_rwlock_clockwrlock)(l, clk, t);
  auto tw = IPCRACE_REAL(pthread_rwlock_trywrlock);
  return timed_lock(OpKind::lock, res_of_key(key), IPCRACE_PC, abs_deadline(clk, t), [&] { return tw(l); });
}
int pthread_rwlock_tryrdlock(pthread_rwlock_t* l) {
  uint64_t key;
  if (sync_key(l, &key)) point(OpKind::rdlock, res_of_key(key), IPCRACE_PC);
  return IPCRACE_REAL(pthread_rwlock_tryrdlock)(l);
}
int pthread_rwlock_trywrlock(pthread_rwlock_t* l) {
  uint64_t key;
  if (sync_key(l, &key)) point(OpKind::lock, res_of_key(key), IPCRACE_PC);
  return IPCRACE_REAL(pthread_rwlock_trywrlock)(l);
}
int pthread_rwlock_unlock(pthread_rwlock_t* l) {
  uint64_t key;
  if (sync_key(l, &key)) point(OpKind::unlock, res_of_key(key), IPCRACE_PC);
  return IPCRACE_REAL(pthread_rwlock_unlock)(l);
}

// ---- spin locks -------------------------------------------------------------------------

int pthread_spin_lock(pthread_spinlock_t* l) {
  uint64_t key;
  if (!sync_key((const void*)l, &key)) return IPCRACE_REAL(pthread_spin_lock)(l);
  auto t = IPCRACE_REAL(pthread_spin_trylock);
  int r = 0;
  blocking(OpKind::lock, res_of_key(key), IPCRACE_PC, [&] { return (r = t(l)) != EBUSY; });
  return r;
}
int pthread_spin_unlock(pthread_spinlock_t* l) {
  uint64_t key;
  if (sync_key((const void*)l, &key)) point(OpKind::unlock, res_of_key(key), IPCRACE_PC);
  return IPCRACE_REAL(pthread_spin_unlock)(l);
}

// ---- semaphores -------------------------------------------------------------------------

int sem_wait(sem_t* s) {
  uint64_t key;
  if (!sync_key(s, &key)) return IPCRACE_REAL(sem_wait)(s);
  return sem_wait_until(s, res_of_key(key), 0, IPCRACE_PC);
}
int sem_timedwait(sem_t* s, const struct timespec* abstime) {
  uint64_t key;
  if (!sync_key(s, &key)) return IPCRACE_REAL(sem_timedwait)(s, abstime);
  return sem_wait_until(s, res_of_key(key), abs_deadline(CLOCK_REALTIME, abstime), IPCRACE_PC);
}
int sem_clockwait(sem_t* s, clockid_t clk, const struct timespec* abstime) {
  uint64_t key;
  if (!sync_key(s, &key)) return IPCRACE_REAL(sem_clockwait)(s, clk, abstime);
  return sem_wait_until(s, res_of_key(key), abs_deadline(clk, abstime), IPCRACE_PC);
}
int sem_trywait(sem_t* s) {
  uint64_t key;
  if (sync_key(s, &key)) point(OpKind::sem_wait, res_of_key(key), IPCRACE_PC);
  return IPCRACE_REAL(sem_trywait)(s);
}
int sem_post(sem_t* s) {
  uint64_t key;
  if (sync_key(s, &key)) point(OpKind::sem_post, res_of_key(key), IPCRACE_PC);
  return IPCRACE_REAL(sem_post)(s);
}
int sem_close(sem_t* s) {
  if (g_cb) remove_range(reinterpret_cast<uintptr_t>(s), sizeof(sem_t));
  return IPCRACE_REAL(sem_close)(s);
}
sem_t* sem_open(const char* name, int oflag, ...) {
  va_list ap;
  va_start(ap, oflag);
  mode_t mode = (oflag & O_CREAT) ? mode_t(va_arg(ap, unsigned)) : 0;
  unsigned value = (oflag & O_CREAT) ? va_arg(ap, unsigned) : 0;
  va_end(ap);
  sem_t* s = IPCRACE_REAL(sem_open)(name, oflag, mode, value);
  // glibc maps /dev/shm/sem.<name> itself (not through the runtime's mmap):
  // the semaphore is made a shared range here, keyed by that file, so its
  // waits are tries in every process that opens it (the real sem_wait
  // blocked the one running actor in the kernel).
  if (s != SEM_FAILED && g_cb) {
    char path[ExecNames::kLen + 16];
    const char* n = name[0] == '/' ? name + 1 : name;
    struct stat st;
    if (strlen(n) + 14 < sizeof path) {
      memcpy(path, "/dev/shm/sem.", 13);
      memcpy(path + 13, n, strlen(n) + 1);
      if (stat(path, &st) == 0) {
        const uint64_t id = uint64_t(st.st_dev) << 40 ^ uint64_t(st.st_ino) ^ (uint64_t(1) << 63);
        add_range(reinterpret_cast<uintptr_t>(s), sizeof(sem_t), (uint64_t(1) << 63) + (uint64_t(object_index(id) + 1) << 40));
      }
    }
  }
  if (s != SEM_FAILED && (oflag & O_CREAT)) {
    char buf[ExecNames::kLen];
    const char* n = name[0] == '/' ? name + 1 : name;
    if (strlen(n) + 6 < sizeof buf) {
      memcpy(buf, "/sem.", 5);
      memcpy(buf + 5, n, strlen(n) + 1);
      record_name(1, buf);  // /dev/shm/sem.<name>
    }
  }
  return s;
}

}  // extern "C"
