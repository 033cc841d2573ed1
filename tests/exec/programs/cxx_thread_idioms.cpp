/* cxx_thread_idioms.cpp: a correct C++ program written the way C++ threads
 * code is written, every idiom of which once made a false finding under
 * ipcrace exec:
 *  - std::mutex, std::condition_variable, a counter and an std::atomic<bool>
 *    in main's frame, captured by reference (main's own lock of a mutex on
 *    its own stack was the real, blocking one: the run hung);
 *  - a spin on that atomic with no yield (its loads were no points: main
 *    spun forever in one step);
 *  - std::call_once and pthread_once (glibc waits for the running
 *    initialiser in a futex the runtime cannot see: hung);
 *  - a function-local static with a constructor (libstdc++'s guard release
 *    is an uninstrumented store: a false race between the constructor and
 *    the static's first reader);
 *  - std::thread objects in a growing vector, threads that end before the
 *    next starts, strings handed from thread to thread (a block one thread
 *    freed came back from the next malloc of another: a false race).
 * Every schedule exits 0. Exit status: the number of the first check that failed.
 */
#include <pthread.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

static std::once_flag once;
static pthread_once_t ponce = PTHREAD_ONCE_INIT;
static int inits = 0, pinits = 0;
static int table[4];

static void fill_table() {
  for (int i = 0; i < 4; ++i) table[i] = i + 1;
  ++pinits;
}

struct Config {
  int v[4];
  Config() {
    for (int i = 0; i < 4; ++i) v[i] = 2 * i;
  }
};
static const Config& config() {
  static Config c;
  return c;
}

int main() {
  std::mutex m;
  std::condition_variable cv;
  std::deque<std::string> mail;
  std::atomic<bool> go{false};
  long sum = 0;
  int done = 0;
  std::vector<std::thread> ts;
  for (int t = 0; t < 3; ++t) {
    ts.emplace_back([&, t] {
      while (!go.load(std::memory_order_acquire)) {
      }
      std::call_once(once, [] { ++inits; });
      pthread_once(&ponce, fill_table);
      const int s = config().v[3] + table[3];
      std::string note = "from " + std::to_string(t);
      std::lock_guard<std::mutex> g(m);
      sum += s;
      mail.push_back(std::move(note));
      ++done;
      cv.notify_one();
    });
    if (t == 0) go.store(true, std::memory_order_release);
  }
  {
    std::unique_lock<std::mutex> l(m);
    cv.wait(l, [&] { return done == 3; });
  }
  for (auto& t : ts) t.join();
  if (inits != 1 || pinits != 1) return 1;
  if (sum != 30) return 2;
  if (mail.size() != 3) return 3;
  for (const auto& s : mail)
    if (s.compare(0, 5, "from ") != 0) return 4;
  return 0;
}
