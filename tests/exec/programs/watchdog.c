/* A parent with an alarm() watchdog waits for a worker that sleeps; the
 * racy build's worker sleeps longer (10 s) than the watchdog allows (5 s):
 * the watchdog's handler exits 2. -DFIXED: the worker sleeps 1 s. Under
 * `ipcrace exec` the time is virtual: a run takes no wall-clock second. */
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_alarm(int sig) {
  (void)sig;
  _exit(2);
}

int main(void) {
#ifdef FIXED
  const unsigned work = 1;
#else
  const unsigned work = 10;
#endif
  signal(SIGALRM, on_alarm);
  alarm(5);
  pid_t w = fork();
  if (w == 0) {
    sleep(work);
    _exit(0);
  }
  int st = 0;
  while (waitpid(w, &st, 0) < 0) {
  }
  alarm(0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}
