/* flock_inherited.c: three worker processes append job ids to a ledger in a
 * shm_open segment; a worker takes flock(LOCK_EX) on the segment's
 * descriptor around each append (a read of the length, a store of the entry,
 * a store of the new length).
 *
 * Bug (inconsistent locking: a lock that excludes nobody): the parent opens
 * the segment once and the workers inherit that descriptor over fork. An
 * flock belongs to the open file description, and a forked child shares its
 * parent's, so every worker "holds" the lock at once.
 * Minimal interleaving (1 preemption): worker A takes the lock and reads
 * the length n, is preempted; worker B's flock succeeds too, it reads n,
 * stores its entry and n+1; A stores its entry over B's and n+1. An append
 * is lost and the parent's check of the ledger fails (exit 1).
 * Fix (-DFIXED): each worker opens the segment itself after fork (its own
 * open file description), so their flocks exclude each other.
 *
 * Shape: its own fork/waitpid plumbing, file locks as the only
 * synchronisation, exit code as the verdict. 3 processes, 2 appends each.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define WORKERS 3
#define ROUNDS 2

struct ledger {
  volatile int len;
  volatile int entry[WORKERS * ROUNDS];
};

static char name[64];

static int work(struct ledger* l, int fd, int id) {
#ifdef FIXED
  fd = shm_open(name, O_RDWR, 0);
  if (fd < 0) return 1;
#endif
  for (int i = 0; i < ROUNDS; ++i) {
    if (flock(fd, LOCK_EX) != 0) return 1;
    const int n = l->len;
    l->entry[n] = id * 100 + i;
    l->len = n + 1;
    if (flock(fd, LOCK_UN) != 0) return 1;
  }
  return 0;
}

int main(void) {
  snprintf(name, sizeof name, "/flock_inherited.%d", (int)getpid());
  const int fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
  if (fd < 0 || ftruncate(fd, sizeof(struct ledger)) != 0) {
    perror("shm_open");
    return 99;
  }
  struct ledger* l = mmap(NULL, sizeof *l, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (l == MAP_FAILED) {
    perror("mmap");
    shm_unlink(name);
    return 99;
  }
  pid_t pids[WORKERS];
  for (int w = 0; w < WORKERS; ++w) {
    pids[w] = fork();
    if (pids[w] < 0) {
      perror("fork");
      return 99;
    }
    if (pids[w] == 0) _exit(work(l, fd, w + 1));
  }
  int bad = 0;
  for (int w = 0; w < WORKERS; ++w) {
    int st = 0;
    if (waitpid(pids[w], &st, 0) != pids[w] || !WIFEXITED(st) || WEXITSTATUS(st) != 0) bad = 1;
  }
  int seen[WORKERS + 1][ROUNDS] = {{0}};
  int ok = l->len == WORKERS * ROUNDS;
  for (int i = 0; ok && i < l->len; ++i) {
    const int id = l->entry[i] / 100, r = l->entry[i] % 100;
    if (id < 1 || id > WORKERS || r >= ROUNDS || seen[id][r]++) ok = 0;
  }
  const int len = l->len;
  munmap(l, sizeof *l);
  close(fd);
  shm_unlink(name);
  if (bad) return 98;
  if (!ok) {
    fprintf(stderr, "flock_inherited: lost append: %d entries, expected %d\n", len, WORKERS * ROUNDS);
    return 1;
  }
  return 0;
}
