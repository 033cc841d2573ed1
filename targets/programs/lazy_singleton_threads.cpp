// lazy_singleton_threads.cpp: request threads share a lazily created
// connection pool (a global pointer); the first thread to need it creates it.
//
// Bug (double initialisation, broken double-checked locking): `if (!pool) {
// lock; pool = new Pool; unlock; }`: the check is outside the lock and is not
// repeated inside it.
// Minimal interleaving (1 preemption): thread A sees pool == nullptr and is
// preempted before locking; thread B sees nullptr, locks, creates the pool,
// registers with it; A locks and creates a second pool, dropping B's. The
// check (one pool created, every thread registered in it) fails (exit 1).
// Fix (-DFIXED): the check is repeated under the lock (and the pointer is a
// std::atomic, so the unlocked read is not a data race).
//
// Shape: pthread_create threads, a pthread mutex, 3 threads.
#include <pthread.h>

#include <atomic>
#include <cstdio>

namespace {

struct Pool {
  int users = 0;
};

std::atomic<int> pools_created{0};
std::atomic<Pool*> pool{nullptr};
pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
constexpr int kThreads = 3;

Pool* get_pool() {
  if (pool.load() == nullptr) {
    pthread_mutex_lock(&pool_lock);
#ifdef FIXED
    if (pool.load() == nullptr)
#endif
    {
      pools_created.fetch_add(1);
      pool.store(new Pool);
    }
    pthread_mutex_unlock(&pool_lock);
  }
  return pool.load();
}

void* request(void*) {
  Pool* p = get_pool();
  pthread_mutex_lock(&pool_lock);
  p->users++;
  pthread_mutex_unlock(&pool_lock);
  return nullptr;
}

}  // namespace

int main() {
  pthread_t t[kThreads];
  for (pthread_t& x : t) pthread_create(&x, nullptr, request, nullptr);
  for (pthread_t& x : t) pthread_join(x, nullptr);
  const int users = pool.load()->users;
  delete pool.load();  // (the racy variant leaks the pool it lost)
  if (pools_created.load() != 1 || users != kThreads) {
    std::fprintf(stderr, "lazy_singleton: %d pools created, %d of %d threads in the last one\n",
                 pools_created.load(), users, kThreads);
    return 1;
  }
  return 0;
}
