// Several writers share one Unix datagram socket connected to a reader's
// socket bound to ctx.socket_path (AF_UNIX, SOCK_DGRAM).
//   racy   each writer sends a message as two datagrams, header then payload,
//          and the reader pairs each header with the next datagram. The kernel
//          keeps each datagram whole but orders datagrams of different senders
//          as they come: another writer's datagram lands between the two.
//          Bug class: message split across datagrams (pieces interleave).
//   whole  synchronised: one datagram per message; the kernel delivers a
//          datagram whole and atomically, so no lock is needed. The reader's
//          buffer is one byte larger than any message and MSG_TRUNC is checked.
#pragma once
#include <string>
#include <vector>

#include "ipcrace/target.hpp"
#include "socket/io.hpp"
#include "socket/message.hpp"

namespace ipcrace::sockets {

class SharedDatagram {
 public:
  // Setup: on a throw, what was opened is still closed by close().
  void open(RunContext& ctx, bool whole) {
    whole_ = whole;
    const sockaddr_un addr = unix_address(ctx.socket_path("dgram"));
    reader_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (reader_ < 0 || bind(reader_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
      sys_fail("bind unix dgram");
    writer_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (writer_ < 0 || connect(writer_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
      sys_fail("connect unix dgram");
    res_ = ctx.resource("dgram");
  }
  void close() {
    close_fd(writer_);
    close_fd(reader_);
  }

  // Writer: one message (MsgHeader + payload).
  void send(const std::vector<unsigned char>& m) {
    if (whole_) {
      send_datagram(m.data(), m.size(), "dgram.send_message");
    } else {
      send_datagram(m.data(), sizeof(MsgHeader), "dgram.send_header");
      send_datagram(m.data() + sizeof(MsgHeader), m.size() - sizeof(MsgHeader), "dgram.send_payload");
    }
  }

  // Reader: the next message into `out` (at most `max` bytes); "" or what is wrong.
  std::string receive(std::vector<unsigned char>& out, size_t max) {
    int flags = 0;
    if (whole_) {
      out.resize(max + 1);
      out.resize(recv_some(reader_, res_, out.data(), out.size(), "dgram.recv_message", &flags));
      return flags & MSG_TRUNC ? "truncated datagram" : "";
    }
    out.resize(max + 1);
    const size_t n = recv_some(reader_, res_, out.data(), sizeof(MsgHeader), "dgram.recv_header", &flags);
    if (n != sizeof(MsgHeader) || (flags & MSG_TRUNC))
      return "expected a header datagram, got one of another size (a payload of another message)";
    const size_t m = recv_some(reader_, res_, out.data() + n, max + 1 - n, "dgram.recv_payload", &flags);
    out.resize(n + m);
    return flags & MSG_TRUNC ? "truncated datagram" : "";
  }

 private:
  // A datagram goes whole or not at all; EAGAIN while the reader's queue is full.
  void send_datagram(const void* p, size_t n, const char* label) {
    if (send_some(writer_, res_, p, n, label) != n) {
      errno = EMSGSIZE;
      sys_fail("short datagram send");
    }
  }

  bool whole_ = true;
  int writer_ = -1;  // shared by every writer, connected to the reader's address
  int reader_ = -1;
  Resource res_;
};

}  // namespace ipcrace::sockets
