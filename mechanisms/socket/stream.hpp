// Several writers share one end of a real connected Unix stream socket
// (socket/bind/listen/connect/accept on ctx.socket_path); one reader at the
// other end reads length-prefixed messages (a header announcing the length).
//   racy    each writer sends its message in two send() calls, header then
//           payload, with nothing keeping them together: a stream keeps bytes,
//           not messages, so another writer's bytes land between the two
//           pieces. Bug class: interleaved stream writes (no writer lock).
//   locked  synchronised: a writer lock (sync::Mutex on an interprocess_mutex)
//           held across both send() calls of one frame; the reader reads the
//           header, then reads until the announced length is complete.
#pragma once
#include <string>
#include <vector>

#include "ipcrace/target.hpp"
#include "socket/io.hpp"
#include "socket/message.hpp"
#include "sync/scheduled.hpp"

namespace ipcrace::sockets {

struct StreamState {
  sync::bip::interprocess_mutex lock;
};

class SharedStream {
 public:
  // Setup: on a throw, what was opened is still closed by close().
  void open(RunContext& ctx, bool locked) {
    locked_ = locked;
    const sockaddr_un addr = unix_address(ctx.socket_path("stream"));
    int listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listener < 0) sys_fail("socket");
    if (bind(listener, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 || listen(listener, 1) != 0) {
      const int e = errno;
      close_fd(listener);
      errno = e;
      sys_fail("bind/listen unix stream");
    }
    client_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (client_ < 0 || connect(client_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 ||
        (server_ = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC)) < 0) {
      const int e = errno;
      close_fd(listener);
      errno = e;
      sys_fail("connect/accept unix stream");
    }
    close_fd(listener);
    set_nonblocking(client_);
    set_nonblocking(server_);
    res_ = ctx.resource("stream");
    st_ = ctx.shm_new<StreamState>("stream.state");
    lock_ = sync::Mutex(&st_->lock, ctx.resource("stream.lock"));
  }
  void close() {
    close_fd(client_);
    close_fd(server_);
  }

  // Writer: one message (MsgHeader + payload) as header, then payload.
  void send(const std::vector<unsigned char>& m) {
    if (locked_) lock_.lock("stream.writer_lock");
    send_all(client_, res_, m.data(), sizeof(MsgHeader), "stream.send_header");
    send_all(client_, res_, m.data() + sizeof(MsgHeader), m.size() - sizeof(MsgHeader), "stream.send_payload");
    if (locked_) lock_.unlock("stream.writer_unlock");
  }

  // Reader: the next length-prefixed message into `out`; "" or what is wrong.
  std::string receive(std::vector<unsigned char>& out) {
    MsgHeader h;
    recv_exact(server_, res_, &h, sizeof h, "stream.recv_header");
    if (h.magic != kMagic || h.len > (1u << 20)) return "corrupt stream: bad message header (another message's bytes)";
    out.resize(sizeof h + h.len);
    std::memcpy(out.data(), &h, sizeof h);
    recv_exact(server_, res_, out.data() + sizeof h, h.len, "stream.recv_payload");
    return "";
  }

 private:
  bool locked_ = false;
  int client_ = -1;  // shared by every writer
  int server_ = -1;  // the reader's end
  Resource res_;
  StreamState* st_ = nullptr;
  sync::Mutex lock_;
};

}  // namespace ipcrace::sockets
