/* Deaths that are part of the workload, in exec mode (issue 12): a worker
 * process (actor 1, declared MAY_DIE) sends three 8-byte records over a pipe,
 * one write() each; it may be killed at any point (--faults kill). The parent
 * reads records until end-of-file, then reaps the worker. Without faults both
 * builds are correct under every interleaving; a kill tells them apart:
 *   default      assumes the worker always finishes: fewer than three
 *                records is an error (exit 1);
 *   -DCHECKED    asks waitpid how the worker ended: killed, any whole prefix
 *                of its records is fine; ended normally, all three. */
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
  int fd[2];
  if (pipe(fd) != 0) return 3;
  pid_t w = fork();
  if (w < 0) return 3;
  if (w == 0) {
    close(fd[0]);
    for (int i = 0; i < 3; ++i) {
      int rec[2] = {i, i * 100};
      if (write(fd[1], rec, sizeof rec) != (ssize_t)sizeof rec) _exit(2);
    }
    _exit(0);
  }
  close(fd[1]);
  int got = 0, rec[2], bad = 0;
  for (;;) {
    ssize_t n = read(fd[0], rec, sizeof rec);
    if (n == 0) break;
    if (n != (ssize_t)sizeof rec) return 4; /* writes of 8 bytes are atomic: never torn */
    if (rec[0] != got || rec[1] != got * 100) bad = 1;
    ++got;
  }
  int status = 0;
  if (waitpid(w, &status, 0) != w) return 5;
#ifdef CHECKED
  if (WIFSIGNALED(status)) return bad; /* killed: what it sent arrived whole and in order */
#endif
  return bad || got != 3 ? 1 : 0;
}
