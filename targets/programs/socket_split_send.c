/* socket_split_send.c: two sensor processes report to a collector (the
 * parent) over one shared AF_UNIX SOCK_SEQPACKET socket; a report is a header
 * packet {sensor, length} followed by a body packet.
 *
 * Bug (torn message on a socket): the header and the body go out in two
 * send() calls, and both sensors share the socket: packets of the two
 * sensors can interleave, and the collector pairs one sensor's header with
 * the other's body.
 * Minimal interleaving (1 preemption): sensor A sends its header and is
 * preempted; sensor B sends header and body; the collector reads A's header,
 * then B's header as A's body: the body does not match the header, exit 1.
 * Fix (-DFIXED): header and body go out as one packet (one sendmsg with two
 * iovecs), so a report is never split.
 *
 * Shape: socketpair + fork, sendmsg/recv, each sensor sends 2 reports,
 * 3 processes.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define SENSORS 2
#define REPORTS 2

struct header {
  int sensor;
  int length;
};

static int report(int fd, int sensor, int n) {
  char body[32];
  struct header h = {sensor, snprintf(body, sizeof body, "sensor %d reading %d", sensor, n) + 1};
#ifdef FIXED
  struct iovec iov[2] = {{&h, sizeof h}, {body, (size_t)h.length}};
  struct msghdr m = {.msg_iov = iov, .msg_iovlen = 2};
  return sendmsg(fd, &m, 0) == (ssize_t)(sizeof h + (size_t)h.length) ? 0 : -1;
#else
  if (send(fd, &h, sizeof h, 0) != sizeof h) return -1;
  return send(fd, body, (size_t)h.length, 0) == h.length ? 0 : -1;
#endif
}

int main(void) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) != 0) return 99;
  pid_t pids[SENSORS];
  for (int s = 0; s < SENSORS; ++s) {
    pids[s] = fork();
    if (pids[s] == 0) {
      close(sv[0]);
      for (int n = 0; n < REPORTS; ++n)
        if (report(sv[1], s, n) != 0) _exit(3);
      _exit(0);
    }
  }
  close(sv[1]);
  int bad = 0;
  for (int i = 0; i < SENSORS * REPORTS && !bad; ++i) {
    char pkt[128];
    struct header h;
#ifdef FIXED
    ssize_t r = recv(sv[0], pkt, sizeof pkt, 0);
    if (r < (ssize_t)sizeof h) {
      bad = 1;
      break;
    }
    memcpy(&h, pkt, sizeof h);
    memmove(pkt, pkt + sizeof h, (size_t)r - sizeof h);
    r -= (ssize_t)sizeof h;
#else
    if (recv(sv[0], &h, sizeof h, 0) != sizeof h) {
      bad = 1;
      break;
    }
    ssize_t r = recv(sv[0], pkt, sizeof pkt - 1, 0);
#endif
    char want[32];
    snprintf(want, sizeof want, "sensor %d reading", h.sensor);
    if (r != h.length || strncmp(pkt, want, strlen(want)) != 0) {
      fprintf(stderr, "socket_split_send: report %d: header says sensor %d, %d bytes; body is %zd bytes\n", i,
              h.sensor, h.length, r);
      bad = 1;
    }
  }
  close(sv[0]);
  for (int s = 0; s < SENSORS; ++s) waitpid(pids[s], NULL, 0);
  return bad;
}
