/* seqlock_torn.c: a publisher process updates a two-word price record
 * {bid, ask} in a shm_open segment under a sequence counter; a reader
 * process samples it and checks its invariant (ask == bid + SPREAD).
 *
 * Bug (torn multi-word read, a seqlock done wrong): the reader waits for an
 * even sequence, reads bid and ask, and never re-reads the sequence to see
 * whether a write happened meanwhile.
 * Minimal interleaving (1 preemption): the reader sees an even sequence,
 * reads bid and is preempted; the publisher writes a whole update; the reader
 * reads the new ask with the old bid: ask != bid + SPREAD, exit 1.
 * Fix (-DFIXED): the full seqlock: re-read the sequence after the data (with
 * an acquire fence) and retry if it changed or was odd; the publisher orders
 * its stores with a release fence.
 *
 * Shape: std-C __atomic builtins in shm_open memory, a retry loop with
 * sched_yield, fork/waitpid, 2 processes + the parent.
 */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define UPDATES 3
#define SAMPLES 3
#define SPREAD 5

struct quote {
  unsigned seq;
  long bid;
  long ask;
};

static void publish(struct quote* q, long bid) {
  unsigned s = __atomic_load_n(&q->seq, __ATOMIC_RELAXED);
  __atomic_store_n(&q->seq, s + 1, __ATOMIC_RELAXED);
  __atomic_thread_fence(__ATOMIC_RELEASE);
  __atomic_store_n(&q->bid, bid, __ATOMIC_RELAXED);
  __atomic_store_n(&q->ask, bid + SPREAD, __ATOMIC_RELAXED);
  __atomic_store_n(&q->seq, s + 2, __ATOMIC_RELEASE);
}

static void sample(struct quote* q, long* bid, long* ask) {
  for (;;) {
    unsigned s1 = __atomic_load_n(&q->seq, __ATOMIC_ACQUIRE);
    if (s1 & 1) {
      sched_yield();
      continue;
    }
    *bid = __atomic_load_n(&q->bid, __ATOMIC_RELAXED);
    *ask = __atomic_load_n(&q->ask, __ATOMIC_RELAXED);
#ifdef FIXED
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (__atomic_load_n(&q->seq, __ATOMIC_RELAXED) != s1) continue;
#endif
    return;
  }
}

int main(void) {
  char name[64];
  snprintf(name, sizeof name, "/seqlock_torn.%d", (int)getpid());
  int fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
  if (fd < 0 || ftruncate(fd, sizeof(struct quote)) != 0) {
    perror("shm_open");
    return 99;
  }
  struct quote* q = mmap(NULL, sizeof *q, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  if (q == MAP_FAILED) {
    shm_unlink(name);
    return 99;
  }
  q->bid = 100;
  q->ask = 100 + SPREAD;

  pid_t pub = fork();
  if (pub == 0) {
    for (int i = 1; i <= UPDATES; ++i) publish(q, 100 + 10 * i);
    _exit(0);
  }
  pid_t rd = fork();
  if (rd == 0) {
    for (int i = 0; i < SAMPLES; ++i) {
      long bid, ask;
      sample(q, &bid, &ask);
      if (ask != bid + SPREAD) {
        fprintf(stderr, "seqlock_torn: torn read bid=%ld ask=%ld\n", bid, ask);
        _exit(1);
      }
    }
    _exit(0);
  }
  int sp = 0, sr = 0;
  waitpid(pub, &sp, 0);
  waitpid(rd, &sr, 0);
  munmap(q, sizeof *q);
  shm_unlink(name);
  if (!WIFEXITED(sr) || WEXITSTATUS(sr) != 0) return 1;
  return WIFEXITED(sp) && WEXITSTATUS(sp) == 0 ? 0 : 98;
}
