// Interposed descriptor I/O: pipes, FIFOs, sockets and POSIX message queues
// (on Linux an mqd_t is a descriptor). Each call is a point; a call that
// would block runs as tries (poll with a zero timeout, then the real call,
// which then does not block). Regular files and terminals pass through.
// Also the names a program creates (mq_open, bind): the controller removes
// what is left after each run.
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <mqueue.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "ipcrace/fault_kind.hpp"
#include "rt.hpp"

using namespace ipcrace;
using namespace ipcrace::rt;

namespace {

// io()'s `faults` argument: the faults this call of this descriptor can have.
constexpr uint32_t kFaultsFor = ~uint32_t(0);

bool stream_fd(int fd);

// An IPC descriptor (pipe, FIFO, socket, message queue): its resource.
bool ipc_fd(int fd, uint16_t* res, mode_t* mode = nullptr) {
  if (!active() || fd < 0) return false;
  struct stat st;
  if (fstat(fd, &st) != 0) return false;
  if (mode) *mode = st.st_mode;
  if (S_ISREG(st.st_mode) || S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISDIR(st.st_mode)) {
    // POSIX message queues are regular files of the mqueue file system.
    if (!S_ISREG(st.st_mode) || st.st_nlink == 0 || !(st.st_mode & S_IFREG)) return false;
    struct mq_attr a;
    if (IPCRACE_REAL(mq_getattr)(fd, &a) != 0) return false;
  }
  *res = res_of_fd(fd);
  return true;
}

bool nonblocking(int fd) { return (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0; }

bool ready(int fd, short events) {
  pollfd p{fd, events, 0};
  return IPCRACE_REAL(poll)(&p, 1, 0) != 0;  // ready, hung up, or an error: the real call will say
}

// How a call of n bytes can fail when the schedule says so (--faults; only
// ways the kernel can really answer; ipcrace/io.hpp is the API twin):
//   short  a read of a byte stream (pipe, FIFO, stream socket) moves n/2
//          bytes (n >= 2); so does a non-blocking write of one, except a pipe
//          write of at most PIPE_BUF bytes (all or nothing);
//   eintr  a blocking call returns -1 with EINTR, having done nothing; only
//          once the process has installed a signal handler without
//          SA_RESTART (sigaction below), the one way the kernel answers so;
//   full   a non-blocking write or send finds no room (EAGAIN).
// A message (datagram, queue message) is never short.
constexpr uint32_t kEintr = fault_bit(FaultKind::eintr);
// Set by sigaction() when a handler without SA_RESTART is installed; a
// forked child inherits it with the handlers.
bool g_interrupting_handler = false;
uint32_t fault_mask(int fd, mode_t mode, size_t n, bool nb, bool sending) {
  uint32_t m = nb ? 0 : kEintr;
  const bool pipe = S_ISFIFO(mode);
  const bool stream = pipe || (S_ISSOCK(mode) && stream_fd(fd));
  if (stream && n >= 2 && (!sending || (nb && !(pipe && n <= PIPE_BUF)))) m |= fault_bit(FaultKind::short_io);
  if (nb && sending) m |= fault_bit(FaultKind::full);
  return m;
}

// The call `op(len)` on fd for n bytes, as tries when it would block, with
// the faults `faults` may allow (0: none; op's len is then n).
template <class F>
ssize_t io(OpKind k, int fd, short events, bool dontwait, const void* pc, size_t n, uint32_t faults, F&& op) {
  uint16_t res;
  mode_t mode = 0;
  if (!ipc_fd(fd, &res, &mode)) return op(n);
  ssize_t r = 0;
  int err = 0;
  const bool nb = dontwait || nonblocking(fd);
  if (faults == kFaultsFor) faults = fault_mask(fd, mode, n, nb, events == POLLOUT);
  if (nb || !g_interrupting_handler) faults &= ~kEintr;  // nothing can interrupt it
  blocking(
      k, res, pc,
      [&] {
        switch (FaultKind(t_fault)) {
          case FaultKind::eintr: r = -1, err = EINTR; return true;
          case FaultKind::full: r = -1, err = EAGAIN; return true;
          default: break;
        }
        if (!nb && !ready(fd, events)) return false;
        r = op(t_fault == uint32_t(FaultKind::short_io) ? n / 2 : n);
        err = errno;
        return true;
      },
      faults);
  errno = err;
  return r;
}

// A byte stream whose writes the kernel may split: a pipe, a FIFO, a
// SOCK_STREAM socket.
bool stream_fd(int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0) return false;
  if (S_ISFIFO(st.st_mode)) return true;
  if (!S_ISSOCK(st.st_mode)) return false;
  int type = 0;
  socklen_t len = sizeof type;
  return getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_STREAM;
}

// A blocking write of more than PIPE_BUF bytes to a stream is not atomic
// (POSIX lets other writers' data in between, and Linux does so whenever the
// pipe fills): it goes out in PIPE_BUF pieces, each a point of its own, and
// returns when all of it is written (or with what was written before an
// error). Smaller writes, and non-blocking ones, are one call.
// A fault on a piece ends the write there, as a signal would: a short piece
// returns what was written so far, an EINTR after some pieces their count.
template <class F>
ssize_t stream_write(OpKind k, int fd, size_t n, bool dontwait, const void* pc, F&& write_part) {
  if (n <= PIPE_BUF || dontwait || !active() || nonblocking(fd) || !stream_fd(fd))
    return io(k, fd, POLLOUT, dontwait, pc, n, kFaultsFor, [&](size_t len) { return write_part(size_t(0), len); });
  size_t done = 0;
  while (done < n) {
    const size_t part = n - done < PIPE_BUF ? n - done : PIPE_BUF;
    const ssize_t w = io(k, fd, POLLOUT, false, pc, part, kFaultsFor, [&](size_t len) { return write_part(done, len); });
    if (w < 0) return done > 0 ? ssize_t(done) : w;
    done += size_t(w);
    if (size_t(w) < part) break;  // a short piece (a fault): the write ends here
  }
  return ssize_t(done);
}

struct linux_dirent64 {
  uint64_t d_ino;
  int64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[1];
};

// A FIFO or socket path the program created, recorded for removal after the
// run (cleanup.cpp, Kind::node) as an absolute path: the program may chdir.
void record_path(const char* path) {
  char buf[ExecNames::kLen];
  if (path[0] == '/') {
    record_name(7, path);
  } else if (getcwd(buf, sizeof buf) && strlen(buf) + 1 + strlen(path) < sizeof buf) {
    strcat(buf, "/");
    strcat(buf, path);
    record_name(7, buf);
  }
}

// The FIFO registry's slot of object `id` (ExecShared::fifos), -1 when full.
int fifo_slot(uint64_t id) {
  auto& f = g_cb->exec.fifos;
  const uint32_t n = f.count.load(rlx);
  for (uint32_t i = 0; i < n && i < f.kMax; ++i)
    if (f.id[i].load(rlx) == id) return int(i);
  if (n >= f.kMax) return -1;
  f.id[n].store(id, rlx);  // one actor runs at a time
  f.readers[n].store(0, rlx);
  f.writers[n].store(0, rlx);
  f.count.store(n + 1, rlx);
  return int(n);
}

}  // namespace

