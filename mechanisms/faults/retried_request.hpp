// An RPC client that retries after a timeout (issue 12). The client (actor 0)
// makes `requests` requests "add 1" to a server (actor 1) over a real Unix
// stream socket pair, each with a request id; it waits for the reply with a
// timed wait and, when that times out, sends the same request again. The
// server applies what it reads and replies with the id and the new total.
// Stale replies (to an earlier copy of a request) are skipped by id.
//
//   naive server   applies every request it reads: a retried request whose
//                  first copy had arrived is applied twice.
//   dedup server   remembers the last request id it applied and answers a
//                  repeat from its cached reply without applying it again.
//
// Frames are fixed-size and read and written through ipcrace/io.hpp with
// loops that finish a short transfer and retry EINTR, so the synchronised
// twin stays clean with every fault kind. The oracle: the server applied
// exactly `requests` adds, and each reply the client took names its request.
#pragma once
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>

#include "ipcrace/io.hpp"
#include "ipcrace/target.hpp"

namespace ipcrace::faults {

class RetriedRequest {
 public:
  static constexpr int kClient = 0, kServer = 1;

  void setup(RunContext& ctx) {
    if (ctx.actors() != 2) throw std::invalid_argument("takes exactly 2 actors");
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fd_) != 0)
      throw std::system_error(errno, std::generic_category(), "socketpair");
    req_ = ctx.resource("rpc.request");
    reply_ = ctx.resource("rpc.reply");
    st_ = ctx.shm_new<State>("rpc.state");
  }
  void teardown() {
    for (int& f : fd_)
      if (f >= 0) ::close(f), f = -1;
  }

  std::string client(Actor& a, int requests) {
    for (uint32_t id = 1; id <= uint32_t(requests); ++id) {
      const Frame req{kMagic, kAdd, id, 1};
      put(fd_[0], req, req_, "client.write");
      for (;;) {
        if (!wait_reply(a)) {  // timed out: the request or its reply may be lost; send it again
          ++st_->retries;
          put(fd_[0], req, req_, "client.retry");
          continue;
        }
        Frame rep{};
        get(fd_[0], rep, reply_, "client.read");
        if (rep.magic != kMagic) return "reply with a bad magic";
        if (rep.id < id) continue;  // the reply to an earlier copy of an earlier request
        if (rep.id != id) return "reply to request " + std::to_string(rep.id) + " while waiting for " + std::to_string(id);
        break;
      }
    }
    put(fd_[0], Frame{kMagic, kQuit, 0, 0}, req_, "client.quit");
    return {};
  }

  void server(bool dedup) {
    uint32_t last = 0;
    int32_t cached = 0;
    for (;;) {
      Frame req{};
      get(fd_[1], req, req_, "server.read");
      if (req.kind == kQuit) return;
      if (!dedup || req.id > last) {
        st_->applied += req.value;  // own word, read by check()
        last = req.id;
        cached = st_->applied;
      }
      put(fd_[1], Frame{kMagic, kAdd, req.id, cached}, reply_, "server.reply");
    }
  }

  void check(RunContext& ctx, int requests) {
    if (st_->applied != requests)
      ctx.fail("the client made " + std::to_string(requests) + " requests (" + std::to_string(st_->retries) +
               " retried); the server applied " + std::to_string(st_->applied));
  }

 private:
  static constexpr uint32_t kMagic = 0x52504331, kAdd = 1, kQuit = 2;
  struct Frame {
    uint32_t magic;
    uint32_t kind;
    uint32_t id;
    int32_t value;
  };
  struct State {
    int applied;
    int retries;
  };

  // A whole frame is readable, or the wait timed out (false).
  bool wait_reply(Actor& a) {
    return a.timed(OpKind::recv, reply_, "client.wait_reply", [&]() -> std::optional<bool> {
             Frame f;
             if (::recv(fd_[0], &f, sizeof f, MSG_PEEK | MSG_DONTWAIT) == ssize_t(sizeof f)) return true;
             return std::nullopt;
           }).has_value();
  }
  static void put(int fd, const Frame& f, Resource r, const char* label) {
    const char* p = reinterpret_cast<const char*>(&f);
    for (size_t done = 0; done < sizeof f;) {
      const ssize_t k = io::write(fd, p + done, sizeof f - done, r, label);
      if (k < 0 && errno == EINTR) continue;
      if (k < 0) throw std::system_error(errno, std::generic_category(), label);
      done += size_t(k);
    }
  }
  static void get(int fd, Frame& f, Resource r, const char* label) {
    char* p = reinterpret_cast<char*>(&f);
    for (size_t done = 0; done < sizeof f;) {
      const ssize_t k = io::read(fd, p + done, sizeof f - done, r, label);
      if (k < 0 && errno == EINTR) continue;
      if (k <= 0) throw std::system_error(k < 0 ? errno : EPIPE, std::generic_category(), label);
      done += size_t(k);
    }
  }

  int fd_[2] = {-1, -1};
  Resource req_, reply_;
  State* st_ = nullptr;
};

}  // namespace ipcrace::faults
