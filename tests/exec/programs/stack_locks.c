/* stack_locks.c: a correct threads program whose locks, semaphore, barrier
 * and flag all live in main's frame (a struct passed to the workers by
 * pointer), and main takes part. A thread's own stack is private to its plain
 * accesses under ipcrace exec, but a lock, a semaphore, a barrier or an
 * atomic word there is shared: main's lock of its own mutex was the real,
 * blocking one (the run hung while a worker held it at a point), and its
 * spin on its own flag (an acquire load, no yield) was no point at all. Every schedule exits
 * 0. Exit status: the number of the first check that failed.
 */
#include <pthread.h>
#include <semaphore.h>

struct ctx {
  pthread_mutex_t m;
  pthread_spinlock_t s;
  pthread_rwlock_t rw;
  pthread_barrier_t b;
  sem_t items;
  int flag; /* atomic builtins */
  long n, k, r;
};

static long seen;  /* a global: main's accesses to it are points */

static void* worker(void* p) {
  struct ctx* c = p;
  for (int i = 0; i < 3; ++i) {
    pthread_mutex_lock(&c->m);
    c->n++;
    pthread_mutex_unlock(&c->m);
    pthread_spin_lock(&c->s);
    c->k++;
    pthread_spin_unlock(&c->s);
    pthread_rwlock_wrlock(&c->rw);
    c->r++;
    pthread_rwlock_unlock(&c->rw);
  }
  sem_post(&c->items);
  if (pthread_barrier_wait(&c->b) == PTHREAD_BARRIER_SERIAL_THREAD) __atomic_store_n(&c->flag, 1, __ATOMIC_RELEASE);
  return 0;
}

int main(void) {
  struct ctx c = {PTHREAD_MUTEX_INITIALIZER};
  pthread_spin_init(&c.s, PTHREAD_PROCESS_PRIVATE);
  pthread_rwlock_init(&c.rw, 0);
  pthread_barrier_init(&c.b, 0, 3);
  sem_init(&c.items, 0, 0);
  pthread_t t[2];
  for (int i = 0; i < 2; ++i) pthread_create(&t[i], 0, worker, &c);
  for (int i = 0; i < 3; ++i) {
    pthread_mutex_lock(&c.m);
    seen = c.n;
    c.n++;
    pthread_mutex_unlock(&c.m);
    pthread_spin_lock(&c.s);
    seen += c.k;
    c.k++;
    pthread_spin_unlock(&c.s);
    pthread_rwlock_wrlock(&c.rw);
    seen += c.r;
    c.r++;
    pthread_rwlock_unlock(&c.rw);
  }
  sem_wait(&c.items);
  sem_wait(&c.items);
  if (pthread_barrier_wait(&c.b) == PTHREAD_BARRIER_SERIAL_THREAD) __atomic_store_n(&c.flag, 1, __ATOMIC_RELEASE);
  while (!__atomic_load_n(&c.flag, __ATOMIC_ACQUIRE)) {
  }
  for (int i = 0; i < 2; ++i) pthread_join(t[i], 0);
  if (c.n != 9) return 1;
  if (c.k != 9) return 2;
  if (c.r != 9) return 3;
  return 0;
}