namespace ipcrace::rt {
// Raw system calls only: no interposer, no point, no allocation.
void close_ipc_fds() {
  const int dir = int(syscall(SYS_openat, long(AT_FDCWD), "/proc/self/fd", long(O_RDONLY | O_DIRECTORY | O_CLOEXEC), 0L));
  if (dir < 0) return;
  int fds[1024];
  int nfds = 0;
  char buf[4096];
  for (;;) {
    const long got = syscall(SYS_getdents64, long(dir), buf, long(sizeof buf));
    if (got <= 0) break;
    for (long off = 0; off < got;) {
      const auto* d = reinterpret_cast<const linux_dirent64*>(buf + off);
      off += d->d_reclen;
      if (d->d_name[0] < '0' || d->d_name[0] > '9') continue;
      int fd = 0;
      for (const char* c = d->d_name; *c >= '0' && *c <= '9'; ++c) fd = fd * 10 + (*c - '0');
      if (fd != dir && nfds < 1024) fds[nfds++] = fd;
    }
  }
  syscall(SYS_close, long(dir));
  for (int i = 0; i < nfds; ++i) {
    struct stat st;
    if (syscall(SYS_fstat, long(fds[i]), &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)))
      syscall(SYS_close, long(fds[i]));
  }
}
}  // namespace ipcrace::rt

