// Heap blocks freed in a process with thread actors are not reused within
// the run (a quarantine, up to kQuarantineCap bytes per process).
//
// The race detector knows nothing of malloc: when glibc handed a block one
// thread freed to another thread's malloc (std::thread's state, a message a
// consumer freed and the producer's next one), the new owner's first write
// and the old owner's last access looked like a race: a false finding on a
// correct program (ThreadSanitizer resets the shadow of every allocation;
// with no allocation events in the step stream, a block is simply never
// handed out twice). Every run is a fresh process, so what is kept ends with
// it; past the cap, blocks are freed for real (then such a false report is
// possible again: the cap is far above what test programs free in a run).
#include <malloc.h>

#include "rt.hpp"

using namespace ipcrace::rt;

extern "C" {
void* __libc_malloc(size_t);
void __libc_free(void*);
void* __libc_realloc(void*, size_t);
}

namespace {

constexpr size_t kQuarantineCap = size_t(256) << 20;
size_t g_quarantined = 0;  // one actor runs at a time

// Freed blocks are kept only in a threaded process, freed by an actor.
bool quarantining() { return g_mt && active(); }

bool quarantine(void* p) {
  if (!quarantining()) return false;
  const size_t n = malloc_usable_size(p);
  if (g_quarantined + n > kQuarantineCap) return false;
  g_quarantined += n;
  return true;
}

}  // namespace

extern "C" {

void free(void* p) {
  if (p && quarantine(p)) return;
  __libc_free(p);
}

void* realloc(void* p, size_t n) {
  if (!p || !quarantining()) return __libc_realloc(p, n);
  if (n == 0) {
    free(p);
    return nullptr;
  }
  const size_t old = malloc_usable_size(p);
  if (n <= old) return p;
  void* q = __libc_malloc(n);
  if (!q) return nullptr;
  raw_copy(q, p, old);  // not memcpy: the interposer's points, in the middle of libc
  free(p);
  return q;
}

}  // extern "C"
