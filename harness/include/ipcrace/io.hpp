// Actor-side I/O with faults (issue 12): each call is one point whose op can
// fail the ways a real call of its kind can, when the schedule says so
// (Actor::fault()). Descriptors must be non-blocking: a call that would
// block parks the actor on `r` (Actor::blocking) instead.
//
//   read/recv    short (at most n/2 bytes, n >= 2), eintr (-1, EINTR, nothing read)
//   write/send   short (n/2 bytes written for real), eintr (-1, EINTR, nothing written),
//                drop (send with datagram = true: reports n, queues nothing)
//   write_atomic a pipe write of at most PIPE_BUF bytes: eintr only (never short)
//   try_write/try_send   a non-blocking call: full (-1, EAGAIN) besides the above
//
// Without a fault they do what read(2), write(2), send(2) and recv(2) do,
// except that EAGAIN blocks (or, for try_*, returns -1 with EAGAIN). Each
// reports its return value as the step's outcome (Actor::outcome).
#pragma once
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <optional>

#include "ipcrace/actor.hpp"

namespace ipcrace::io {

namespace detail {
constexpr uint32_t kReadFaults = fault_bit(FaultKind::short_io) | fault_bit(FaultKind::eintr);

inline OpDetail detail_for(size_t n, uint32_t faults) {
  OpDetail d;
  d.size = uint32_t(n);
  d.faults = n >= 2 ? faults : faults & ~fault_bit(FaultKind::short_io);
  return d;
}

inline size_t faulted_size(size_t n) {
  return this_actor().fault() == FaultKind::short_io && n >= 2 ? n / 2 : n;
}

// One op: `call(len)` is the real syscall for len bytes. `nonblocking`: EAGAIN
// (real or the `full` fault) is returned, not waited out.
template <class Call>
ssize_t run(OpKind kind, Resource r, const char* label, const void* p, size_t n, uint32_t faults, bool nonblocking,
            Call&& call) {
  Actor& a = this_actor();
  const ssize_t got = a.blocking(kind, r, label, detail_for(n, faults), [&]() -> std::optional<ssize_t> {
    switch (a.fault()) {
      case FaultKind::eintr: errno = EINTR; return ssize_t(-1);
      case FaultKind::full: errno = EAGAIN; return ssize_t(-1);
      case FaultKind::drop: return ssize_t(n);
      default: break;
    }
    const ssize_t k = call(faulted_size(n));
    if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && !nonblocking) return std::nullopt;
    return k;
  });
  const int saved = errno;
  if (got < 0) a.outcome(-saved);
  else a.outcome(got, p, size_t(got));  // the bytes moved (Step::bytes)
  errno = saved;
  return got;
}
}  // namespace detail

inline ssize_t read(int fd, void* p, size_t n, Resource r, const char* label) {
  return detail::run(OpKind::read, r, label, p, n, detail::kReadFaults, false,
                     [&](size_t len) { return ::read(fd, p, len); });
}

inline ssize_t write(int fd, const void* p, size_t n, Resource r, const char* label) {
  return detail::run(OpKind::write, r, label, p, n, detail::kReadFaults, false,
                     [&](size_t len) { return ::write(fd, p, len); });
}

// A write of at most PIPE_BUF bytes to a pipe: POSIX makes it all or nothing,
// so it is never short; it can be interrupted (eintr).
inline ssize_t write_atomic(int fd, const void* p, size_t n, Resource r, const char* label) {
  return detail::run(OpKind::write, r, label, p, n, fault_bit(FaultKind::eintr), false,
                     [&](size_t len) { return ::write(fd, p, len); });
}

inline ssize_t try_write(int fd, const void* p, size_t n, Resource r, const char* label) {
  return detail::run(OpKind::write, r, label, p, n, detail::kReadFaults | fault_bit(FaultKind::full), true,
                     [&](size_t len) { return ::write(fd, p, len); });
}

inline ssize_t recv(int fd, void* p, size_t n, int flags, Resource r, const char* label) {
  return detail::run(OpKind::recv, r, label, p, n, detail::kReadFaults, false,
                     [&](size_t len) { return ::recv(fd, p, len, flags | MSG_DONTWAIT); });
}

// `datagram`: the socket is a datagram socket; a send may then be dropped
// (but never short: a datagram goes whole or not at all).
inline ssize_t send(int fd, const void* p, size_t n, int flags, Resource r, const char* label,
                    bool datagram = false) {
  const uint32_t f = datagram ? fault_bit(FaultKind::eintr) | fault_bit(FaultKind::drop) : detail::kReadFaults;
  return detail::run(OpKind::send, r, label, p, n, f, false,
                     [&](size_t len) { return ::send(fd, p, len, flags | MSG_DONTWAIT | MSG_NOSIGNAL); });
}

inline ssize_t try_send(int fd, const void* p, size_t n, int flags, Resource r, const char* label,
                        bool datagram = false) {
  const uint32_t f = (datagram ? fault_bit(FaultKind::eintr) | fault_bit(FaultKind::drop) : detail::kReadFaults) |
                     fault_bit(FaultKind::full);
  return detail::run(OpKind::send, r, label, p, n, f, true,
                     [&](size_t len) { return ::send(fd, p, len, flags | MSG_DONTWAIT | MSG_NOSIGNAL); });
}

}  // namespace ipcrace::io
