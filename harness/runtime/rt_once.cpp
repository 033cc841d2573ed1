// Interposed one-time initialisation: pthread_once (std::call_once's) and the
// C++ ABI's guards of function-local statics (__cxa_guard_*).
//
// glibc and libstdc++ make a second caller wait for a running initialiser in
// a futex the runtime cannot see (the run hung), and libstdc++'s release of a
// guard is an uninstrumented store, so the inline fast path's acquire load of
// the guard was ordered after nothing (a false data race between a static's
// constructor and its first reader). Here, in a process with thread actors
// (or for a word in shared memory), taking the word or waiting for its end
// is one try, a sem_wait (the race detector orders the initialiser's writes
// before every caller's return), and the end is a sem_post, plus for a guard
// the release store the fast path reads. Elsewhere the real functions run.
//
// Encodings are the originals', so a word the real code completed before
// (while the process had one thread) is done here too: pthread_once_t 0 (not
// run), odd (running), 2 (done: __PTHREAD_ONCE_DONE); a guard's first int
// 0, 0x100 (pending, libstdc++'s pending bit) or with bit 0 set (done: the
// byte the compiler's fast path tests). As with glibc (GCC PR 66146), an
// exception thrown from pthread_once's init leaves the word running: later
// callers deadlock, a deadlock finding, not a hang.
#include <pthread.h>

#include "rt.hpp"

using namespace ipcrace;
using namespace ipcrace::rt;

extern "C" {
int __cxa_guard_acquire(int64_t* g);
void __cxa_guard_release(int64_t* g);
void __cxa_guard_abort(int64_t* g);
}

namespace {

// Waits until `w` is done (returns false) or free (claims it: true).
bool claim(int* w, uint16_t res, const void* pc, bool (*done)(int), bool (*running)(int), int claimed) {
  bool mine = false;
  blocking(OpKind::sem_wait, res, pc, [&] {
    const int v = __atomic_load_n(w, __ATOMIC_ACQUIRE);
    if (done(v)) return true;
    if (running(v)) return false;
    __atomic_store_n(w, claimed, __ATOMIC_RELAXED);
    mine = true;
    return true;
  });
  return mine;
}

}  // namespace

extern "C" {

int pthread_once(pthread_once_t* o, void (*init)(void)) {
  uint64_t key;
  if (!sync_key(o, &key)) return IPCRACE_REAL(pthread_once)(o, init);
  auto* w = reinterpret_cast<int*>(o);
  const uint16_t res = res_of_key(key);
  const void* pc = IPCRACE_PC;
  if (!claim(w, res, pc, [](int v) { return v == 2; }, [](int v) { return (v & 1) != 0; }, 1)) return 0;
  init();
  point(OpKind::sem_post, res, pc);
  __atomic_store_n(w, 2, __ATOMIC_RELEASE);
  return 0;
}

int __cxa_guard_acquire(int64_t* g) {
  uint64_t key;
  if (!sync_key(g, &key)) return IPCRACE_REAL(__cxa_guard_acquire)(g);
  auto* w = reinterpret_cast<int*>(g);
  return claim(w, res_of_key(key), IPCRACE_PC, [](int v) { return (v & 1) != 0; },
               [](int v) { return (v & 0xff00) != 0; }, 0x100);
}

void __cxa_guard_release(int64_t* g) {
  uint64_t key;
  if (!sync_key(g, &key)) return IPCRACE_REAL(__cxa_guard_release)(g);
  const void* pc = IPCRACE_PC;
  point(OpKind::sem_post, res_of_key(key), pc);
  // The store the compiler's inline test (an acquire load of the first byte) reads.
  shm_access(OpKind::shm_store, reinterpret_cast<uintptr_t>(g), 1, MemOrder::release, pc, true);
  __atomic_store_n(reinterpret_cast<int*>(g), 1, __ATOMIC_RELEASE);
}

void __cxa_guard_abort(int64_t* g) {
  uint64_t key;
  if (!sync_key(g, &key)) return IPCRACE_REAL(__cxa_guard_abort)(g);
  point(OpKind::sem_post, res_of_key(key), IPCRACE_PC);
  __atomic_store_n(reinterpret_cast<int*>(g), 0, __ATOMIC_RELEASE);
}

}  // extern "C"
