/* Faults in exec mode (issue 12): one child writes an 8-byte record to a
 * pipe in one write() (atomic below PIPE_BUF) and the parent reads it, after
 * installing a SIGUSR1 handler without SA_RESTART (so a signal could
 * interrupt its blocking read). Correct under every interleaving; the faults
 * tell the builds apart:
 *   default     one read() taken for the whole record: a short read
 *               (--faults short) or an EINTR (--faults eintr) makes it exit 1;
 *   -DLOOPED    reads until the record is whole and retries on EINTR (as
 *               its writer does: the child inherits the handler). */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_usr1(int sig) { (void)sig; }

int main(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_usr1;  /* no SA_RESTART: a blocking call may fail with EINTR */
  if (sigaction(SIGUSR1, &sa, NULL) != 0) return 3;
  int fd[2];
  if (pipe(fd) != 0) return 3;
  if (fork() == 0) {
    close(fd[0]);
    int rec[2] = {7, 700};
    ssize_t w;
#ifdef LOOPED
    while ((w = write(fd[1], rec, sizeof rec)) < 0 && errno == EINTR) {
    }
#else
    w = write(fd[1], rec, sizeof rec);
#endif
    _exit(w == (ssize_t)sizeof rec ? 0 : 2);
  }
  close(fd[1]);
  int rec[2] = {0, 0};
#ifdef LOOPED
  size_t got = 0;
  while (got < sizeof rec) {
    ssize_t n = read(fd[0], (char*)rec + got, sizeof rec - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return 4;
    got += (size_t)n;
  }
#else
  if (read(fd[0], rec, sizeof rec) != (ssize_t)sizeof rec) return 1; /* "one read is one record" */
#endif
  int status = 0;
  wait(&status);
  return rec[1] == rec[0] * 100 ? 0 : 1;
}
