/* socket_rpc_mux_threads.c: a client process with two caller threads shares
 * one socketpair connection to a server process; each call sends a request
 * (a number) and reads one reply (the number squared).
 *
 * Bug (misrouted reply, socketpair RPC): the callers share the connection
 * without holding it for the whole call: each sends, then reads "its" reply,
 * but replies carry no correlation id, so a thread can read the reply meant
 * for the other.
 * Minimal interleaving (1 preemption): caller A sends x and is preempted;
 * caller B sends y; the server answers x*x then y*y; B reads x*x. B's check
 * reply == y*y fails: exit 1.
 * Fix (-DFIXED): a mutex held from send to recv makes each call exclusive on
 * the connection.
 *
 * Shape: socketpair(AF_UNIX, SOCK_SEQPACKET), fork for the server,
 * pthread_create callers, 2 calls per thread, the server exits on EOF.
 */
#include <pthread.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define CALLS 2

static int conn;
#ifdef FIXED
static pthread_mutex_t call_lock = PTHREAD_MUTEX_INITIALIZER;
#endif
static int misrouted;

static long call(long x) {
  long reply = -1;
#ifdef FIXED
  pthread_mutex_lock(&call_lock);
#endif
  if (send(conn, &x, sizeof x, 0) != sizeof x || recv(conn, &reply, sizeof reply, 0) != sizeof reply) reply = -1;
#ifdef FIXED
  pthread_mutex_unlock(&call_lock);
#endif
  return reply;
}

static void* caller(void* arg) {
  long base = (long)arg;
  for (long i = 1; i <= CALLS; ++i) {
    long x = base + i;
    long r = call(x);
    if (r != x * x) {
      fprintf(stderr, "socket_rpc_mux: call(%ld) returned %ld, expected %ld\n", x, r, x * x);
      __atomic_fetch_add(&misrouted, 1, __ATOMIC_RELAXED);
    }
  }
  return NULL;
}

static void serve(int fd) {
  long x;
  while (recv(fd, &x, sizeof x, 0) == sizeof x) {
    long y = x * x;
    if (send(fd, &y, sizeof y, 0) != sizeof y) break;
  }
}

int main(void) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) != 0) return 99;
  pid_t server = fork();
  if (server == 0) {
    close(sv[0]);
    serve(sv[1]);
    _exit(0);
  }
  close(sv[1]);
  conn = sv[0];
  pthread_t t[2];
  pthread_create(&t[0], NULL, caller, (void*)10L);
  pthread_create(&t[1], NULL, caller, (void*)20L);
  pthread_join(t[0], NULL);
  pthread_join(t[1], NULL);
  close(conn);
  waitpid(server, NULL, 0);
  return misrouted ? 1 : 0;
}
