/* struct_nolock_threads.c: a reloader thread swaps the service's endpoint
 * {port, backup_port} (a global struct) under `cfg_lock`; worker threads read
 * it to connect.
 *
 * Bug (torn multi-word read, a struct read without the lock): the workers
 * copy the struct without taking cfg_lock ("reads don't need the lock").
 * Minimal interleaving (1 preemption): a worker copies `port` (old) and is
 * preempted; the reloader writes both fields; the worker copies
 * `backup_port` (new): a pair that never existed (backup_port != port + 1),
 * exit 1.
 * Fix (-DFIXED): the workers copy the struct under cfg_lock.
 *
 * Shape: pthread_create threads, a global struct, 1 writer + 2 readers.
 */
#include <pthread.h>
#include <stdio.h>

#define RELOADS 3
#define READERS 2
#define READS 2

struct endpoint {
  int port;
  int backup_port; /* always port + 1 */
};

static pthread_mutex_t cfg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct endpoint cfg = {8000, 8001};
static int torn;

static void* reloader(void* arg) {
  (void)arg;
  for (int i = 1; i <= RELOADS; ++i) {
    pthread_mutex_lock(&cfg_lock);
    cfg.port = 8000 + 10 * i;
    cfg.backup_port = 8000 + 10 * i + 1;
    pthread_mutex_unlock(&cfg_lock);
  }
  return NULL;
}

static void* reader(void* arg) {
  (void)arg;
  for (int i = 0; i < READS; ++i) {
    struct endpoint e;
#ifdef FIXED
    pthread_mutex_lock(&cfg_lock);
    e = cfg;
    pthread_mutex_unlock(&cfg_lock);
#else
    e.port = *(volatile int*)&cfg.port;
    e.backup_port = *(volatile int*)&cfg.backup_port;
#endif
    if (e.backup_port != e.port + 1) __atomic_fetch_add(&torn, 1, __ATOMIC_RELAXED);
  }
  return NULL;
}

int main(void) {
  pthread_t w, r[READERS];
  pthread_create(&w, NULL, reloader, NULL);
  for (int i = 0; i < READERS; ++i) pthread_create(&r[i], NULL, reader, NULL);
  pthread_join(w, NULL);
  for (int i = 0; i < READERS; ++i) pthread_join(r[i], NULL);
  if (torn) {
    fprintf(stderr, "struct_nolock: %d torn endpoint reads\n", torn);
    return 1;
  }
  return 0;
}
