/* exec_worker.c: a correct program that starts its worker the way servers
 * do: fork, then exec this same binary in "worker" mode; parent and worker
 * then talk request/response over two pipes (each side waits for the
 * other, so the exec'd worker must stay under the schedule: run outside it,
 * it would wait for a parent that is never granted). Also a child that
 * execs /bin/sh (no runtime there: one long step) and exits 3. Exit status:
 * the first check that failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int worker(int in, int out) {
  for (int i = 0; i < 3; ++i) {
    int job;
    if (read(in, &job, sizeof job) != sizeof job) return 2;
    const int answer = job * job;
    if (write(out, &answer, sizeof answer) != sizeof answer) return 2;
  }
  return 0;
}

int main(int argc, char** argv) {
  if (argc == 4 && strcmp(argv[1], "worker") == 0) return worker(atoi(argv[2]), atoi(argv[3]));
  int req[2], rep[2];
  if (pipe(req) != 0 || pipe(rep) != 0) return 1;
  const pid_t w = fork();
  if (w == 0) {
    close(req[1]);
    close(rep[0]);
    char in[16], out[16];
    snprintf(in, sizeof in, "%d", req[0]);
    snprintf(out, sizeof out, "%d", rep[1]);
    execl("/proc/self/exe", argv[0], "worker", in, out, (char*)NULL);
    _exit(127);
  }
  close(req[0]);
  close(rep[1]);
  for (int i = 1; i <= 3; ++i) {
    int answer = 0;
    if (write(req[1], &i, sizeof i) != sizeof i || read(rep[0], &answer, sizeof answer) != sizeof answer) return 1;
    if (answer != i * i) return 1;
  }
  int st;
  if (waitpid(w, &st, 0) != w || !WIFEXITED(st) || WEXITSTATUS(st) != 0) return 1;
  const pid_t s = fork();
  if (s == 0) {
    execl("/bin/sh", "sh", "-c", "exit 3", (char*)NULL);
    _exit(127);
  }
  if (waitpid(s, &st, 0) != s || !WIFEXITED(st) || WEXITSTATUS(st) != 3) return 2;
  return 0;
}
