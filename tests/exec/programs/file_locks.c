/* file_locks.c: a correct program whose processes and threads exclude each
 * other with file locks only: flock (each worker its own open file
 * description), fcntl record locks (F_SETLKW, per process), open file
 * description locks between threads (F_OFD_SETLKW), lockf (F_LOCK), a
 * lock released by close() rather than by an unlock, a non-blocking attempt
 * that may find the lock taken (LOCK_NB, F_SETLK, F_TLOCK) and F_GETLK.
 * Built -DDUP2 the lock released by close() is released by a dup2 onto its
 * descriptor instead.
 * Every counter is a plain (non-atomic) word in shared memory, so a lock the
 * schedule cannot see would be a data race to the race detector, and a wait
 * left to the kernel would block the one running actor and hang the run.
 * Every schedule exits 0. Exit status: the number of the first check that
 * failed.
 * The locked files: a shm_open object (the run's cleanup removes it if the
 * run is killed) and an unlinked regular file in $TMPDIR (or /tmp).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define WORKERS 2
#define ROUNDS 2

struct shared {
  long flocked, recorded, lockfed, closed, nb_taken, ofd;
};
static struct shared* s;
static char name[64];
static int tmpfd = -1;

static int wait_all(int n) {
  int bad = 0;
  for (int i = 0; i < n; ++i) {
    int st = 0;
    if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) bad = 1;
  }
  return bad;
}

static int record_lock(int fd, int cmd, short type) {
  struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
  return fcntl(fd, cmd, &fl);
}

static void* ofd_worker(void* arg) {
  (void)arg;
  const int fd = shm_open(name, O_RDWR, 0);  // its own open file description
  if (fd < 0) return (void*)1;
  for (int i = 0; i < ROUNDS; ++i) {
    if (record_lock(fd, F_OFD_SETLKW, F_WRLCK) != 0) return (void*)1;
    const long v = s->ofd;
    s->ofd = v + 1;
    if (record_lock(fd, F_OFD_SETLK, F_UNLCK) != 0) return (void*)1;
  }
  close(fd);
  return NULL;
}

static int run(void) {
  // 1: flock, each worker opening the file itself after fork
  for (int w = 0; w < WORKERS; ++w)
    if (fork() == 0) {
      const int fd = shm_open(name, O_RDWR, 0);
      if (fd < 0) _exit(1);
      for (int i = 0; i < ROUNDS; ++i) {
        if (flock(fd, LOCK_EX) != 0) _exit(1);
        const long v = s->flocked;
        s->flocked = v + 1;
        if (flock(fd, LOCK_UN) != 0) _exit(1);
      }
      _exit(0);
    }
  if (wait_all(WORKERS) || s->flocked != WORKERS * ROUNDS) return 1;

  // 2: fcntl record locks over the inherited descriptor of a regular file
  //    (record locks are per process), a shared lock to read
  for (int w = 0; w < WORKERS; ++w)
    if (fork() == 0) {
      for (int i = 0; i < ROUNDS; ++i) {
        if (record_lock(tmpfd, F_SETLKW, F_WRLCK) != 0) _exit(1);
        const long v = s->recorded;
        s->recorded = v + 1;
        if (record_lock(tmpfd, F_SETLK, F_UNLCK) != 0) _exit(1);
      }
      _exit(0);
    }
  if (record_lock(tmpfd, F_SETLKW, F_RDLCK) != 0) return 2;
  const long seen = s->recorded;
  if (record_lock(tmpfd, F_SETLK, F_UNLCK) != 0 || seen < 0 || seen > WORKERS * ROUNDS) return 2;
  if (wait_all(WORKERS) || s->recorded != WORKERS * ROUNDS) return 2;

  // 3: lockf
  for (int w = 0; w < WORKERS; ++w)
    if (fork() == 0) {
      for (int i = 0; i < ROUNDS; ++i) {
        if (lseek(tmpfd, 0, SEEK_SET) != 0 || lockf(tmpfd, F_LOCK, 0) != 0) _exit(1);
        const long v = s->lockfed;
        s->lockfed = v + 1;
        if (lockf(tmpfd, F_ULOCK, 0) != 0) _exit(1);
      }
      _exit(0);
    }
  if (wait_all(WORKERS) || s->lockfed != WORKERS * ROUNDS) return 3;

  // 4: a lock released by close() (-DDUP2: by dup2): the child never
  //    unlocks, the parent's flock waits for the close; then non-blocking attempts that may find
  //    the child's second lock taken
  const int pfd = shm_open(name, O_RDWR, 0);
  if (pfd < 0) return 4;
  int ready[2], go[2];
  if (pipe(ready) != 0 || pipe(go) != 0) return 4;
  if (fork() == 0) {
    const int fd = shm_open(name, O_RDWR, 0);
    if (fd < 0 || flock(fd, LOCK_EX) != 0) _exit(1);
    char g;
    if (write(ready[1], "x", 1) != 1 || read(go[0], &g, 1) != 1) _exit(1);
    s->closed = 1;
    // releases the lock (a close, or a dup2 onto the descriptor): the
    // parent's flock must be woken by it, for the child waits for the
    // parent's answer before it goes on (else both wait: a deadlock)
#ifdef DUP2
    if (dup2(ready[1], fd) != fd) _exit(1);
#else
    close(fd);
#endif
    if (read(go[0], &g, 1) != 1) _exit(1);
    // a record lock for the parent's non-blocking attempts below
    if (record_lock(tmpfd, F_SETLKW, F_WRLCK) != 0) _exit(1);
    s->nb_taken = 1;
    record_lock(tmpfd, F_SETLK, F_UNLCK);
    _exit(0);
  }
  char c;
  if (read(ready[0], &c, 1) != 1) return 4;  // the child holds the flock now
  if (flock(pfd, LOCK_EX | LOCK_NB) == 0) return 4;  // it does
  if (errno != EWOULDBLOCK || write(go[1], "g", 1) != 1) return 4;
  if (flock(pfd, LOCK_EX) != 0 || s->closed != 1 || write(go[1], "h", 1) != 1) return 4;
  flock(pfd, LOCK_UN);
  close(pfd);
  for (int tries = 0;; ++tries) {
    struct flock q = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
    if (fcntl(tmpfd, F_GETLK, &q) != 0) return 4;
    if (record_lock(tmpfd, F_SETLK, F_WRLCK) == 0) {
      const long v = s->nb_taken;  // the child's section is before or after ours
      s->nb_taken = v;
      record_lock(tmpfd, F_SETLK, F_UNLCK);
      break;
    }
    if (errno != EAGAIN && errno != EACCES) return 4;
    if (lseek(tmpfd, 0, SEEK_SET) != 0) return 4;
    if (lockf(tmpfd, F_TLOCK, 0) == 0) {
      lockf(tmpfd, F_ULOCK, 0);
      break;
    }
    if (errno != EAGAIN && errno != EACCES) return 4;
    if (tries > 3) {  // taken: wait for it
      if (record_lock(tmpfd, F_SETLKW, F_WRLCK) != 0) return 4;
      record_lock(tmpfd, F_SETLK, F_UNLCK);
      break;
    }
  }
  if (wait_all(1)) return 4;

  // 5: OFD locks between threads, each with its own descriptor
  pthread_t t[WORKERS];
  for (int w = 0; w < WORKERS; ++w)
    if (pthread_create(&t[w], NULL, ofd_worker, NULL) != 0) return 5;
  for (int w = 0; w < WORKERS; ++w) {
    void* r = NULL;
    if (pthread_join(t[w], &r) != 0 || r != NULL) return 5;
  }
  if (s->ofd != WORKERS * ROUNDS) return 5;
  return 0;
}

int main(void) {
  snprintf(name, sizeof name, "/file_locks.%d", (int)getpid());
  const int fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
  if (fd < 0 || ftruncate(fd, sizeof(struct shared)) != 0) return 90;
  s = mmap(NULL, sizeof *s, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  if (s == MAP_FAILED) return 90;
  const char* dir = getenv("TMPDIR");
  char path[256];
  snprintf(path, sizeof path, "%s/file_locks.XXXXXX", dir && *dir ? dir : "/tmp");
  tmpfd = mkstemp(path);
  if (tmpfd < 0) return 90;
  unlink(path);  // the descriptor stays: nothing to leave behind
  const int r = run();
  shm_unlink(name);
  return r;
}
