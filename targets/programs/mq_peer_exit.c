/* mq_peer_exit.c: a consumer (the parent) reads jobs from a POSIX message
 * queue that a producer process fills and then exits; the consumer stops when
 * the producer is gone. An alarm() watchdog turns a hang into exit 2.
 *
 * Bug (a peer that outlives its dead partner): the consumer checks "is the
 * producer still running?" (waitpid WNOHANG), then blocks in mq_receive. If
 * the producer sends its last job and exits between the check and the
 * receive, nobody will ever send again: the consumer blocks forever.
 * Minimal interleaving (1 preemption, after the last job): the consumer takes
 * the last job, checks the producer (still running: it has not exited yet)
 * and is preempted; the producer exits; the consumer's blocking mq_receive
 * never returns. The watchdog fires: exit 2 (under ipcrace, a deadlock or the
 * virtual alarm).
 * Fix (-DFIXED): the consumer waits with mq_timedreceive (100 ms) and
 * re-checks the producer after every timeout, then drains the queue.
 *
 * Shape: mq_open/mq_unlink, fork/waitpid(WNOHANG), an alarm() watchdog, a
 * timed wait; 2 processes, 3 jobs.
 */
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define JOBS 3

static char qname[64];

static void on_alarm(int sig) {
  (void)sig;
  static const char msg[] = "mq_peer_exit: watchdog: the consumer is waiting for a producer that is gone\n";
  write(2, msg, sizeof msg - 1);
  mq_unlink(qname);
  _exit(2);
}

int main(void) {
  snprintf(qname, sizeof qname, "/mq_peer_exit.%d", (int)getpid());
  struct mq_attr at = {.mq_maxmsg = 4, .mq_msgsize = 32};
  mqd_t q = mq_open(qname, O_CREAT | O_EXCL | O_RDWR, 0600, &at);
  if (q == (mqd_t)-1) {
    perror("mq_open");
    return 99;
  }
  pid_t producer = fork();
  if (producer == 0) {
    for (int i = 0; i < JOBS; ++i) {
      char job[32];
      int n = snprintf(job, sizeof job, "job %d", i);
      mq_send(q, job, (size_t)n + 1, 0);
    }
    _exit(0);
  }
  signal(SIGALRM, on_alarm);
  alarm(2);
  int jobs = 0, producer_gone = 0;
  char buf[32];
  while (!producer_gone) {
    if (waitpid(producer, NULL, WNOHANG) == producer) {
      producer_gone = 1;
      break;
    }
#ifdef FIXED
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_nsec += 100 * 1000 * 1000;
    if (deadline.tv_nsec >= 1000000000L) {
      deadline.tv_sec += 1;
      deadline.tv_nsec -= 1000000000L;
    }
    if (mq_timedreceive(q, buf, sizeof buf, NULL, &deadline) >= 0) jobs++;
#else
    if (mq_receive(q, buf, sizeof buf, NULL) >= 0) jobs++;
#endif
  }
  /* the producer is gone: take what it left */
  struct mq_attr now;
  while (mq_getattr(q, &now) == 0 && now.mq_curmsgs > 0 && mq_receive(q, buf, sizeof buf, NULL) >= 0) jobs++;
  alarm(0);
  mq_close(q);
  mq_unlink(qname);
  if (jobs != JOBS) {
    fprintf(stderr, "mq_peer_exit: got %d jobs, expected %d\n", jobs, JOBS);
    return 1;
  }
  return 0;
}
