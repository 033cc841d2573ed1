/* shm_counter.c: three worker processes count requests in a shm_open segment.
 *
 * Bug (atomicity violation, lost update): each worker does `hits = hits + 1`
 * on a volatile word of shared memory: a load, then a store.
 * Minimal interleaving (1 preemption): worker A loads hits (n), is preempted;
 * worker B loads n, stores n+1; A stores n+1. One increment is lost and the
 * parent's check `hits == WORKERS * ROUNDS` fails (exit 1).
 * Fix (-DFIXED): the increment is done under a process-shared pthread mutex
 * that lives in the segment.
 *
 * Shape: its own fork/waitpid plumbing, shm_open + ftruncate + mmap, exit code
 * as the verdict. 3 processes, 4 increments each (24 shared accesses);
 * argv[1] sets the increments per worker (16: about 100 points per run, the
 * performance benchmark's program).
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define WORKERS 3
static int ROUNDS = 4;

struct stats {
  pthread_mutex_t lock;
  volatile long hits;
};

static void work(struct stats* s) {
  for (int i = 0; i < ROUNDS; ++i) {
#ifdef FIXED
    pthread_mutex_lock(&s->lock);
    s->hits = s->hits + 1;
    pthread_mutex_unlock(&s->lock);
#else
    s->hits = s->hits + 1;
#endif
  }
}

int main(int argc, char** argv) {
  if (argc > 1) ROUNDS = atoi(argv[1]);
  char name[64];
  snprintf(name, sizeof name, "/shm_counter.%d", (int)getpid());
  int fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
  if (fd < 0 || ftruncate(fd, sizeof(struct stats)) != 0) {
    perror("shm_open");
    return 99;
  }
  struct stats* s = mmap(NULL, sizeof *s, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  if (s == MAP_FAILED) {
    perror("mmap");
    shm_unlink(name);
    return 99;
  }
  pthread_mutexattr_t a;
  pthread_mutexattr_init(&a);
  pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
  pthread_mutex_init(&s->lock, &a);
  s->hits = 0;

  pid_t pids[WORKERS];
  for (int w = 0; w < WORKERS; ++w) {
    pids[w] = fork();
    if (pids[w] < 0) {
      perror("fork");
      return 99;
    }
    if (pids[w] == 0) {
      work(s);
      _exit(0);
    }
  }
  int bad = 0;
  for (int w = 0; w < WORKERS; ++w) {
    int st = 0;
    if (waitpid(pids[w], &st, 0) != pids[w] || !WIFEXITED(st) || WEXITSTATUS(st) != 0) bad = 1;
  }
  long hits = s->hits;
  munmap(s, sizeof *s);
  shm_unlink(name);
  if (bad) return 98;
  if (hits != WORKERS * ROUNDS) {
    fprintf(stderr, "shm_counter: lost update: hits = %ld, expected %d\n", hits, WORKERS * ROUNDS);
    return 1;
  }
  return 0;
}
