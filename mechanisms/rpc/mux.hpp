// Multiplexed calls: callers (actors 1..n-1) share ONE connection (an
// AF_UNIX stream pair) to a server (actor 0) that answers every request, in
// arrival order, with f(arg) = 3 arg + 1.
//   racy    no request ids and nobody owns the read side: a caller takes
//           whatever reply comes next, possibly the one meant for another
//           caller (bug class: misrouted reply)
//   locked  one call at a time: a per-connection call lock (sync::Mutex) is
//           held from the send of the request until its reply is read
//   ids     requests carry ids that replies echo. Reading the connection and
//           the stash of replies read by the wrong caller both happen under
//           the reader lock (sync::Mutex): a caller first looks for its reply
//           in the stash, else reads one frame; a reply for another caller is
//           stashed in shared memory for its owner (correlation + hand-over).
//           A request goes out under the writer lock (the call lock, held only
//           for the send): a short send must not let another frame in.
#pragma once
#include <boost/interprocess/sync/interprocess_mutex.hpp>
#include <string>

#include "ipcrace/engine.hpp"
#include "ipcrace/target.hpp"
#include "rpc/frame.hpp"
#include "sync/scheduled.hpp"

namespace ipcrace::rpc {

enum class MuxSync { none, locked, ids };

inline constexpr uint32_t kMuxRequest = 1;
inline constexpr uint32_t kMuxReply = 2;
inline int64_t mux_fn(int64_t arg) { return 3 * arg + 1; }

struct MuxShared {
  sync::bip::interprocess_mutex call_lock;    // locked; ids: the writer lock
  sync::bip::interprocess_mutex reader_lock;  // ids
  long stash_count = 0;                       // ids: replies waiting for their owner
  Msg stash[kMaxActors];
  // Oracle bookkeeping, each word written only by its owner, read by check().
  long served = 0;                 // by the server
  long answered[kMaxActors] = {};  // by each caller
};

class Mux {
 public:
  Mux() = default;
  Mux(RunContext& ctx, MuxSync sync) : sync_(sync) {
    st_ = ctx.shm_new<MuxShared>("mux");
    requests_ = ctx.resource("rpc.mux.requests");
    replies_ = ctx.resource("rpc.mux.replies");
    call_lock_ = sync::Mutex(&st_->call_lock, ctx.resource("rpc.mux.call_lock"));
    reader_lock_ = sync::Mutex(&st_->reader_lock, ctx.resource("rpc.mux.reader_lock"));
    stash_ = ctx.resource("rpc.mux.stash");
    stash_count_ = Cell<long>(&st_->stash_count, stash_);
    make_socket_pair(fd_);
  }
  void close() {
    close_fd(fd_[0]);
    close_fd(fd_[1]);
    st_ = nullptr;
  }

  // Server (actor 0): answer `requests` requests in arrival order.
  void serve(long requests) {
    for (long i = 0; i < requests; ++i) {
      Msg req = recv_frame(fd_[1], requests_, "server.recv");
      if (req.op == kGarbled) return;
      Msg rep;
      rep.op = kMuxReply;
      rep.from = req.from;  // diagnostics only: the racy caller never looks
      rep.id = req.id;
      rep.arg[0] = mux_fn(req.arg[0]);
      send_frame(fd_[1], replies_, rep, "server.reply");
      st_->served++;
    }
  }

  // Caller: one call; returns the reply this caller accepted.
  Msg call(int64_t arg, uint64_t seq) {
    Actor& a = this_actor();
    Msg req;
    req.op = kMuxRequest;
    req.from = uint32_t(a.index());
    req.arg[0] = arg;
    Msg rep;
    switch (sync_) {
      case MuxSync::none:
        send_frame(fd_[0], requests_, req, "call.send");
        rep = recv_frame(fd_[0], replies_, "call.recv");  // whoever's reply is next
        break;
      case MuxSync::locked:
        call_lock_.lock("call.lock");
        send_frame(fd_[0], requests_, req, "call.send");
        rep = recv_frame(fd_[0], replies_, "call.recv");
        call_lock_.unlock("call.unlock");
        break;
      case MuxSync::ids:
        req.id = (uint64_t(a.index()) << 32) | (seq + 1);
        // A stream socket may take a frame in several sends (short writes):
        // the writer lock keeps another caller's frame out of the middle.
        call_lock_.lock("call.write_lock");
        send_frame(fd_[0], requests_, req, "call.send");
        call_lock_.unlock("call.write_unlock");
        rep = await(req.id);
        break;
    }
    st_->answered[a.index()]++;
    return rep;
  }

  long served() const { return st_->served; }
  long answered(int caller) const { return st_->answered[caller]; }

 private:
  Cell<Msg> entry(long i) const { return Cell<Msg>(&st_->stash[i], stash_); }

  // ids: the reply with this id, from the stash or from the connection.
  Msg await(uint64_t id) {
    Actor& a = this_actor();
    for (;;) {
      reader_lock_.lock("reader.lock");
      const long n = stash_count_.load("stash.count");
      if (n < 0 || n >= kMaxActors) {
        a.fail("reply stash corrupted: it counts " + std::to_string(n) + " replies");
        reader_lock_.unlock("reader.unlock");
        Msg bad;
        bad.op = kGarbled;
        return bad;
      }
      for (long i = 0; i < n; ++i) {
        Msg m = entry(i).load("stash.load");
        if (m.id != id) continue;
        if (i != n - 1) entry(i).store(entry(n - 1).load("stash.load_last"), "stash.move_last");
        stash_count_.store(n - 1, "stash.take");
        reader_lock_.unlock("reader.unlock");
        return m;
      }
      // Not stashed, and we hold the reader lock: our reply is still in the
      // connection or at the server, so a frame will come.
      Msg m = recv_frame(fd_[0], replies_, "call.recv");
      if (m.id == id || m.op == kGarbled) {
        reader_lock_.unlock("reader.unlock");
        return m;
      }
      entry(n).store(m, "stash.put");  // another caller's reply: hand it over
      stash_count_.store(n + 1, "stash.count_up");
      reader_lock_.unlock("reader.unlock");
    }
  }

  MuxSync sync_ = MuxSync::none;
  MuxShared* st_ = nullptr;
  int fd_[2] = {-1, -1};
  Resource requests_, replies_, stash_;
  sync::Mutex call_lock_, reader_lock_;
  Cell<long> stash_count_;
};

}  // namespace ipcrace::rpc
