/* cond_unlocked_signal.c: a loader process tells a server process "config
 * loaded" through a process-shared mutex and condition variable in shared
 * memory; an alarm() watchdog turns a hang into exit 2.
 *
 * Bug (lost wakeup): the loader sets `loaded = 1` and calls
 * pthread_cond_signal WITHOUT holding the mutex, and the server waits with
 * `if (!loaded) pthread_cond_wait(...)`, not `while`.
 * Minimal interleaving (1 preemption): the server locks and reads loaded == 0
 * and is preempted before pthread_cond_wait; the loader sets loaded and
 * signals: nobody waits yet, the signal is lost; the server waits forever.
 * The watchdog fires: exit 2 (under ipcrace, a deadlock).
 * Fix (-DFIXED): the loader sets the flag and signals under the mutex, and
 * the server waits in `while (!loaded)`.
 *
 * Shape: PTHREAD_PROCESS_SHARED mutex and condvar, MAP_SHARED|MAP_ANONYMOUS,
 * an alarm() watchdog, fork/waitpid, 2 processes.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

struct shared {
  pthread_mutex_t m;
  pthread_cond_t cv;
  int loaded;
};

static void on_alarm(int sig) {
  (void)sig;
  static const char msg[] = "cond_unlocked_signal: watchdog: the server never woke up\n";
  write(2, msg, sizeof msg - 1);
  _exit(2);
}

int main(void) {
  struct shared* s = mmap(NULL, sizeof *s, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (s == MAP_FAILED) {
    perror("mmap");
    return 99;
  }
  pthread_mutexattr_t ma;
  pthread_mutexattr_init(&ma);
  pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
  pthread_mutex_init(&s->m, &ma);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
  pthread_cond_init(&s->cv, &ca);

  pid_t loader = fork();
  if (loader < 0) {
    perror("fork");
    return 99;
  }
  if (loader == 0) {
#ifdef FIXED
    pthread_mutex_lock(&s->m);
    s->loaded = 1;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->m);
#else
    s->loaded = 1; /* "an int store is atomic, no need for the lock" */
    pthread_cond_signal(&s->cv);
#endif
    _exit(0);
  }

  signal(SIGALRM, on_alarm);
  alarm(2);
  pthread_mutex_lock(&s->m);
#ifdef FIXED
  while (!s->loaded) pthread_cond_wait(&s->cv, &s->m);
#else
  if (!s->loaded) pthread_cond_wait(&s->cv, &s->m);
#endif
  pthread_mutex_unlock(&s->m);
  alarm(0);
  int st = 0;
  waitpid(loader, &st, 0);
  return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 98;
}
