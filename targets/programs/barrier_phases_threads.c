/* barrier_phases_threads.c: three worker threads smooth a shared array in
 * rounds, meeting at a pthread barrier between phases.
 *
 * Bug (a missing barrier: a phase reads what the next phase overwrites):
 * each round, worker i reads its neighbours' cells (phase 1) and then writes
 * its own cell (phase 2); the program waits at the barrier after phase 2 but
 * not between the phases, so a fast worker can overwrite its cell before a
 * slow neighbour has read the old value of the round. The result then
 * differs from the sequential computation the main thread checks against.
 * Minimal interleaving (1 preemption): after the first barrier, worker 1
 * reads its neighbours and writes its new cell while worker 0 has not yet
 * read cell 1 (worker 0 is preempted between the barrier and its reads);
 * worker 0 then reads the new cell 1: the sums differ, the program exits 1.
 * Fix (-DFIXED): a second pthread_barrier_wait between reading and writing.
 *
 * Shape: pthread_create threads, pthread_barrier_wait, 3 threads + main.
 */
#include <pthread.h>
#include <stdio.h>

#define WORKERS 3
#define ROUNDS 2

static pthread_barrier_t barrier;
static long cells[WORKERS];

static void* worker(void* arg) {
  const long i = (long)arg;
  for (int r = 0; r < ROUNDS; ++r) {
    pthread_barrier_wait(&barrier);
    const long left = cells[(i + WORKERS - 1) % WORKERS], right = cells[(i + 1) % WORKERS];
#ifdef FIXED
    pthread_barrier_wait(&barrier);
#endif
    cells[i] = left + right + cells[i];
  }
  return NULL;
}

int main(void) {
  long expect[WORKERS];
  for (int i = 0; i < WORKERS; ++i) cells[i] = expect[i] = i + 1;
  for (int r = 0; r < ROUNDS; ++r) {  // the same rounds, one at a time
    long next[WORKERS];
    for (int i = 0; i < WORKERS; ++i) next[i] = expect[(i + WORKERS - 1) % WORKERS] + expect[(i + 1) % WORKERS] + expect[i];
    for (int i = 0; i < WORKERS; ++i) expect[i] = next[i];
  }
  pthread_barrier_init(&barrier, NULL, WORKERS);
  pthread_t t[WORKERS];
  for (long i = 0; i < WORKERS; ++i) pthread_create(&t[i], NULL, worker, (void*)i);
  for (int i = 0; i < WORKERS; ++i) pthread_join(t[i], NULL);
  pthread_barrier_destroy(&barrier);
  for (int i = 0; i < WORKERS; ++i)
    if (cells[i] != expect[i]) {
      printf("cell %d is %ld, expected %ld\n", i, cells[i], expect[i]);
      return 1;
    }
  return 0;
}