extern "C" {

// Whether a signal can interrupt a blocking call (EINTR): a handler installed
// without SA_RESTART. glibc's signal() sets SA_RESTART (and does not come
// through here), so it never makes a call fail with EINTR.
int sigaction(int sig, const struct sigaction* act, struct sigaction* old) {
  const int r = IPCRACE_REAL(sigaction)(sig, act, old);
  if (r == 0 && act && !(act->sa_flags & SA_RESTART) && act->sa_handler != SIG_DFL && act->sa_handler != SIG_IGN)
    g_interrupting_handler = true;
  return r;
}

ssize_t read(int fd, void* buf, size_t n) {
  auto f = IPCRACE_REAL(read);
  return io(OpKind::read, fd, POLLIN, false, IPCRACE_PC, n, kFaultsFor, [&](size_t len) { return f(fd, buf, len); });
}
ssize_t write(int fd, const void* buf, size_t n) {
  auto f = IPCRACE_REAL(write);
  const char* p = static_cast<const char*>(buf);
  return stream_write(OpKind::write, fd, n, false, IPCRACE_PC, [&](size_t off, size_t len) { return f(fd, p + off, len); });
}
ssize_t readv(int fd, const struct iovec* v, int n) {
  auto f = IPCRACE_REAL(readv);
  return io(OpKind::read, fd, POLLIN, false, IPCRACE_PC, 0, kEintr, [&](size_t) { return f(fd, v, n); });
}
ssize_t writev(int fd, const struct iovec* v, int n) {
  auto f = IPCRACE_REAL(writev);
  return io(OpKind::write, fd, POLLOUT, false, IPCRACE_PC, 0, kEintr, [&](size_t) { return f(fd, v, n); });
}
ssize_t send(int fd, const void* buf, size_t n, int flags) {
  auto f = IPCRACE_REAL(send);
  const char* p = static_cast<const char*>(buf);
  return stream_write(OpKind::send, fd, n, flags & MSG_DONTWAIT, IPCRACE_PC,
                      [&](size_t off, size_t len) { return f(fd, p + off, len, flags); });
}
ssize_t recv(int fd, void* buf, size_t n, int flags) {
  auto f = IPCRACE_REAL(recv);
  return io(OpKind::recv, fd, POLLIN, flags & MSG_DONTWAIT, IPCRACE_PC, n, kFaultsFor,
            [&](size_t len) { return f(fd, buf, len, flags); });
}
ssize_t sendto(int fd, const void* buf, size_t n, int flags, const struct sockaddr* a, socklen_t al) {
  auto f = IPCRACE_REAL(sendto);
  return io(OpKind::send, fd, POLLOUT, flags & MSG_DONTWAIT, IPCRACE_PC, n, kFaultsFor,
            [&](size_t len) { return f(fd, buf, len, flags, a, al); });
}
ssize_t recvfrom(int fd, void* buf, size_t n, int flags, struct sockaddr* a, socklen_t* al) {
  auto f = IPCRACE_REAL(recvfrom);
  return io(OpKind::recv, fd, POLLIN, flags & MSG_DONTWAIT, IPCRACE_PC, n, kFaultsFor,
            [&](size_t len) { return f(fd, buf, len, flags, a, al); });
}
ssize_t sendmsg(int fd, const struct msghdr* m, int flags) {
  auto f = IPCRACE_REAL(sendmsg);
  return io(OpKind::send, fd, POLLOUT, flags & MSG_DONTWAIT, IPCRACE_PC, 0, kEintr, [&](size_t) { return f(fd, m, flags); });
}
ssize_t recvmsg(int fd, struct msghdr* m, int flags) {
  auto f = IPCRACE_REAL(recvmsg);
  return io(OpKind::recv, fd, POLLIN, flags & MSG_DONTWAIT, IPCRACE_PC, 0, kEintr, [&](size_t) { return f(fd, m, flags); });
}
// Several messages in one call. A blocking recvmmsg waits until all `n` have
// come (MSG_WAITFORONE: one), a blocking sendmmsg until all are sent: here
// rounds of the non-blocking call, each waiting as tries for the descriptor
// to be ready. recvmmsg's own timeout (checked by the kernel only after a
// message arrives, recvmmsg(2) BUGS) is not virtual time: the rounds do not
// pass it on.
int recvmmsg(int fd, struct mmsghdr* v, unsigned n, int flags, struct timespec* t) {
  auto f = IPCRACE_REAL(recvmmsg);
  uint16_t res;
  if (n == 0 || !ipc_fd(fd, &res)) return f(fd, v, n, flags, t);
  if ((flags & MSG_DONTWAIT) || nonblocking(fd))
    return int(io(OpKind::recv, fd, POLLIN, true, IPCRACE_PC, 0, 0, [&](size_t) { return ssize_t(f(fd, v, n, flags, t)); }));
  unsigned got = 0;
  while (got < n) {
    const ssize_t r = io(OpKind::recv, fd, POLLIN, false, IPCRACE_PC, 0, kEintr,
                         [&](size_t) { return ssize_t(f(fd, v + got, n - got, flags | MSG_DONTWAIT, nullptr)); });
    if (r <= 0) return got > 0 ? int(got) : int(r);
    got += unsigned(r);
    if (flags & MSG_WAITFORONE) break;
  }
  return int(got);
}
int sendmmsg(int fd, struct mmsghdr* v, unsigned n, int flags) {
  auto f = IPCRACE_REAL(sendmmsg);
  uint16_t res;
  if (n == 0 || !ipc_fd(fd, &res)) return f(fd, v, n, flags);
  if ((flags & MSG_DONTWAIT) || nonblocking(fd))
    return int(io(OpKind::send, fd, POLLOUT, true, IPCRACE_PC, 0, 0, [&](size_t) { return ssize_t(f(fd, v, n, flags)); }));
  unsigned sent = 0;
  while (sent < n) {
    const ssize_t r = io(OpKind::send, fd, POLLOUT, false, IPCRACE_PC, 0, kEintr,
                         [&](size_t) { return ssize_t(f(fd, v + sent, n - sent, flags | MSG_DONTWAIT)); });
    if (r <= 0) return sent > 0 ? int(sent) : int(r);
    sent += unsigned(r);
  }
  return int(sent);
}
int accept(int fd, struct sockaddr* a, socklen_t* al) {
  auto f = IPCRACE_REAL(accept);
  return int(io(OpKind::accept, fd, POLLIN, false, IPCRACE_PC, 0, 0, [&](size_t) { return ssize_t(f(fd, a, al)); }));
}
int accept4(int fd, struct sockaddr* a, socklen_t* al, int flags) {
  auto f = IPCRACE_REAL(accept4);
  return int(io(OpKind::accept, fd, POLLIN, flags & SOCK_NONBLOCK, IPCRACE_PC, 0, 0,
                [&](size_t) { return ssize_t(f(fd, a, al, flags)); }));
}
int connect(int fd, const struct sockaddr* a, socklen_t al) {
  auto f = IPCRACE_REAL(connect);
  uint16_t res;
  if (ipc_fd(fd, &res)) point(OpKind::connect, res, IPCRACE_PC);
  return f(fd, a, al);
}
int bind(int fd, const struct sockaddr* a, socklen_t al) {
  int r = IPCRACE_REAL(bind)(fd, a, al);
  if (r == 0 && a && a->sa_family == AF_UNIX) {
    const auto* un = reinterpret_cast<const struct sockaddr_un*>(a);
    if (un->sun_path[0] != 0) record_path(un->sun_path);  // abstract names leave nothing behind
  }
  return r;
}
// A blocking open of a FIFO waits for the other end (fifo(7)); left to the
// kernel it would block the one running actor. Here it is tries: a reader
// is done once some actor has opened the FIFO for writing (then the real
// open, non-blocking, and the descriptor made blocking again); a writer
// once the real non-blocking open finds a reader (not ENXIO). Other opens
// pass through.
int open(const char* path, int flags, ...) {
  mode_t mode = 0;
  if (flags & (O_CREAT | __O_TMPFILE)) {
    va_list ap;
    va_start(ap, flags);
    mode = mode_t(va_arg(ap, unsigned));
    va_end(ap);
  }
  auto f = IPCRACE_REAL(open);
  struct stat st;
  const int acc = flags & O_ACCMODE;
  if (!active() || (flags & O_NONBLOCK) || acc == O_RDWR || stat(path, &st) != 0 || !S_ISFIFO(st.st_mode))
    return f(path, flags, mode);
  const uint64_t id = uint64_t(st.st_dev) << 40 ^ uint64_t(st.st_ino) ^ (uint64_t(1) << 63);
  const int k = fifo_slot(id);
  if (k < 0) return f(path, flags, mode);
  auto& reg = g_cb->exec.fifos;
  const uint16_t res = static_cast<uint16_t>(0x100 + object_index(id) % 0x7e00);
  const OpKind kind = acc == O_RDONLY ? OpKind::accept : OpKind::connect;
  // The arrival, a step of its own that completes (and so re-enables the
  // other end's blocked open), then the tries.
  point(kind, res, IPCRACE_PC);
  (acc == O_RDONLY ? reg.readers : reg.writers)[k].fetch_add(1, rlx);
  int fd = -1, err = 0;
  blocking(kind, res, IPCRACE_PC, [&] {
    if (acc == O_RDONLY && reg.writers[k].load(rlx) == 0) return false;
    fd = f(path, flags | O_NONBLOCK, mode);
    err = errno;
    if (fd < 0 && err == ENXIO) return false;  // a writer, and no reader has it open yet
    if (fd >= 0) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    return true;
  });
  errno = err;
  return fd;
}
int open64(const char* path, int flags, ...) __attribute__((alias("open")));

int mkfifo(const char* path, mode_t mode) {
  const int r = IPCRACE_REAL(mkfifo)(path, mode);
  if (r == 0 && g_cb) record_path(path);
  return r;
}

int close(int fd) {
  uint16_t res;
  if (ipc_fd(fd, &res)) point(OpKind::close, res, IPCRACE_PC);  // a reader may see end-of-file next
  else file_lock_close(fd, IPCRACE_PC);
  if (g_ntimers) timer_closed(fd);
  return IPCRACE_REAL(close)(fd);
}

// ---- poll / select ------------------------------------------------------------------

int poll(struct pollfd* fds, nfds_t n, int timeout) {
  auto f = IPCRACE_REAL(poll);
  uint16_t res = 0;
  if (!active() || n == 0 || !ipc_fd(fds[0].fd, &res)) {
    if (!active()) return f(fds, n, timeout);
    if (n == 0 && timeout > 0) {  // poll(NULL, 0, ms): a sleep
      struct timespec t{timeout / 1000, long(timeout % 1000) * 1000000};
      return nanosleep(&t, nullptr);
    }
  }
  int r = 0, err = 0;
  const int64_t deadline = timeout > 0 ? rel_deadline(int64_t(timeout) * 1000000) : 0;
  const bool done = timed_blocking(OpKind::poll, res, IPCRACE_PC, timeout == 0 ? 0 : deadline, [&] {
    r = f(fds, n, 0);
    err = errno;
    return r != 0 || timeout == 0;
  });
  if (!done) return 0;  // timed out (virtual time)
  errno = err;
  return r;
}

int select(int nfds, fd_set* rd, fd_set* wr, fd_set* ex, struct timeval* tv) {
  auto f = IPCRACE_REAL(select);
  if (!active()) return f(nfds, rd, wr, ex, tv);
  fd_set r0, w0, e0;
  if (rd) r0 = *rd;
  if (wr) w0 = *wr;
  if (ex) e0 = *ex;
  uint16_t res = kResSocket;
  for (int fd = 0; fd < nfds; ++fd)
    if ((rd && FD_ISSET(fd, rd)) || (wr && FD_ISSET(fd, wr))) {
      ipc_fd(fd, &res);
      break;
    }
  const bool zero = tv && tv->tv_sec == 0 && tv->tv_usec == 0;
  const int64_t deadline = tv && !zero ? rel_deadline(int64_t(tv->tv_sec) * 1000000000 + int64_t(tv->tv_usec) * 1000) : 0;
  int r = 0, err = 0;
  const bool done = timed_blocking(OpKind::poll, res, IPCRACE_PC, deadline, [&] {
    if (rd) *rd = r0;
    if (wr) *wr = w0;
    if (ex) *ex = e0;
    struct timeval z{0, 0};
    r = f(nfds, rd, wr, ex, &z);
    err = errno;
    return r != 0 || zero;
  });
  if (!done) {
    if (rd) FD_ZERO(rd);
    if (wr) FD_ZERO(wr);
    if (ex) FD_ZERO(ex);
    return 0;
  }
  errno = err;
  return r;
}

// ppoll/pselect: poll's and select's tries with the signal mask of the call
// in force while the caller waits (a signal arrives only when the actor is
// granted a step, so the mask is what the tries run under).
int ppoll(struct pollfd* fds, nfds_t n, const struct timespec* t, const sigset_t* mask) {
  if (!active()) return IPCRACE_REAL(ppoll)(fds, n, t, mask);
  sigset_t old;
  if (mask) pthread_sigmask(SIG_SETMASK, mask, &old);
  int ms = -1;
  if (t) ms = int(t->tv_sec * 1000 + t->tv_nsec / 1000000) + (t->tv_nsec % 1000000 != 0);
  const int r = poll(fds, n, ms);
  const int err = errno;
  if (mask) pthread_sigmask(SIG_SETMASK, &old, nullptr);
  errno = err;
  return r;
}
int pselect(int nfds, fd_set* rd, fd_set* wr, fd_set* ex, const struct timespec* t, const sigset_t* mask) {
  if (!active()) return IPCRACE_REAL(pselect)(nfds, rd, wr, ex, t, mask);
  sigset_t old;
  if (mask) pthread_sigmask(SIG_SETMASK, mask, &old);
  struct timeval tv;
  if (t) tv = {t->tv_sec, long(t->tv_nsec / 1000 + (t->tv_nsec % 1000 != 0))};
  const int r = select(nfds, rd, wr, ex, t ? &tv : nullptr);
  const int err = errno;
  if (mask) pthread_sigmask(SIG_SETMASK, &old, nullptr);
  errno = err;
  return r;
}

// ---- epoll ----------------------------------------------------------------------------

}  // extern "C"

