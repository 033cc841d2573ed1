/* blocking_calls.c: a correct program that waits in every blocking call the
 * runtime interposes beyond the corpus's: pthread barriers, timed and
 * clock mutex/rwlock locks, sem_clockwait, waitid, wait4, ppoll, pselect,
 * epoll_wait, a thread ending in pthread_exit, a CLOCK_MONOTONIC condition variable's timedwait, and a waitpid for a child outside the schedule (posix_spawn).
 * Each wait either succeeds or times out exactly as the program
 * expects (the timeouts are virtual time), so every schedule exits 0; a
 * call the runtime left to the kernel would block the one running actor and
 * hang the run, a clock mixed up would time out early. Exit status: the
 * number of the first check that failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <spawn.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char** environ;
static pthread_barrier_t bar;
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static sem_t sem;
static int counter, rw_counter;

static int exit_value = 42;
static void* exits_early(void* arg) {
  (void)arg;
  pthread_exit(&exit_value);
  return NULL;
}

static struct timespec in(clockid_t clk, long ms) {
  struct timespec t;
  clock_gettime(clk, &t);
  t.tv_sec += ms / 1000;
  t.tv_nsec += (ms % 1000) * 1000000;
  if (t.tv_nsec >= 1000000000) t.tv_sec++, t.tv_nsec -= 1000000000;
  return t;
}

static void* worker(void* arg) {
  (void)arg;
  pthread_barrier_wait(&bar);
  struct timespec t = in(CLOCK_REALTIME, 5000);
  if (pthread_mutex_timedlock(&m, &t) != 0) return (void*)1;
  counter++;
  pthread_mutex_unlock(&m);
  t = in(CLOCK_MONOTONIC, 5000);
  if (pthread_rwlock_clockwrlock(&rw, CLOCK_MONOTONIC, &t) != 0) return (void*)1;
  rw_counter++;
  pthread_rwlock_unlock(&rw);
  sem_post(&sem);
  pthread_barrier_wait(&bar);
  return NULL;
}

int main(void) {
  // 1-3: barrier rounds, timed locks, sem_clockwait between three threads
  pthread_barrier_init(&bar, NULL, 3);
  sem_init(&sem, 0, 0);
  pthread_t a, b;
  pthread_create(&a, NULL, worker, NULL);
  pthread_create(&b, NULL, worker, NULL);
  pthread_barrier_wait(&bar);
  struct timespec t = in(CLOCK_MONOTONIC, 5000);
  if (sem_clockwait(&sem, CLOCK_MONOTONIC, &t) != 0 || sem_clockwait(&sem, CLOCK_MONOTONIC, &t) != 0) return 1;
  pthread_barrier_wait(&bar);
  void *ra, *rb;
  pthread_join(a, &ra);
  pthread_join(b, &rb);
  if (ra || rb || counter != 2 || rw_counter != 2) return 2;
  pthread_barrier_destroy(&bar);
  // 3: a timed lock of a mutex nobody releases in time times out
  pthread_mutex_lock(&m);
  if (fork() == 0) _exit(0);  // (a process boundary between the lock and the wait)
  t = in(CLOCK_REALTIME, 100);
  if (sem_timedwait(&sem, &t) == 0) return 3;  // nobody posts: ETIMEDOUT at virtual +100 ms
  pthread_mutex_unlock(&m);
  // 4-5: waitid and wait4 reap the children with their statuses
  siginfo_t si;
  if (waitid(P_ALL, 0, &si, WEXITED) != 0 || si.si_code != CLD_EXITED || si.si_status != 0) return 4;
  pid_t c = fork();
  if (c == 0) _exit(7);
  int st;
  struct rusage ru;
  if (wait4(c, &st, 0, &ru) != c || !WIFEXITED(st) || WEXITSTATUS(st) != 7) return 5;
  // 6-7: ppoll and pselect on a pipe: a timeout first, then the child's byte
  int p[2];
  if (pipe(p) != 0) return 6;
  struct pollfd pf = {p[0], POLLIN, 0};
  struct timespec short_wait = {0, 50 * 1000000};
  if (ppoll(&pf, 1, &short_wait, NULL) != 0) return 6;
  c = fork();
  if (c == 0) {
    if (write(p[1], "x", 1) != 1) _exit(1);
    _exit(0);
  }
  fd_set rd;
  FD_ZERO(&rd);
  FD_SET(p[0], &rd);
  struct timespec long_wait = {5, 0};
  if (pselect(p[0] + 1, &rd, NULL, NULL, &long_wait, NULL) != 1 || !FD_ISSET(p[0], &rd)) return 7;
  char ch;
  if (read(p[0], &ch, 1) != 1 || ch != 'x') return 7;
  if (waitpid(c, &st, 0) != c || WEXITSTATUS(st) != 0) return 7;
  // 8-9: epoll_wait on an eventfd: a timeout, then the child's post
  const int efd = eventfd(0, 0), ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN, .data = {.fd = efd}}, got;
  if (epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev) != 0) return 8;
  if (epoll_wait(ep, &got, 1, 30) != 0) return 8;
  c = fork();
  if (c == 0) {
    const uint64_t one = 1;
    if (write(efd, &one, sizeof one) != sizeof one) _exit(1);
    _exit(0);
  }
  uint64_t v = 0;
  if (epoll_wait(ep, &got, 1, 5000) != 1 || read(efd, &v, sizeof v) != sizeof v || v != 1) return 9;
  if (waitpid(c, &st, 0) != c || WEXITSTATUS(st) != 0) return 9;
  // 12: a thread that ends in pthread_exit is joined with its value
  pthread_t e;
  void* joined = NULL;
  if (pthread_create(&e, NULL, exits_early, NULL) != 0 || pthread_join(e, &joined) != 0 || joined != &exit_value) return 12;
  // 11: a condition variable on CLOCK_MONOTONIC (pthread_condattr_setclock):
  // its timedwait's abstime is monotonic; nobody signals, so it times out at
  // +20 ms, not at once (a REALTIME reading of the abstime is in the past)
  pthread_condattr_t ca;
  pthread_cond_t mcv;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&mcv, &ca);
  struct timespec before, after;
  clock_gettime(CLOCK_MONOTONIC, &before);
  t = in(CLOCK_MONOTONIC, 20);
  pthread_mutex_lock(&m);
  const int tw = pthread_cond_timedwait(&mcv, &m, &t);
  pthread_mutex_unlock(&m);
  clock_gettime(CLOCK_MONOTONIC, &after);
  const long waited_ms = (after.tv_sec - before.tv_sec) * 1000 + (after.tv_nsec - before.tv_nsec) / 1000000;
  if (tw != ETIMEDOUT || waited_ms < 20) return 11;
  // 10: posix_spawn's child is no actor (it runs on its own): waitpid waits for it
  char* argv[] = {"/bin/sh", "-c", "exit 3", NULL};
  if (posix_spawn(&c, "/bin/sh", NULL, NULL, argv, environ) != 0) return 10;
  if (waitpid(c, &st, 0) != c || !WIFEXITED(st) || WEXITSTATUS(st) != 3) return 10;
  return 0;
}
