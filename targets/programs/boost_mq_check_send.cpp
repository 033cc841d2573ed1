// boost_mq_check_send.cpp: two producer processes push orders into a
// Boost.Interprocess message_queue of capacity 1; the parent consumes and
// counts them.
//
// Bug (check-then-act on a queue): a producer checks get_num_msg() <
// get_max_msg(), then calls try_send() and counts the order as sent without
// looking at its result ("we just checked there is room").
// Minimal interleaving (1 preemption): both producers see the queue empty;
// one try_send succeeds; the other's fails (the queue is full) and the order
// is silently dropped. The parent receives fewer orders than the producers
// counted as sent: exit 1.
// Fix (-DFIXED): retry try_send until it succeeds (yielding while the queue is
// full), so a sent order is one the queue took.
//
// Shape: Boost.Interprocess message_queue (a shared memory segment with its
// own process-shared mutex and condition variables), fork/waitpid, a shared
// "sent" counter in MAP_SHARED memory, sched_yield, 3 processes.
#include <sched.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <boost/interprocess/ipc/message_queue.hpp>
#include <cstdio>
#include <string>

namespace bip = boost::interprocess;

namespace {

constexpr int kProducers = 2;
constexpr int kOrders = 2;

int produce(const char* name, int id, std::atomic<int>* sent) {
  bip::message_queue q(bip::open_only, name);
  for (int i = 0; i < kOrders; ++i) {
    const int order = id * 100 + i;
    for (;;) {
      if (q.get_num_msg() < q.get_max_msg()) {
#ifdef FIXED
        if (!q.try_send(&order, sizeof order, 0)) continue;
#else
        q.try_send(&order, sizeof order, 0);  // "there is room: we just checked"
#endif
        sent->fetch_add(1);
        break;
      }
      sched_yield();
    }
  }
  return 0;
}

}  // namespace

int main() {
  const std::string name = "boost_mq_check_send." + std::to_string(getpid());
  bip::message_queue::remove(name.c_str());
  auto* sent = static_cast<std::atomic<int>*>(
      mmap(nullptr, sizeof(std::atomic<int>), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
  sent->store(0);
  int received = 0;
  {
    bip::message_queue q(bip::create_only, name.c_str(), 1, sizeof(int));
    pid_t pids[kProducers];
    for (int p = 0; p < kProducers; ++p) {
      pids[p] = fork();
      if (pids[p] == 0) _exit(produce(name.c_str(), p + 1, sent));
    }
    // Receive until both producers are gone and the queue is empty.
    int alive = kProducers;
    while (alive > 0 || q.get_num_msg() > 0) {
      int order = 0;
      unsigned prio = 0;
      bip::message_queue::size_type got = 0;
      if (q.try_receive(&order, sizeof order, got, prio)) {
        ++received;
        continue;
      }
      int st = 0;
      if (waitpid(-1, &st, WNOHANG) > 0) --alive;
      else sched_yield();
    }
  }
  bip::message_queue::remove(name.c_str());
  if (received != sent->load()) {
    std::fprintf(stderr, "boost_mq_check_send: producers sent %d orders, the consumer got %d\n", sent->load(),
                 received);
    return 1;
  }
  return 0;
}