namespace {
// The resource of an epoll instance's first watched descriptor (its
// /proc/self/fdinfo lists them as "tfd: N"), so a wait conflicts with the
// writes it waits for; the epoll descriptor's own when it watches none.
uint16_t epoll_res(int ep) {
  char path[64] = "/proc/self/fdinfo/";
  char num[16];
  int len = 0;
  for (int v = ep; len == 0 || v > 0; v /= 10) num[len++] = char('0' + v % 10);
  size_t at = strlen(path);
  while (len > 0) path[at++] = num[--len];
  path[at] = 0;
  const int fd = int(syscall(SYS_openat, long(AT_FDCWD), path, long(O_RDONLY | O_CLOEXEC), 0L));
  uint16_t res = 0;
  if (fd >= 0) {
    char buf[1024];
    const long got = syscall(SYS_read, long(fd), buf, long(sizeof buf - 1));
    syscall(SYS_close, long(fd));
    if (got > 0) {
      buf[got] = 0;
      if (const char* p = strstr(buf, "tfd:")) {
        p += 4;
        while (*p == ' ' || *p == '\t') ++p;
        int tfd = 0;
        while (*p >= '0' && *p <= '9') tfd = tfd * 10 + (*p++ - '0');
        if (!ipc_fd(tfd, &res)) res = 0;
      }
    }
  }
  if (res == 0 && !ipc_fd(ep, &res)) res = kResSocket;
  return res;
}

// An epoll wait as tries of the real call with a zero timeout, until an
// event or the virtual deadline (timeout ms; -1: none, 0: one try).
template <class F>
int epoll_tries(int ep, int timeout, const void* pc, F&& try_once) {
  const int64_t deadline = timeout > 0 ? rel_deadline(int64_t(timeout) * 1000000) : 0;
  int r = 0, err = 0;
  const bool done = timed_blocking(OpKind::poll, epoll_res(ep), pc, deadline, [&] {
    r = try_once();
    err = errno;
    return r != 0 || timeout == 0;
  });
  if (!done) return 0;
  errno = err;
  return r;
}
}  // namespace

