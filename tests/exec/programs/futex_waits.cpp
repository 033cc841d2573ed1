/* futex_waits.cpp: a correct C++20 program whose threads wait in
 * libstdc++'s atomic waits, which block in raw futex system calls:
 * std::latch, std::counting_semaphore (with a timed try_acquire_for that
 * must time out: nobody releases it), std::atomic<int>::wait/notify_all.
 * Every schedule exits 0; left to the kernel, the first futex wait would
 * block the one running actor and hang the run. Exit status: the number of
 * the first check that failed.
 */
#include <atomic>
#include <chrono>
#include <latch>
#include <semaphore>
#include <thread>

int main() {
  std::latch start(3);
  std::counting_semaphore<8> done(0), never(0);
  std::atomic<int> stage{0}, sum{0};
  auto worker = [&](int v) {
    start.arrive_and_wait();
    stage.wait(0);  // until main moves on
    sum.fetch_add(v);
    done.release();
  };
  std::thread a(worker, 1), b(worker, 2);
  start.arrive_and_wait();
  if (never.try_acquire_for(std::chrono::milliseconds(50))) return 1;  // times out (virtual time)
  stage.store(1);
  stage.notify_all();
  done.acquire();
  done.acquire();
  a.join();
  b.join();
  return sum.load() == 3 ? 0 : 2;
}
