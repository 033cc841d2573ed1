/* shm_once_init.c: worker processes attach to a shared registry and the first
 * one to arrive initialises it (zeroes the table, writes a magic number,
 * bumps `generation`), lazily, the way "first user sets it up" code does.
 *
 * Bug (double initialisation, check-then-act): `if (!reg->ready) { init();
 * reg->ready = 1; }`: two workers can both see ready == 0.
 * Minimal interleaving (1 preemption): worker A reads ready == 0 and is
 * preempted; worker B reads ready == 0, initialises, registers itself; A
 * initialises again, wiping B's registration. The parent's check (generation
 * == 1, both workers registered) fails (exit 1).
 * Fix (-DFIXED): a state word taken 0 -> 1 by compare-and-swap; the winner
 * initialises and publishes 2; the others spin on sched_yield() until 2.
 *
 * Shape: a sched_yield spin-wait, MAP_SHARED|MAP_ANONYMOUS memory, fork/
 * waitpid, 3 processes.
 */
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define WORKERS 2
#define MAGIC 0x1f2e3d4c

struct registry {
  int ready; /* racy: 0/1; fixed: 0 free, 1 initialising, 2 ready */
  int magic;
  int generation;
  int members[WORKERS];
};

static void init(struct registry* r) {
  memset(r->members, 0, sizeof r->members);
  r->magic = MAGIC;
  r->generation = r->generation + 1;
}

static void attach(struct registry* r) {
#ifdef FIXED
  int expected = 0;
  if (__atomic_compare_exchange_n(&r->ready, &expected, 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
    init(r);
    __atomic_store_n(&r->ready, 2, __ATOMIC_RELEASE);
  } else {
    while (__atomic_load_n(&r->ready, __ATOMIC_ACQUIRE) != 2) sched_yield();
  }
#else
  if (!*(volatile int*)&r->ready) {
    init(r);
    *(volatile int*)&r->ready = 1;
  }
#endif
}

int main(void) {
  struct registry* r = mmap(NULL, sizeof *r, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (r == MAP_FAILED) {
    perror("mmap");
    return 99;
  }
  pid_t pids[WORKERS];
  for (int w = 0; w < WORKERS; ++w) {
    pids[w] = fork();
    if (pids[w] == 0) {
      attach(r);
      r->members[w] = getpid();
      _exit(0);
    }
  }
  for (int w = 0; w < WORKERS; ++w) waitpid(pids[w], NULL, 0);
  int bad = r->magic != MAGIC || r->generation != 1;
  for (int w = 0; w < WORKERS; ++w) bad |= r->members[w] != pids[w];
  if (bad) {
    fprintf(stderr, "shm_once_init: initialised %d times; members %d %d\n", r->generation, r->members[0],
            r->members[1]);
    return 1;
  }
  return 0;
}