extern "C" {

int epoll_wait(int ep, struct epoll_event* ev, int max, int timeout) {
  auto f = IPCRACE_REAL(epoll_wait);
  if (!active()) return f(ep, ev, max, timeout);
  return epoll_tries(ep, timeout, IPCRACE_PC, [&] { return f(ep, ev, max, 0); });
}
int epoll_pwait(int ep, struct epoll_event* ev, int max, int timeout, const sigset_t* mask) {
  auto f = IPCRACE_REAL(epoll_pwait);
  if (!active()) return f(ep, ev, max, timeout, mask);
  return epoll_tries(ep, timeout, IPCRACE_PC, [&] { return f(ep, ev, max, 0, mask); });
}

// ---- POSIX message queues ---------------------------------------------------------------

mqd_t mq_open(const char* name, int oflag, ...) {
  va_list ap;
  va_start(ap, oflag);
  mode_t mode = (oflag & O_CREAT) ? mode_t(va_arg(ap, unsigned)) : 0;
  struct mq_attr* attr = (oflag & O_CREAT) ? va_arg(ap, struct mq_attr*) : nullptr;
  va_end(ap);
  mqd_t q = IPCRACE_REAL(mq_open)(name, oflag, mode, attr);
  if (q != mqd_t(-1) && (oflag & O_CREAT)) record_name(2, name);
  return q;
}

int mq_send(mqd_t q, const char* m, size_t n, unsigned prio) {
  auto f = IPCRACE_REAL(mq_send);
  return int(io(OpKind::send, q, POLLOUT, false, IPCRACE_PC, n, kEintr, [&](size_t) { return ssize_t(f(q, m, n, prio)); }));
}
ssize_t mq_receive(mqd_t q, char* m, size_t n, unsigned* prio) {
  auto f = IPCRACE_REAL(mq_receive);
  return io(OpKind::recv, q, POLLIN, false, IPCRACE_PC, n, kEintr, [&](size_t) { return f(q, m, n, prio); });
}
int mq_timedsend(mqd_t q, const char* m, size_t n, unsigned prio, const struct timespec* t) {
  auto f = IPCRACE_REAL(mq_send);
  uint16_t res;
  if (!ipc_fd(q, &res)) return IPCRACE_REAL(mq_timedsend)(q, m, n, prio, t);
  int r = 0, err = 0;
  const bool nb = nonblocking(q);
  if (!timed_blocking(OpKind::send, res, IPCRACE_PC, abs_deadline(CLOCK_REALTIME, t), [&] {
        if (!nb && !ready(q, POLLOUT)) return false;
        r = f(q, m, n, prio);
        err = errno;
        return true;
      })) {
    errno = ETIMEDOUT;
    return -1;
  }
  errno = err;
  return r;
}
ssize_t mq_timedreceive(mqd_t q, char* m, size_t n, unsigned* prio, const struct timespec* t) {
  auto f = IPCRACE_REAL(mq_receive);
  uint16_t res;
  if (!ipc_fd(q, &res)) return IPCRACE_REAL(mq_timedreceive)(q, m, n, prio, t);
  ssize_t r = 0;
  int err = 0;
  const bool nb = nonblocking(q);
  if (!timed_blocking(OpKind::recv, res, IPCRACE_PC, abs_deadline(CLOCK_REALTIME, t), [&] {
        if (!nb && !ready(q, POLLIN)) return false;
        r = f(q, m, n, prio);
        err = errno;
        return true;
      })) {
    errno = ETIMEDOUT;
    return -1;
  }
  errno = err;
  return r;
}
int mq_getattr(mqd_t q, struct mq_attr* a) {
  uint16_t res;
  if (ipc_fd(q, &res)) point(OpKind::poll, res, IPCRACE_PC);
  return IPCRACE_REAL(mq_getattr)(q, a);
}

}  // extern "C"
