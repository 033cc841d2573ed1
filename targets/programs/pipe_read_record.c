/* pipe_read_record.c: two worker processes report results to the parent over
 * one pipe, each result a short text line written with one write() (below
 * PIPE_BUF, so each write is atomic).
 *
 * Bug (a reader assuming one read = one record): the parent calls read() once
 * per expected result and treats what it got as one line. A pipe is a byte
 * stream: when two results are in the pipe, one read() returns both, and the
 * parent sees one result where two were sent (and then waits for a third
 * read that never comes: it ends on EOF with fewer results).
 * Minimal interleaving (1 preemption, or none): both workers write before the
 * parent's first read; that read returns two lines: the count of lines read
 * is short, exit 1.
 * Fix (-DFIXED): the parent reads into a buffer and splits on '\n' until EOF,
 * counting lines, not reads.
 *
 * Shape: pipe + fork, the parent closes its write end and reads to EOF,
 * 3 processes.
 */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define WORKERS 2

int main(void) {
  int fds[2];
  if (pipe(fds) != 0) return 99;
  pid_t pids[WORKERS];
  for (int w = 0; w < WORKERS; ++w) {
    pids[w] = fork();
    if (pids[w] == 0) {
      close(fds[0]);
      char line[64];
      int n = snprintf(line, sizeof line, "worker %d result %d\n", w, 42 + w);
      _exit(write(fds[1], line, (size_t)n) == n ? 0 : 3);
    }
  }
  close(fds[1]);
  int results = 0;
  char buf[256];
#ifdef FIXED
  ssize_t r;
  while ((r = read(fds[0], buf, sizeof buf)) > 0)
    for (ssize_t i = 0; i < r; ++i) results += buf[i] == '\n';
#else
  for (int i = 0; i < WORKERS; ++i) {
    ssize_t r = read(fds[0], buf, sizeof buf - 1); /* one read, one result */
    if (r <= 0) break;
    buf[r] = 0;
    if (strncmp(buf, "worker ", 7) == 0) results++;
  }
#endif
  close(fds[0]);
  for (int w = 0; w < WORKERS; ++w) waitpid(pids[w], NULL, 0);
  if (results != WORKERS) {
    fprintf(stderr, "pipe_read_record: got %d results, expected %d\n", results, WORKERS);
    return 1;
  }
  return 0;
}
