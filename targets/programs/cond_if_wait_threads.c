/* cond_if_wait_threads.c: a producer thread hands jobs to two consumer
 * threads through a counter, a mutex and a condition variable.
 *
 * Bug (wait without a predicate loop): a consumer does `if (jobs == 0)
 * pthread_cond_wait(...)`, then takes a job. The producer broadcasts, so both
 * waiting consumers wake for one job; the second to reacquire the mutex takes
 * from an empty queue.
 * Minimal interleaving (2 preemptions): both consumers lock, see jobs == 0 and
 * wait; the producer adds one job and broadcasts, and is preempted before its
 * second job; consumer A takes the job; consumer B, woken by the same
 * broadcast, takes again: jobs == -1, B reports it and the program exits 1.
 * Fix (-DFIXED): `while (jobs == 0) pthread_cond_wait(...)`.
 *
 * Shape: pthread_create threads, pthread_cond_broadcast, 3 threads + main.
 */
#include <pthread.h>
#include <stdio.h>

#define CONSUMERS 2

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int jobs;
static int failures;

static void* producer(void* arg) {
  (void)arg;
  for (int i = 0; i < CONSUMERS; ++i) {
    pthread_mutex_lock(&m);
    jobs++;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&m);
  }
  return NULL;
}

static void* consumer(void* arg) {
  (void)arg;
  pthread_mutex_lock(&m);
#ifdef FIXED
  while (jobs == 0) pthread_cond_wait(&cv, &m);
#else
  if (jobs == 0) pthread_cond_wait(&cv, &m);
#endif
  jobs--;
  if (jobs < 0) failures++;
  pthread_mutex_unlock(&m);
  return NULL;
}

int main(void) {
  pthread_t c[CONSUMERS], p;
  for (int i = 0; i < CONSUMERS; ++i) pthread_create(&c[i], NULL, consumer, NULL);
  pthread_create(&p, NULL, producer, NULL);
  pthread_join(p, NULL);
  for (int i = 0; i < CONSUMERS; ++i) pthread_join(c[i], NULL);
  if (failures || jobs != 0) {
    fprintf(stderr, "cond_if_wait: a consumer took from an empty queue (jobs = %d)\n", jobs);
    return 1;
  }
  return 0;
}
