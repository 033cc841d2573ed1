/* eventfd_coalesce.c: a parent forks three workers; each does its job and
 * tells the parent through an eventfd, which the parent watches with epoll
 * under a 2-second timeout (its watchdog for a stuck worker).
 *
 * Bug (coalesced notifications taken for one each): the parent expects one
 * readable event and one read per worker, each read returning 1. An eventfd
 * is a counter: two workers that write before the parent reads add up to 2
 * in one read, the parent then waits for a third event that never comes,
 * its epoll_wait times out and it reports a stuck worker (exit 1).
 * Minimal interleaving (1 preemption): the parent is preempted before its
 * first epoll_wait until two workers have written; its read returns 2.
 * (Under ipcrace exec the 2-second timeout is virtual time: it fires at
 * once when nothing else can run.)
 * Fix (-DFIXED): count what each read returns until it adds up to the
 * number of workers.
 *
 * Shape: fork/waitpid processes, eventfd, epoll_wait with a timeout.
 */
#include <stdint.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <unistd.h>

#define WORKERS 3

int main(void) {
  const int efd = eventfd(0, 0);
  const int ep = epoll_create1(0);
  if (efd < 0 || ep < 0) return 2;
  struct epoll_event ev = {.events = EPOLLIN, .data = {.fd = efd}};
  if (epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev) != 0) return 2;
  for (int w = 0; w < WORKERS; ++w) {
    const pid_t pid = fork();
    if (pid < 0) return 2;
    if (pid == 0) {
      const uint64_t one = 1;
      if (write(efd, &one, sizeof one) != sizeof one) _exit(2);
      _exit(0);
    }
  }
  uint64_t done = 0;
  int events = 0;
#ifdef FIXED
  while (done < WORKERS) {
#else
  for (events = 0; events < WORKERS; ++events) {
#endif
    struct epoll_event got;
    if (epoll_wait(ep, &got, 1, 2000) != 1) {
      printf("timed out waiting for a worker: %d events, %lu done\n", events, (unsigned long)done);
      return 1;
    }
    uint64_t v = 0;
    if (read(efd, &v, sizeof v) != sizeof v) return 2;
    done += v;
  }
  int status, bad = 0;
  while (wait(&status) > 0)
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) bad = 1;
  if (done != WORKERS) {
    printf("%lu workers done, expected %d\n", (unsigned long)done, WORKERS);
    return 1;
  }
  return bad;
}
