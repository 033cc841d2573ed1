/* stdio_pipes.c: a correct program that talks over pipes through stdio,
 * the way people write it: children fprintf lines into an fdopen'ed pipe the
 * parent reads with fgets; a child whose stdin is a pipe (dup2) sums numbers
 * with scanf until end of file and answers with fwrite, read back with
 * fread; a counter guarded by a named semaphore (sem_open). Every schedule
 * exits 0; glibc's FILE reads and sem_open's own mapping are invisible to a
 * runtime that only interposes read() and mmap(): the reader blocked the one
 * running actor in the kernel. Exit status: the first check that failed.
 */
#include <fcntl.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
  int st;
  // 1: lines from two children, read with fgets until end of file
  int p[2];
  if (pipe(p) != 0) return 1;
  for (int k = 0; k < 2; ++k)
    if (fork() == 0) {
      close(p[0]);
      FILE* w = fdopen(p[1], "w");
      fprintf(w, "child %d\n", k);
      fclose(w);
      _exit(0);
    }
  close(p[1]);
  FILE* r = fdopen(p[0], "r");
  char line[64];
  int lines = 0;
  while (fgets(line, sizeof line, r))
    if (strncmp(line, "child ", 6) == 0) ++lines;
  fclose(r);
  while (wait(&st) > 0)
    if (WEXITSTATUS(st) != 0) return 1;
  if (lines != 2) return 1;
  // 2: a child reads numbers from its stdin (a pipe) with scanf, answers with fwrite
  int in[2], out[2];
  if (pipe(in) != 0 || pipe(out) != 0) return 2;
  if (fork() == 0) {
    dup2(in[0], 0);
    close(in[0]);
    close(in[1]);
    close(out[0]);
    int v, sum = 0;
    while (scanf("%d", &v) == 1) sum += v;
    FILE* o = fdopen(out[1], "w");
    fwrite(&sum, sizeof sum, 1, o);
    fclose(o);
    _exit(0);
  }
  close(in[0]);
  close(out[1]);
  FILE* w = fdopen(in[1], "w");
  for (int i = 1; i <= 10; ++i) fprintf(w, "%d\n", i);
  fclose(w);
  FILE* a = fdopen(out[0], "r");
  int sum = 0;
  if (fread(&sum, sizeof sum, 1, a) != 1 || sum != 55) return 2;
  fclose(a);
  if (wait(&st) < 0 || WEXITSTATUS(st) != 0) return 2;
  // 3: a named semaphore guards a counter in shm_open memory
  char sn[64], mn[64];
  snprintf(sn, sizeof sn, "/ipcrace-stdio-sem.%d", getpid());
  snprintf(mn, sizeof mn, "/ipcrace-stdio-shm.%d", getpid());
  sem_t* s = sem_open(sn, O_CREAT | O_EXCL, 0600, 1);
  const int fd = shm_open(mn, O_CREAT | O_EXCL | O_RDWR, 0600);
  if (s == SEM_FAILED || fd < 0 || ftruncate(fd, 4096) != 0) return 3;
  volatile int* c = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (c == MAP_FAILED) return 3;
  for (int k = 0; k < 2; ++k)
    if (fork() == 0) {
      for (int i = 0; i < 2; ++i) {
        sem_wait(s);
        const int t = *c;
        *c = t + 1;
        sem_post(s);
      }
      _exit(0);
    }
  while (wait(&st) > 0)
    if (WEXITSTATUS(st) != 0) return 3;
  const int ok = *c == 4;
  sem_close(s);
  sem_unlink(sn);
  shm_unlink(mn);
  return ok ? 0 : 3;
}
