/* pipe_big_writes.c: three logger processes send one record each, a block of
 * RECORD bytes filled with the writer's letter, to a collector (the parent)
 * over one shared pipe.
 *
 * Bug (torn messages on a pipe): POSIX makes a write to a pipe atomic only up
 * to PIPE_BUF (4096 bytes on Linux); each record is larger, so the kernel may
 * split it, and pieces of different writers interleave.
 * Minimal interleaving (1 preemption): writer A's write() moves its first
 * part (a short write, or the pipe fills) and A is preempted; writer B's
 * record goes in; A's rest follows. The collector reads a record made of two
 * letters: exit 1.
 * Fix (-DFIXED): the writers hold a process-shared mutex around each
 * record's write loop (and loop on short writes).
 *
 * Shape: pipe + fork, the writers inherit the write end, the parent reads
 * with a read-fully loop; RECORD defaults to 12288 (3 x PIPE_BUF), argv[1]
 * overrides it. 4 processes.
 */
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define WRITERS 3

static int write_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

static int read_all(int fd, char* p, size_t n) {
  while (n > 0) {
    ssize_t r = read(fd, p, n);
    if (r <= 0) return -1;
    p += r;
    n -= (size_t)r;
  }
  return 0;
}

int main(int argc, char** argv) {
  size_t record = argc > 1 ? (size_t)atol(argv[1]) : 3 * PIPE_BUF;
  int fds[2];
  if (record == 0 || pipe(fds) != 0) return 99;
  pthread_mutex_t* lock = mmap(NULL, sizeof *lock, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  pthread_mutexattr_t a;
  pthread_mutexattr_init(&a);
  pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
  pthread_mutex_init(lock, &a);

  pid_t pids[WRITERS];
  for (int w = 0; w < WRITERS; ++w) {
    pids[w] = fork();
    if (pids[w] == 0) {
      close(fds[0]);
      char* buf = malloc(record);
      memset(buf, 'A' + w, record);
#ifdef FIXED
      pthread_mutex_lock(lock);
#endif
      int rc = write_all(fds[1], buf, record);
#ifdef FIXED
      pthread_mutex_unlock(lock);
#endif
      _exit(rc == 0 ? 0 : 3);
    }
  }
  close(fds[1]);
  char* buf = malloc(record);
  int torn = 0;
  for (int i = 0; i < WRITERS; ++i) {
    if (read_all(fds[0], buf, record) != 0) {
      fprintf(stderr, "pipe_big_writes: short stream at record %d\n", i);
      torn = 1;
      break;
    }
    for (size_t k = 1; k < record; ++k)
      if (buf[k] != buf[0]) {
        fprintf(stderr, "pipe_big_writes: record %d torn: '%c' then '%c' at byte %zu\n", i, buf[0], buf[k], k);
        torn = 1;
        break;
      }
  }
  close(fds[0]);
  free(buf);
  for (int w = 0; w < WRITERS; ++w) waitpid(pids[w], NULL, 0);
  return torn;
}
