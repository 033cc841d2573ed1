/* mq_getattr_check.c: two consumer processes drain a POSIX message queue
 * that the parent fills, each consumer polling it non-blocking.
 *
 * Bug (check-then-act on a queue): a consumer asks mq_getattr whether a
 * message is there (mq_curmsgs > 0), then calls mq_receive on the O_NONBLOCK
 * descriptor and treats every failure as fatal ("the queue said it had one").
 * Minimal interleaving (1 preemption): both consumers see mq_curmsgs == 1;
 * one receives the message; the other's mq_receive fails with EAGAIN and it
 * exits 1, so the parent's check fails (exit 1).
 * Fix (-DFIXED): the consumer treats EAGAIN as "someone else took it" and
 * goes back to polling.
 *
 * Shape: mq_open/mq_unlink, fork/waitpid, a sched_yield poll loop, a shared
 * "items taken" count in MAP_SHARED memory to stop the consumers. 3 processes.
 */
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define ITEMS 3
#define CONSUMERS 2

static int consume(mqd_t q, volatile int* taken) {
  char buf[64];
  while (__atomic_load_n(taken, __ATOMIC_ACQUIRE) < ITEMS) {
    struct mq_attr at;
    if (mq_getattr(q, &at) != 0) return 99;
    if (at.mq_curmsgs == 0) {
      sched_yield();
      continue;
    }
    if (mq_receive(q, buf, sizeof buf, NULL) < 0) {
#ifdef FIXED
      if (errno == EAGAIN) continue;
#endif
      fprintf(stderr, "mq_getattr_check: mq_receive after mq_curmsgs=%ld: %s\n", (long)at.mq_curmsgs,
              strerror(errno));
      return 1;
    }
    __atomic_fetch_add(taken, 1, __ATOMIC_ACQ_REL);
  }
  return 0;
}

int main(void) {
  char name[64];
  snprintf(name, sizeof name, "/mq_getattr_check.%d", (int)getpid());
  struct mq_attr at = {.mq_maxmsg = 4, .mq_msgsize = 64};
  mqd_t q = mq_open(name, O_CREAT | O_EXCL | O_RDWR | O_NONBLOCK, 0600, &at);
  if (q == (mqd_t)-1) {
    perror("mq_open");
    return 99;
  }
  volatile int* taken = mmap(NULL, sizeof(int), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  pid_t pids[CONSUMERS];
  for (int c = 0; c < CONSUMERS; ++c) {
    pids[c] = fork();
    if (pids[c] == 0) _exit(consume(q, taken));
  }
  for (int i = 0; i < ITEMS; ++i) {
    char msg[16];
    snprintf(msg, sizeof msg, "job %d", i);
    if (mq_send(q, msg, strlen(msg) + 1, 0) != 0) perror("mq_send");
  }
  int bad = 0;
  for (int c = 0; c < CONSUMERS; ++c) {
    int st = 0;
    waitpid(pids[c], &st, 0);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) bad = 1;
  }
  mq_close(q);
  mq_unlink(name);
  return bad;
}
