/* log_fastpath_threads.c: worker threads append records to an in-memory log
 * (a global array and a next-slot index) guarded by `log_lock`.
 *
 * Bug (inconsistent locking, a field written under no lock): the "fast path"
 * used for short records skips the lock ("it is just one word"), so
 * `log_next++` and the slot write race with the locked path.
 * Minimal interleaving (1 preemption): the locked appender loads log_next (k)
 * and is preempted; the fast path loads k, writes slot k, stores k+1; the
 * locked appender writes slot k (overwriting) and stores k+1. One record is
 * lost: the check that every (thread, seq) pair is in the log fails (exit 1).
 * Fix (-DFIXED): the fast path takes log_lock like the slow path.
 *
 * Shape: pthread_create threads, globals, 3 threads x 3 records.
 */
#include <pthread.h>
#include <stdio.h>

#define THREADS 3
#define RECORDS 3

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static int log_slots[THREADS * RECORDS];
static int log_next;

static void append_locked(int rec) {
  pthread_mutex_lock(&log_lock);
  int k = log_next;
  log_slots[k] = rec;
  log_next = k + 1;
  pthread_mutex_unlock(&log_lock);
}

static void append_fast(int rec) {
#ifdef FIXED
  append_locked(rec);
#else
  int k = log_next; /* no lock: "short records are cheap" */
  log_slots[k] = rec;
  log_next = k + 1;
#endif
}

static void* worker(void* arg) {
  int id = (int)(long)arg;
  for (int s = 0; s < RECORDS; ++s) {
    int rec = id * 100 + s + 1;
    if (id == 0)
      append_fast(rec);
    else
      append_locked(rec);
  }
  return NULL;
}

int main(void) {
  pthread_t t[THREADS];
  for (long i = 0; i < THREADS; ++i) pthread_create(&t[i], NULL, worker, (void*)i);
  for (int i = 0; i < THREADS; ++i) pthread_join(t[i], NULL);
  int missing = 0;
  for (int id = 0; id < THREADS; ++id)
    for (int s = 0; s < RECORDS; ++s) {
      int rec = id * 100 + s + 1, found = 0;
      for (int k = 0; k < log_next; ++k) found |= log_slots[k] == rec;
      missing += !found;
    }
  if (log_next != THREADS * RECORDS || missing) {
    fprintf(stderr, "log_fastpath: %d records logged, %d missing, expected %d\n", log_next, missing,
            THREADS * RECORDS);
    return 1;
  }
  return 0;
}
