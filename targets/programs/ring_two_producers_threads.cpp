// ring_two_producers_threads.cpp: a ring written for one producer (an SPSC
// queue of std::atomic indices) gets a second producer thread when the
// service grows a second input.
//
// Bug (broken lock-free ring, SPSC used by two producers): push() reads head,
// fills the slot, stores head + 1; two producers can read the same head.
// Minimal interleaving (1 preemption): producer A loads head (h) and is
// preempted; producer B loads h, fills slot h, stores h + 1; A fills slot h
// too (overwriting B's item) and stores h + 1. One item is lost: the consumer
// drains fewer items than were pushed and the program exits 1.
// Fix (-DFIXED): producers serialise push() on a mutex (the ring stays SPSC
// for the consumer).
//
// Shape: pthread_create threads, std::atomic indices, sched_yield when full,
// main joins the producers then sets a done flag, 2 producers + 1 consumer.
#include <pthread.h>
#include <sched.h>

#include <atomic>
#include <cstdio>

namespace {

constexpr unsigned kSlots = 8;
constexpr int kPerProducer = 3;

std::atomic<unsigned> head{0}, tail{0};
std::atomic<int> slots[kSlots];
std::atomic<bool> done{false};
#ifdef FIXED
pthread_mutex_t push_lock = PTHREAD_MUTEX_INITIALIZER;
#endif

void push(int v) {
#ifdef FIXED
  pthread_mutex_lock(&push_lock);
#endif
  const unsigned h = head.load(std::memory_order_relaxed);
  while (h - tail.load(std::memory_order_acquire) == kSlots) sched_yield();
  slots[h % kSlots].store(v, std::memory_order_relaxed);
  head.store(h + 1, std::memory_order_release);
#ifdef FIXED
  pthread_mutex_unlock(&push_lock);
#endif
}

void* producer(void* arg) {
  const int base = static_cast<int>(reinterpret_cast<long>(arg));
  for (int i = 1; i <= kPerProducer; ++i) push(base + i);
  return nullptr;
}

int received = 0, sum = 0;

void* consumer(void*) {
  for (;;) {
    const unsigned t = tail.load(std::memory_order_relaxed);
    if (head.load(std::memory_order_acquire) == t) {
      if (done.load(std::memory_order_acquire) && head.load(std::memory_order_acquire) == t) return nullptr;
      sched_yield();
      continue;
    }
    sum += slots[t % kSlots].load(std::memory_order_relaxed);
    ++received;
    tail.store(t + 1, std::memory_order_release);
  }
}

}  // namespace

int main() {
  pthread_t p[2], c;
  pthread_create(&c, nullptr, consumer, nullptr);
  pthread_create(&p[0], nullptr, producer, reinterpret_cast<void*>(100L));
  pthread_create(&p[1], nullptr, producer, reinterpret_cast<void*>(200L));
  pthread_join(p[0], nullptr);
  pthread_join(p[1], nullptr);
  done.store(true, std::memory_order_release);
  pthread_join(c, nullptr);
  const int want_sum = 100 * kPerProducer + 200 * kPerProducer + 2 * (kPerProducer * (kPerProducer + 1) / 2);
  if (received != 2 * kPerProducer || sum != want_sum) {
    std::fprintf(stderr, "ring_two_producers: consumer got %d items (sum %d), expected %d (sum %d)\n", received,
                 sum, 2 * kPerProducer, want_sum);
    return 1;
  }
  return 0;
}
