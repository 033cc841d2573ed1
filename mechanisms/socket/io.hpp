// Scheduled socket I/O shared by the socket family: every send()/recv() is one
// point, run as a non-blocking try (MSG_DONTWAIT); on EAGAIN the actor blocks
// on the socket's resource until another actor uses it. Plus the setup helpers
// that make the real connected sockets.
#pragma once
#include <fcntl.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <system_error>

#include "ipcrace/actor.hpp"

namespace ipcrace::sockets {

[[noreturn]] inline void sys_fail(const char* what) { throw std::system_error(errno, std::generic_category(), what); }

// ---- scheduled operations (actor side) -------------------------------------

// One send() of up to n bytes; returns how many were taken (a stream socket
// may take part of them). Blocks on EAGAIN.
// `faults` (ipcrace/fault_kind.hpp): how this send may fail when the
// schedule says so: short (n/2 bytes taken) and eintr (nothing taken,
// reported as 0 bytes, so that a caller's loop retries). Stream loops only.
inline constexpr uint32_t kStreamFaults = fault_bit(FaultKind::short_io) | fault_bit(FaultKind::eintr);

inline size_t send_some(int fd, Resource r, const void* p, size_t n, const char* label, uint32_t faults = 0) {
  Actor& a = this_actor();
  return a.blocking(OpKind::send, r, label, OpDetail{MemOrder::plain, uint32_t(n), 0, n >= 2 ? faults : 0},
                    [&]() -> std::optional<size_t> {
    if (a.fault() == FaultKind::eintr) return size_t(0);  // interrupted: the caller's loop retries
    const size_t len = a.fault() == FaultKind::short_io ? n / 2 : n;
    const ssize_t put = ::send(fd, p, len, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (put >= 0) {
      a.outcome(put, p, size_t(put));
      return size_t(put);
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) return std::nullopt;
    sys_fail("send");
  });
}

inline void send_all(int fd, Resource r, const void* p, size_t n, const char* label) {
  for (size_t done = 0; done < n;)
    done += send_some(fd, r, static_cast<const char*>(p) + done, n - done, label, kStreamFaults);
}

// One recv() of up to n bytes: whatever is queued (a datagram, or part of a
// stream). Blocks while nothing is queued. `flags_out` gets msg_flags
// (MSG_TRUNC for a datagram larger than n).
// `faults`: as for send_some (short: at most n/2 bytes; eintr: 0 bytes).
inline size_t recv_some(int fd, Resource r, void* p, size_t n, const char* label, int* flags_out = nullptr,
                        uint32_t faults = 0) {
  Actor& a = this_actor();
  return a.blocking(OpKind::recv, r, label, OpDetail{MemOrder::plain, uint32_t(n), 0, n >= 2 ? faults : 0},
                    [&]() -> std::optional<size_t> {
    if (a.fault() == FaultKind::eintr) return size_t(0);  // interrupted: the caller's loop retries
    iovec iov{p, a.fault() == FaultKind::short_io ? n / 2 : n};
    msghdr mh{};
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    const ssize_t got = ::recvmsg(fd, &mh, MSG_DONTWAIT);
    if (got > 0 || (got == 0 && n == 0)) {
      this_actor().outcome(got, p, size_t(got));
      if (flags_out) *flags_out = mh.msg_flags;
      return size_t(got);
    }
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return std::nullopt;
    if (got == 0) errno = EPIPE;  // readers never rely on EOF: a peer closed early
    sys_fail("recv");
  });
}

// Read until n bytes arrived: the loop a stream reader needs.
inline void recv_exact(int fd, Resource r, void* p, size_t n, const char* label) {
  for (size_t done = 0; done < n;)
    done += recv_some(fd, r, static_cast<char*>(p) + done, n - done, label, nullptr, kStreamFaults);
}

// TCP: wait (bounded spin, 1 s) until every byte sent on fd was acknowledged,
// i.e. is in the peer's receive queue, so what the next point sees does not
// depend on timing. Not a point: nothing shared changes.
inline void settle_tcp(int fd) {
  timespec start, now;
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (;;) {
    int unacked = 0;
    if (ioctl(fd, SIOCOUTQ, &unacked) != 0 || unacked == 0) return;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if ((now.tv_sec - start.tv_sec) * 1000000000L + (now.tv_nsec - start.tv_nsec) > 1000000000L) return;
    sched_yield();
  }
}

// ---- setup helpers (controller side) -------------------------------------------

inline void set_nonblocking(int fd) {
  const int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0) sys_fail("fcntl O_NONBLOCK");
}

inline sockaddr_un unix_address(const std::string& path) {
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::memcpy(a.sun_path, path.c_str(), path.size() + 1);  // RunContext checks the length
  return a;
}

inline void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// Close without TIME_WAIT (RST): thousands of runs must not eat the ports.
inline void close_abortive(int& fd) {
  if (fd < 0) return;
  linger l{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  close_fd(fd);
}

}  // namespace ipcrace::sockets
