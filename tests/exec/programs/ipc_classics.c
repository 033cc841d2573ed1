/* ipc_classics.c: a correct program using the classic IPC a textbook
 * program does: a named FIFO, a System V message queue, a System V
 * semaphore as a lock over shared memory, a Unix socket bound to a path,
 * signals waited for with sigsuspend, sigtimedwait and sigwaitinfo, sent
 * with kill, killpg and sigqueue. Every schedule exits
 * 0; left to the kernel, the FIFO's opens, msgrcv, semop and sigsuspend
 * would block the one running actor and hang the run.
 * Built with -DLEAVE it removes nothing it created and appends what it
 * created to the file named by $IPC_CLASSICS_LIST ("msg <id>", "sem <id>",
 * "shm <id>", "path <path>"): after the run ipcrace must have removed it all.
 * Exit status: the number of the first check that failed.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t got;
static void on_usr1(int s) { (void)s; got = 1; }

static void note(const char* what, long id, const char* path) {
  const char* list = getenv("IPC_CLASSICS_LIST");
  if (!list) return;
  FILE* f = fopen(list, "a");
  if (!f) return;
  if (path) fprintf(f, "%s %s\n", what, path);
  else fprintf(f, "%s %ld\n", what, id);
  fclose(f);
}

struct msg { long type; int v; };

int main(void) {
  int st;
  // 1: a FIFO between a writer child and the reading parent (both opens block)
  char fifo[96];
  snprintf(fifo, sizeof fifo, "/tmp/ipcrace-classics-fifo.%d", getpid());
  if (mkfifo(fifo, 0600) != 0) return 1;
  note("path", 0, fifo);
  if (fork() == 0) {
    const int w = open(fifo, O_WRONLY);
    if (w < 0 || write(w, "hi", 2) != 2) _exit(1);
    close(w);
    _exit(0);
  }
  const int r = open(fifo, O_RDONLY);
  char buf[4] = {0};
  if (r < 0 || read(r, buf, sizeof buf) != 2 || memcmp(buf, "hi", 2) != 0) return 1;
  close(r);
  if (wait(&st) < 0 || WEXITSTATUS(st) != 0) return 1;
  // 2: a System V queue, two senders; msgrcv blocks until each arrives
  const int q = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
  if (q < 0) return 2;
  note("msg", q, NULL);
  for (int k = 0; k < 2; ++k)
    if (fork() == 0) {
      struct msg m = {1, k + 1};
      _exit(msgsnd(q, &m, sizeof m.v, 0) == 0 ? 0 : 1);
    }
  int sum = 0;
  for (int k = 0; k < 2; ++k) {
    struct msg m;
    if (msgrcv(q, &m, sizeof m.v, 0, 0) < 0) return 2;
    sum += m.v;
  }
  while (wait(&st) > 0)
    if (WEXITSTATUS(st) != 0) return 2;
  if (sum != 3) return 2;
  // 3: a System V semaphore as the lock of a counter in System V shared memory
  const int s = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
  const int h = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
  if (s < 0 || h < 0) return 3;
  note("sem", s, NULL);
  note("shm", h, NULL);
  if (semctl(s, 0, SETVAL, 1) != 0) return 3;
  volatile int* counter = shmat(h, NULL, 0);
  if (counter == (void*)-1) return 3;
  *counter = 0;
  for (int k = 0; k < 2; ++k)
    if (fork() == 0) {
      for (int i = 0; i < 2; ++i) {
        struct sembuf p = {0, -1, 0}, v = {0, 1, 0};
        if (semop(s, &p, 1) != 0) _exit(1);
        const int c = *counter;
        *counter = c + 1;
        if (semop(s, &v, 1) != 0) _exit(1);
      }
      _exit(0);
    }
  while (wait(&st) > 0)
    if (WEXITSTATUS(st) != 0) return 3;
  if (*counter != 4) return 3;
  shmdt((const void*)counter);
  // 4: a Unix socket bound to a path, a client child
  struct sockaddr_un a = {.sun_family = AF_UNIX};
  snprintf(a.sun_path, sizeof a.sun_path, "/tmp/ipcrace-classics-sock.%d", getpid());
  const int l = socket(AF_UNIX, SOCK_STREAM, 0);
  if (l < 0 || bind(l, (struct sockaddr*)&a, sizeof a) != 0 || listen(l, 1) != 0) return 4;
  note("path", 0, a.sun_path);
  if (fork() == 0) {
    const int c = socket(AF_UNIX, SOCK_STREAM, 0);
    if (c < 0 || connect(c, (struct sockaddr*)&a, sizeof a) != 0 || write(c, "x", 1) != 1) _exit(1);
    _exit(0);
  }
  const int conn = accept(l, NULL, NULL);
  char x = 0;
  if (conn < 0 || read(conn, &x, 1) != 1 || x != 'x') return 4;
  if (wait(&st) < 0 || WEXITSTATUS(st) != 0) return 4;
  // 5: a child waits for SIGUSR1 in sigsuspend; the parent signals it
  sigset_t usr1, old;
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  sigprocmask(SIG_BLOCK, &usr1, &old);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_usr1;
  sigaction(SIGUSR1, &sa, NULL);
  const pid_t c = fork();
  if (c == 0) {
    while (!got) sigsuspend(&old);
    _exit(0);
  }
  if (kill(c, SIGUSR1) != 0 || waitpid(c, &st, 0) != c || !WIFEXITED(st) || WEXITSTATUS(st) != 0) return 5;
  // 6: nobody sends SIGUSR2: sigtimedwait times out (virtual time)
  sigset_t usr2;
  sigemptyset(&usr2);
  sigaddset(&usr2, SIGUSR2);
  sigprocmask(SIG_BLOCK, &usr2, NULL);
  const struct timespec t = {0, 50 * 1000000};
  if (sigtimedwait(&usr2, NULL, &t) != -1) return 6;
  // 7: a worker in a process group of its own, stopped with killpg (the
  //    signal the program sent: its death by it is no crash); then a
  //    sigqueue'd value received with sigwaitinfo
  const pid_t g = fork();
  if (g == 0) {
    setpgid(0, 0);
    for (;;) pause();
  }
  setpgid(g, g);
  if (killpg(g, SIGTERM) != 0 || waitpid(g, &st, 0) != g || !WIFSIGNALED(st) || WTERMSIG(st) != SIGTERM) return 7;
  const pid_t qd = fork();
  if (qd == 0) {
    siginfo_t si;
    _exit(sigwaitinfo(&usr2, &si) == SIGUSR2 && si.si_value.sival_int == 42 ? 0 : 1);
  }
  union sigval v;
  v.sival_int = 42;
  if (sigqueue(qd, SIGUSR2, v) != 0 || waitpid(qd, &st, 0) != qd || !WIFEXITED(st) || WEXITSTATUS(st) != 0) return 7;
#ifndef LEAVE
  unlink(fifo);
  unlink(a.sun_path);
  msgctl(q, IPC_RMID, NULL);
  semctl(s, 0, IPC_RMID);
  shmctl(h, IPC_RMID, NULL);
#endif
  return 0;
}
