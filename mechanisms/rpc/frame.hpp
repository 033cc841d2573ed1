// Length-prefixed frames over a connected AF_UNIX stream socket: the wire
// layer shared by the rpc mechanisms (mux.hpp, kv.hpp). Not itself racy or
// synchronised: it gives the two variants of each mechanism the same
// transport.
//
// A frame is a 4-byte length (always sizeof(Msg)) followed by a Msg. Sockets
// are non-blocking. Writing a frame is one send() preceded by one point on the
// resource of the direction written; reading a frame is one blocking op (a
// non-blocking try that peeks the length, checks the whole frame has arrived
// and receives it) on the same resource, so a reader parked on an empty socket
// is woken by the next send in that direction.
#pragma once
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <system_error>

#include "ipcrace/actor.hpp"
#include "ipcrace/io.hpp"
#include "ipcrace/rng.hpp"

namespace ipcrace::rpc {

struct Msg {
  uint32_t op = 0;    // request kind, or reply status
  uint32_t from = 0;  // actor index of the requester (echoed in replies)
  uint64_t id = 0;    // request id (0: the protocol has none)
  int64_t arg[3] = {0, 0, 0};
  uint64_t sum = 0;   // checksum of every field above
};

inline uint64_t msg_checksum(const Msg& m) {
  uint64_t h = 0x6a09e667f3bcc909ULL;
  for (uint64_t v : {uint64_t(m.op), uint64_t(m.from), m.id, uint64_t(m.arg[0]), uint64_t(m.arg[1]), uint64_t(m.arg[2])})
    h = mix64(h ^ v);
  return h;
}
inline void seal(Msg& m) { m.sum = msg_checksum(m); }
inline bool intact(const Msg& m) { return m.sum == msg_checksum(m); }

inline constexpr uint32_t kFrameBody = sizeof(Msg);
inline constexpr size_t kFrameBytes = sizeof(uint32_t) + sizeof(Msg);

// A connected, non-blocking AF_UNIX stream pair (made in setup; both ends are
// inherited by forked actors). fd[0]: client end, fd[1]: server end.
inline void make_socket_pair(int fd[2]) {
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fd) != 0)
    throw std::system_error(errno, std::generic_category(), "socketpair");
}
inline void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// One frame written with send()s on `r` until it is complete (each one point).
inline void send_frame(int fd, Resource r, Msg m, const char* label) {
  Actor& a = this_actor();
  seal(m);
  unsigned char buf[kFrameBytes];
  const uint32_t len = kFrameBody;
  std::memcpy(buf, &len, sizeof len);
  std::memcpy(buf + sizeof len, &m, sizeof m);
  // Through ipcrace/io.hpp: the schedule may make a send short or
  // interrupted, as a stream socket may; send the rest, retry EINTR.
  ssize_t n = 0;
  for (size_t done = 0; done < sizeof buf; n = ssize_t(done)) {
    const ssize_t k = io::send(fd, buf + done, sizeof buf - done, 0, r, label);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) {
      n = k;
      break;
    }
    done += size_t(k);
  }
  if (n != ssize_t(sizeof buf))
    a.fail(std::string("send of a frame wrote ") + std::to_string(n) + " of " + std::to_string(sizeof buf) +
           " bytes (" + std::strerror(errno) + ")");
}

enum class Got { nothing, frame, garbage };

// The non-blocking try: a whole frame, nothing yet, or bytes that are not a
// frame (everything readable is then consumed: the stream cannot resync).
inline Got try_recv_frame(int fd, Msg& out) {
  int avail = 0;
  if (ioctl(fd, FIONREAD, &avail) != 0 || avail < int(sizeof(uint32_t))) return Got::nothing;
  uint32_t len = 0;
  if (::recv(fd, &len, sizeof len, MSG_PEEK | MSG_DONTWAIT) != ssize_t(sizeof len)) return Got::nothing;
  if (len != kFrameBody) {
    unsigned char sink[4096];
    while (::recv(fd, sink, sizeof sink, MSG_DONTWAIT) > 0) {
    }
    return Got::garbage;
  }
  if (avail < int(kFrameBytes)) return Got::nothing;
  unsigned char buf[kFrameBytes];
  if (::recv(fd, buf, sizeof buf, MSG_DONTWAIT) != ssize_t(sizeof buf)) return Got::garbage;
  std::memcpy(&out, buf + sizeof len, sizeof out);
  return intact(out) ? Got::frame : Got::garbage;
}

// Blocking read of one frame on `r`. A garbled frame is reported (a.fail) and
// returned with op = kGarbled.
inline constexpr uint32_t kGarbled = 0xdeadu;
inline Msg recv_frame(int fd, Resource r, const char* label) {
  Actor& a = this_actor();
  Msg m = a.blocking(OpKind::recv, r, label, [&]() -> std::optional<Msg> {
    Msg got;
    switch (try_recv_frame(fd, got)) {
      case Got::nothing: return std::nullopt;
      case Got::frame: a.outcome(int64_t(kFrameBytes), &got, sizeof got); return got;
      case Got::garbage: break;
    }
    a.outcome(-EBADMSG);
    got = Msg{};
    got.op = kGarbled;
    return got;
  });
  if (m.op == kGarbled) a.fail("torn or corrupt frame on the connection");
  return m;
}

}  // namespace ipcrace::rpc
