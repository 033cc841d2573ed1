/* Threads: a consumer waits for `ready` with `if` (not `while`) while the
 * producer sets it and signals without holding the mutex: the signal can land
 * between the consumer's check and its wait, a lost wakeup (a deadlock).
 * -DFIXED: the producer sets and signals under the mutex, the consumer loops.
 * Minimal interleaving: one preemption (consumer checked, then producer). */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int ready;

static void* producer(void* arg) {
  (void)arg;
#ifdef FIXED
  pthread_mutex_lock(&m);
  ready = 1;
  pthread_cond_signal(&cv);
  pthread_mutex_unlock(&m);
#else
  ready = 1;
  pthread_cond_signal(&cv);
#endif
  return NULL;
}

int main(void) {
  pthread_t t;
  pthread_create(&t, NULL, producer, NULL);
  pthread_mutex_lock(&m);
#ifdef FIXED
  while (!ready) pthread_cond_wait(&cv, &m);
#else
  if (!ready) pthread_cond_wait(&cv, &m);
#endif
  pthread_mutex_unlock(&m);
  pthread_join(t, NULL);
  puts("consumed");
  return 0;
}
