/* slot_claim.c: worker processes claim jobs from a table in a shm_open
 * segment: a job is free while its `owner` is 0; a worker claims it by
 * writing its own id, then runs it (bumps `runs`).
 *
 * Bug (check-then-act): `if (job->owner == 0) job->owner = me;` is a check
 * and a separate act, so two workers can both see a job free.
 * Minimal interleaving (1 preemption): worker A reads owner == 0 for job j and
 * is preempted; worker B reads owner == 0, claims j, runs it; A claims j too
 * and runs it again. The parent's check "every job ran exactly once" fails
 * (exit 1).
 * Fix (-DFIXED): claim with a compare-and-swap on `owner` (0 -> me); the
 * worker that loses the CAS moves on.
 *
 * Shape: 3 processes (2 workers, the parent checks), 3 jobs, fork/waitpid.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define JOBS 3
#define WORKERS 2

struct job {
  int owner;
  int runs;
};

static int claim(struct job* j, int me) {
#ifdef FIXED
  int expected = 0;
  return __atomic_compare_exchange_n(&j->owner, &expected, me, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
#else
  if (*(volatile int*)&j->owner == 0) {
    *(volatile int*)&j->owner = me;
    return 1;
  }
  return 0;
#endif
}

int main(void) {
  char name[64];
  snprintf(name, sizeof name, "/slot_claim.%d", (int)getpid());
  int fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
  if (fd < 0 || ftruncate(fd, sizeof(struct job) * JOBS) != 0) {
    perror("shm_open");
    return 99;
  }
  struct job* jobs = mmap(NULL, sizeof(struct job) * JOBS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  shm_unlink(name); /* the mapping stays; nothing is left on a crash */
  if (jobs == MAP_FAILED) {
    perror("mmap");
    return 99;
  }
  pid_t pids[WORKERS];
  for (int w = 0; w < WORKERS; ++w) {
    pids[w] = fork();
    if (pids[w] == 0) {
      for (int j = 0; j < JOBS; ++j)
        if (claim(&jobs[j], w + 1)) __atomic_fetch_add(&jobs[j].runs, 1, __ATOMIC_RELAXED);
      _exit(0);
    }
  }
  for (int w = 0; w < WORKERS; ++w) waitpid(pids[w], NULL, 0);
  int bad = 0;
  for (int j = 0; j < JOBS; ++j)
    if (jobs[j].runs != 1) {
      fprintf(stderr, "slot_claim: job %d ran %d times (owner %d)\n", j, jobs[j].runs, jobs[j].owner);
      bad = 1;
    }
  return bad;
}
