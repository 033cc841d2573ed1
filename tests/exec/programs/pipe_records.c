/* Two child processes send a 2-field record each over one pipe; the racy
 * build writes each field with its own write(), so the records can
 * interleave and the parent reads a mixed record (exit status 1). -DFIXED:
 * one write() per record (atomic below PIPE_BUF). */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
  int fd[2];
  if (pipe(fd) != 0) return 3;
  for (int c = 1; c <= 2; ++c) {
    if (fork() == 0) {
      close(fd[0]);
      int rec[2] = {c, c * 100};
#ifdef FIXED
      write(fd[1], rec, sizeof rec);
#else
      write(fd[1], &rec[0], sizeof rec[0]);
      write(fd[1], &rec[1], sizeof rec[1]);
#endif
      _exit(0);
    }
  }
  close(fd[1]);
  int bad = 0, rec[2];
  for (int i = 0; i < 2; ++i) {
    size_t got = 0;
    while (got < sizeof rec) {
      ssize_t n = read(fd[0], (char*)rec + got, sizeof rec - got);
      if (n <= 0) return 4;
      got += (size_t)n;
    }
    if (rec[1] != rec[0] * 100) bad = 1;
  }
  while (wait(NULL) > 0) {
  }
  if (bad) puts("mixed record");
  return bad;
}
