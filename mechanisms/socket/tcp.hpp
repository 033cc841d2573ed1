// TCP over loopback: every writer has its own connection to one listener on
// 127.0.0.1 (port 0, found with getsockname); one reader serves every
// connection in turn. A writer sends each message as header, then payload (two
// send() calls, as a protocol writer does and as segmentation does anyway).
// After every send the writer waits until SIOCOUTQ is 0: the bytes are in the
// reader's receive queue before the next point, so runs do not depend on time.
//   racy       the reader calls recv() once per message with a buffer of the
//              message's size and takes what it gets as the message. TCP is a
//              byte stream: recv returns what has arrived, maybe only the
//              header. Bug class: short read (one recv assumed to be one message).
//   read_full  synchronised: the reader reads the header, then reads until the
//              announced length is complete.
#pragma once
#include <arpa/inet.h>

#include <string>
#include <vector>

#include "ipcrace/target.hpp"
#include "socket/io.hpp"
#include "socket/message.hpp"

namespace ipcrace::sockets {

class TcpLoopback {
 public:
  static constexpr int kMaxConns = 8;

  // Setup: connections 1..writers (index = writer's actor index). On a throw,
  // what was opened is still closed by close().
  void open(RunContext& ctx, bool read_full, int writers) {
    read_full_ = read_full;
    int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listener < 0) sys_fail("socket");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    if (bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(listener, kMaxConns) != 0 ||
        getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      const int e = errno;
      close_abortive(listener);
      errno = e;
      sys_fail("bind/listen 127.0.0.1:0");
    }
    for (int i = 1; i <= writers && i < kMaxConns; ++i) {
      client_[i] = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (client_[i] < 0 || connect(client_[i], reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
          (server_[i] = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC)) < 0) {
        const int e = errno;
        close_abortive(listener);
        errno = e;
        sys_fail("connect/accept 127.0.0.1");
      }
      const int one = 1;  // no Nagle: a send goes out now, so SIOCOUTQ reaches 0
      setsockopt(client_[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      set_nonblocking(client_[i]);
      set_nonblocking(server_[i]);
      const std::string name = "tcp.conn" + std::to_string(i);
      res_[i] = ctx.resource(name.c_str());
    }
    close_abortive(listener);
  }
  void close() {
    for (int i = 0; i < kMaxConns; ++i) {
      close_abortive(client_[i]);
      close_abortive(server_[i]);
    }
  }

  // Writer `w` (its actor index): one message as header, then payload.
  void send(int w, const std::vector<unsigned char>& m) {
    send_all(client_[w], res_[w], m.data(), sizeof(MsgHeader), "tcp.send_header");
    settle_tcp(client_[w]);
    send_all(client_[w], res_[w], m.data() + sizeof(MsgHeader), m.size() - sizeof(MsgHeader), "tcp.send_payload");
    settle_tcp(client_[w]);
  }

  // Reader: the next message of writer `w` into `out` (a message is `size`
  // bytes of payload); "" or what is wrong with the stream.
  std::string receive(int w, std::vector<unsigned char>& out, size_t size) {
    if (!read_full_) {  // the bug: one recv() taken for one message
      out.resize(sizeof(MsgHeader) + size);
      out.resize(recv_some(server_[w], res_[w], out.data(), out.size(), "tcp.recv_message"));
      return "";
    }
    MsgHeader h;
    recv_exact(server_[w], res_[w], &h, sizeof h, "tcp.recv_header");
    if (h.magic != kMagic || h.len > (1u << 20)) return "corrupt stream: bad message header";
    out.resize(sizeof h + h.len);
    std::memcpy(out.data(), &h, sizeof h);
    recv_exact(server_[w], res_[w], out.data() + sizeof h, h.len, "tcp.recv_payload");
    return "";
  }

 private:
  bool read_full_ = true;
  int client_[kMaxConns] = {-1, -1, -1, -1, -1, -1, -1, -1};  // writer i's end
  int server_[kMaxConns] = {-1, -1, -1, -1, -1, -1, -1, -1};  // the reader's end of connection i
  Resource res_[kMaxConns];
};

}  // namespace ipcrace::sockets
