/* fcntl_lock_threads.c: a service's worker threads charge requests to
 * per-account balances in a table on the heap; each charge is a
 * read-modify-write of the balance and of the table's total, done under an
 * fcntl write lock on the service's lock file (code that ran as worker
 * processes before it ran as threads). Each thread opens the lock file
 * itself.
 *
 * Bug (inconsistent locking: a lock that excludes nobody): fcntl record
 * locks (F_SETLKW) belong to the process, not the thread, so every thread of
 * the service gets the lock at once.
 * Minimal interleaving (1 preemption): thread A locks and reads the total
 * t, is preempted; thread B locks too (same process), reads t, stores t+1;
 * A stores t+1. A charge is lost and main's check of the total fails
 * (exit 1).
 * Fix (-DFIXED): open file description locks (F_OFD_SETLKW, Linux 3.15):
 * they belong to the descriptor each thread opened, so threads exclude
 * each other.
 *
 * Shape: pthread_create threads, the lock file a shm_open object (the run's
 * cleanup removes it), 3 workers, 2 charges each.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define THREADS 3
#define CHARGES 2

#ifdef FIXED
#define SETLKW F_OFD_SETLKW
#define SETLK F_OFD_SETLK
#else
#define SETLKW F_SETLKW
#define SETLK F_SETLK
#endif

struct table {
  long balance[THREADS];
  long total;
};
static struct table* tab;
static char lockname[64];

static int set_lock(int fd, int cmd, short type) {
  struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0, .l_pid = 0};
  return fcntl(fd, cmd, &fl);
}

static void* worker(void* arg) {
  const long account = (long)arg;
  const int fd = shm_open(lockname, O_RDWR, 0);
  if (fd < 0) return (void*)1;
  for (int i = 0; i < CHARGES; ++i) {
    if (set_lock(fd, SETLKW, F_WRLCK) != 0) return (void*)1;
    tab->balance[account] += 1;
    const long t = tab->total;
    tab->total = t + 1;
    if (set_lock(fd, SETLK, F_UNLCK) != 0) return (void*)1;
  }
  close(fd);
  return NULL;
}

int main(void) {
  snprintf(lockname, sizeof lockname, "/fcntl_lock_threads.%d", (int)getpid());
  const int fd = shm_open(lockname, O_CREAT | O_EXCL | O_RDWR, 0600);
  if (fd < 0) {
    perror("shm_open");
    return 99;
  }
  close(fd);
  tab = calloc(1, sizeof *tab);
  pthread_t t[THREADS];
  int bad = 0;
  for (long i = 0; i < THREADS; ++i)
    if (pthread_create(&t[i], NULL, worker, (void*)i) != 0) return 99;
  for (int i = 0; i < THREADS; ++i) {
    void* r = NULL;
    if (pthread_join(t[i], &r) != 0 || r != NULL) bad = 1;
  }
  shm_unlink(lockname);
  if (bad) return 98;
  if (tab->total != THREADS * CHARGES) {
    fprintf(stderr, "fcntl_lock_threads: lost charge: total = %ld, expected %d\n", tab->total, THREADS * CHARGES);
    return 1;
  }
  free(tab);
  return 0;
}
