// spsc_publish_early.cpp: a producer process streams sequence numbers to a
// consumer process through a single-producer single-consumer ring of
// std::atomic indices in MAP_SHARED memory.
//
// Bug (broken lock-free ring, index published before the slot): the producer
// advances `head` first and writes the slot after ("the consumer is slower
// anyway").
// Minimal interleaving (1 preemption): the producer stores head = h + 1 and
// is preempted; the consumer sees head != tail, reads slot h (still empty or
// the previous lap's value) and finds the wrong sequence number: exit 1.
// Fix (-DFIXED): write the slot, then publish head with a release store (the
// consumer loads head with acquire).
//
// Shape: std::atomic in shared memory across fork, sched_yield spin-waits on
// full and empty, 2 processes + the parent, 5 messages (about 40 shared ops).
#include <sched.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <new>

namespace {

constexpr unsigned kSlots = 4;
constexpr int kMessages = 5;

struct Ring {
  std::atomic<unsigned> head{0};  // next slot the producer fills
  std::atomic<unsigned> tail{0};  // next slot the consumer reads
  std::atomic<int> slot[kSlots];
};

void produce(Ring* r) {
  for (int seq = 1; seq <= kMessages; ++seq) {
    const unsigned h = r->head.load(std::memory_order_relaxed);
    while (h - r->tail.load(std::memory_order_acquire) == kSlots) sched_yield();  // full
#ifdef FIXED
    r->slot[h % kSlots].store(seq, std::memory_order_relaxed);
    r->head.store(h + 1, std::memory_order_release);
#else
    r->head.store(h + 1, std::memory_order_release);
    r->slot[h % kSlots].store(seq, std::memory_order_relaxed);
#endif
  }
}

int consume(Ring* r) {
  for (int want = 1; want <= kMessages; ++want) {
    const unsigned t = r->tail.load(std::memory_order_relaxed);
    while (r->head.load(std::memory_order_acquire) == t) sched_yield();  // empty
    const int got = r->slot[t % kSlots].load(std::memory_order_relaxed);
    r->tail.store(t + 1, std::memory_order_release);
    if (got != want) {
      std::fprintf(stderr, "spsc_publish_early: slot %u held %d, expected %d\n", t % kSlots, got, want);
      return 1;
    }
  }
  return 0;
}

}  // namespace

int main() {
  void* mem = mmap(nullptr, sizeof(Ring), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) return 99;
  Ring* r = new (mem) Ring;
  for (auto& s : r->slot) s.store(0);
  const pid_t p = fork();
  if (p == 0) {
    produce(r);
    _exit(0);
  }
  const pid_t c = fork();
  if (c == 0) _exit(consume(r));
  int sp = 0, sc = 0;
  waitpid(p, &sp, 0);
  waitpid(c, &sc, 0);
  if (!WIFEXITED(sc) || WEXITSTATUS(sc) != 0) return 1;
  return WIFEXITED(sp) && WEXITSTATUS(sp) == 0 ? 0 : 98;
}
