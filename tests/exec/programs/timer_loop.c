/* timer_loop.c: a correct event loop driven by timerfds, the way services
 * write one: epoll_wait over a periodic timerfd and a pipe from a worker
 * process that reports after a sleep; a one-shot absolute timer read in a
 * blocking read(); a disarmed timer that must not fire; a non-blocking
 * timerfd read before its expiry (EAGAIN); a thread that waits for a timer
 * while main joins it with pthread_tryjoin_np and pthread_timedjoin_np;
 * datagrams moved with sendmmsg/recvmmsg. Under `ipcrace exec` the timers
 * are virtual time, so every schedule exits 0 at once; a timer left to the
 * kernel would leave every actor blocked (a false deadlock). Exit status:
 * the number of the first check that failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ms(clockid_t clk) {
  struct timespec t;
  clock_gettime(clk, &t);
  return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int arm(int fd, int flags, long first_ms, long every_ms) {
  struct itimerspec it = {{every_ms / 1000, (every_ms % 1000) * 1000000}, {first_ms / 1000, (first_ms % 1000) * 1000000}};
  return timerfd_settime(fd, flags, &it, NULL);
}

// Three messages of one byte each, at buf[0..2].
static void one_byte_messages(struct mmsghdr m[3], struct iovec io[3], char* buf) {
  memset(m, 0, 3 * sizeof *m);
  for (int i = 0; i < 3; ++i) {
    io[i] = (struct iovec){&buf[i], 1};
    m[i].msg_hdr.msg_iov = &io[i];
    m[i].msg_hdr.msg_iovlen = 1;
  }
}

static void* timer_thread(void* arg) {
  (void)arg;
  const int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
  uint64_t n = 0;
  if (fd < 0 || arm(fd, 0, 30, 0) != 0 || read(fd, &n, 8) != 8 || n != 1) return (void*)1;
  close(fd);
  return NULL;
}

int main(void) {
  // 1: epoll over a periodic timer and a worker's pipe
  const int64_t t0 = now_ms(CLOCK_MONOTONIC);
  int p[2];
  if (pipe(p) != 0) return 1;
  const pid_t worker = fork();
  if (worker == 0) {
    close(p[0]);
    usleep(25000);
    _exit(write(p[1], "done", 4) == 4 ? 0 : 1);
  }
  close(p[1]);
  const int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  const int ep = epoll_create1(EPOLL_CLOEXEC);
  if (tfd < 0 || ep < 0 || arm(tfd, 0, 10, 10) != 0) return 1;
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = tfd};
  if (epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev) != 0) return 1;
  ev.data.fd = p[0];
  if (epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) != 0) return 1;
  uint64_t ticks = 0;
  int done = 0;
  while (!done) {
    struct epoll_event got[2];
    const int k = epoll_wait(ep, got, 2, -1);
    if (k <= 0) return 1;
    for (int i = 0; i < k; ++i) {
      if (got[i].data.fd == tfd) {
        uint64_t n = 0;
        if (read(tfd, &n, 8) != 8 || n == 0) return 1;
        ticks += n;
      } else {
        char buf[8];
        if (read(p[0], buf, sizeof buf) != 4 || memcmp(buf, "done", 4) != 0) return 1;
        done = 1;
      }
    }
  }
  int st = 0;
  if (waitpid(worker, &st, 0) != worker || !WIFEXITED(st) || WEXITSTATUS(st) != 0) return 1;
  // the worker slept 25 ms: the 10 ms timer fired twice before its report
  if (ticks < 2 || now_ms(CLOCK_MONOTONIC) - t0 < 25) return 1;
  struct itimerspec cur;
  if (timerfd_gettime(tfd, &cur) != 0 || cur.it_interval.tv_nsec != 10000000 || cur.it_value.tv_sec != 0) return 1;

  // 2: disarmed, it does not fire; a non-blocking read finds nothing
  if (arm(tfd, 0, 0, 0) != 0) return 2;
  uint64_t n = 0;
  if (read(tfd, &n, 8) != -1 || errno != EAGAIN) return 2;
  struct pollfd pf = {.fd = tfd, .events = POLLIN};
  if (poll(&pf, 1, 50) != 0) return 2;  // times out (virtual time)

  // 3: a one-shot absolute CLOCK_REALTIME timer, read blocking
  const int afd = timerfd_create(CLOCK_REALTIME, 0);
  struct timespec at;
  clock_gettime(CLOCK_REALTIME, &at);
  at.tv_sec += 2;
  struct itimerspec it = {{0, 0}, at};
  if (afd < 0 || timerfd_settime(afd, TFD_TIMER_ABSTIME, &it, NULL) != 0) return 3;
  const int64_t r0 = now_ms(CLOCK_REALTIME);
  if (read(afd, &n, 8) != 8 || n != 1 || now_ms(CLOCK_REALTIME) - r0 < 1900) return 3;
  close(afd);

  // 4: a thread waits for its timer; main tries to join, then joins with a deadline
  pthread_t th;
  if (pthread_create(&th, NULL, timer_thread, NULL) != 0) return 4;
  void* ret = (void*)1;
  const int first = pthread_tryjoin_np(th, &ret);
  if (first == 0) {
    if (ret != NULL) return 4;
  } else {
    struct timespec dl;
    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_sec += 5;
    if (first != EBUSY || pthread_timedjoin_np(th, &ret, &dl) != 0 || ret != NULL) return 4;
  }

  // 5: three datagrams in one sendmmsg, one blocking recvmmsg for all three
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) != 0) return 5;
  const pid_t sender = fork();
  if (sender == 0) {
    char a[3] = {'a', 'b', 'c'};
    struct iovec io[3];
    struct mmsghdr m[3];
    one_byte_messages(m, io, a);
    _exit(sendmmsg(sv[1], m, 3, 0) == 3 ? 0 : 1);
  }
  char b[3];
  struct iovec io[3];
  struct mmsghdr m[3];
  one_byte_messages(m, io, b);
  if (recvmmsg(sv[0], m, 3, 0, NULL) != 3 || memcmp(b, "abc", 3) != 0) return 5;
  if (waitpid(sender, &st, 0) != sender || !WIFEXITED(st) || WEXITSTATUS(st) != 0) return 5;
  return 0;
}
