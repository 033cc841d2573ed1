// A key-value store served by several worker processes. Actors 0..W-1 are
// workers, the others clients; client j has its own connection (an AF_UNIX
// stream pair) to worker j % W. The workers keep the store in POSIX shared
// memory and serve two requests: add(key, delta), and transfer(from, to,
// amount), rejected when `from` holds less than `amount`. Every request is
// acknowledged with its id and status.
//   racy    a request is a read-modify-write of the store made of separate
//           load and store ops: two workers interleave on a key and one
//           update is lost; a transfer checks the balance, then acts on a
//           stale one (bug class: lost update / invariant violation)
//   locked  the same requests, each applied under one store lock
//           (sync::Mutex): the read-modify-writes are serialised
#pragma once
#include <boost/interprocess/sync/interprocess_mutex.hpp>
#include <optional>
#include <stdexcept>
#include <string>

#include "ipcrace/engine.hpp"
#include "ipcrace/target.hpp"
#include "rpc/frame.hpp"
#include "sync/scheduled.hpp"

namespace ipcrace::rpc {

enum class KvSync { none, locked };

inline constexpr int kKvMaxKeys = 8;
inline constexpr int kKvMaxCalls = 16;
inline constexpr long kKvInitial = 5;  // every key's value before the run
inline constexpr uint32_t kKvAdd = 1, kKvTransfer = 2, kKvOk = 3, kKvRejected = 4;
// Register ops (parallel state machines): get(key) -> value; put(key, -, v);
// cas(key, old, new), rejected when the key does not hold `old`.
inline constexpr uint32_t kKvGet = 5, kKvPut = 6, kKvCas = 7;

// What a client saw acknowledged: the request and its status.
struct KvAck {
  uint32_t op = 0;
  uint32_t status = 0;
  int64_t key = 0, to = 0, amount = 0;
};

struct KvShared {
  sync::bip::interprocess_mutex lock;  // locked: the store lock
  long value[kKvMaxKeys] = {};         // the store
  // Oracle bookkeeping, each word written only by its owner, read by check().
  long applied[kMaxActors] = {};  // by each worker: requests it applied or rejected
  long acked[kMaxActors] = {};    // by each client: requests acknowledged
  KvAck acks[kMaxActors][kKvMaxCalls];
};

class KvStore {
 public:
  KvStore() {
    for (auto& pair : fd_) pair[0] = pair[1] = -1;
  }
  // Controller, in setup: create this run's store and connections. Members
  // are filled as they are made, so close() undoes a partial open.
  void open(RunContext& ctx, KvSync sync) {
    const Params& p = ctx.params();
    if (p.get("calls") > kKvMaxCalls) throw std::invalid_argument("rpc.kv: calls must be at most 16");
    open(ctx, sync, int(p.get("workers")), int(p.get("keys")));
  }
  void open(RunContext& ctx, KvSync sync, int workers, int keys) {
    sync_ = sync;
    workers_ = workers;
    keys_ = keys;
    clients_ = ctx.actors() - workers_;
    if (workers_ < 1 || clients_ < 1)
      throw std::invalid_argument("rpc.kv needs workers >= 1 and at least one client (actors > workers)");
    if (keys_ < 1 || keys_ > kKvMaxKeys) throw std::invalid_argument("rpc.kv: keys must be in 1..8");
    st_ = ctx.shm_new<KvShared>("kv");
    for (int k = 0; k < keys_; ++k) st_->value[k] = kKvInitial;
    lock_ = sync::Mutex(&st_->lock, ctx.resource("rpc.kv.store_lock"));
    for (int k = 0; k < keys_; ++k)
      cell_[k] = Cell<long>(&st_->value[k], ctx.resource(("rpc.kv.key" + std::to_string(k)).c_str()));
    for (int w = 0; w < workers_; ++w) req_[w] = ctx.resource(("rpc.kv.requests.w" + std::to_string(w)).c_str());
    for (int j = 0; j < clients_; ++j) {
      rep_[j] = ctx.resource(("rpc.kv.replies.c" + std::to_string(j)).c_str());
      make_socket_pair(fd_[j]);
    }
  }
  void close() {
    for (auto& pair : fd_) {
      close_fd(pair[0]);
      close_fd(pair[1]);
    }
    st_ = nullptr;
  }

  int workers() const { return workers_; }
  int clients() const { return clients_; }
  int worker_of(int client) const { return client % workers_; }

  // Worker w: serve `requests` requests from its clients, in arrival order.
  void serve(int w, long requests) {
    Actor& a = this_actor();
    int next = 0;
    for (long i = 0; i < requests; ++i) {
      int from = -1;
      Msg req = a.blocking(OpKind::recv, req_[w], "worker.recv", [&]() -> std::optional<Msg> {
        for (int t = 0; t < clients_; ++t) {
          const int j = (next + t) % clients_;
          if (worker_of(j) != w) continue;
          Msg m;
          switch (try_recv_frame(fd_[j][1], m)) {
            case Got::nothing: continue;
            case Got::frame: from = j; a.outcome(int64_t(kFrameBytes), &m, sizeof m); return m;
            case Got::garbage: from = j; m = Msg{}; m.op = kGarbled; return m;
          }
        }
        return std::nullopt;
      });
      if (req.op == kGarbled) {
        a.fail("torn or corrupt request frame");
        return;
      }
      next = from + 1;
      Msg rep = apply(req);
      st_->applied[a.index()]++;
      send_frame(fd_[from][1], rep_[from], rep, "worker.reply");
    }
  }

  // Client j: send one request to its worker and wait for the acknowledgement.
  Msg call(int j, Msg req) {
    send_frame(fd_[j][0], req_[worker_of(j)], req, "client.send");
    return recv_frame(fd_[j][0], rep_[j], "client.recv");
  }

  // Oracle bookkeeping (the client's own record, not a shared operation).
  void record_ack(int actor, long k, const KvAck& ack) {
    st_->acks[actor][k] = ack;
    st_->acked[actor] = k + 1;
  }
  const KvShared& state() const { return *st_; }
  KvShared& state() { return *st_; }
  int keys() const { return keys_; }

 private:
  Msg apply(const Msg& req) {
    Msg rep;
    rep.op = kKvOk;
    rep.from = req.from;
    rep.id = req.id;
    if (sync_ == KvSync::locked) lock_.lock("store.lock");
    if (req.op == kKvGet) {
      rep.arg[0] = cell_[req.arg[0]].load("store.get");
    } else if (req.op == kKvPut) {
      cell_[req.arg[0]].store(req.arg[2], "store.put");
    } else if (req.op == kKvCas) {
      Cell<long>& c = cell_[req.arg[0]];
      if (c.load("cas.load") != req.arg[1]) rep.op = kKvRejected;  // racy: the store below may follow a stale compare
      else c.store(req.arg[2], "cas.store");
    } else if (req.op == kKvAdd) {
      Cell<long>& c = cell_[req.arg[0]];
      const long v = c.load("store.load") + req.arg[2];
      c.store(v, "store.store");
      rep.arg[0] = v;
    } else {
      Cell<long>& src = cell_[req.arg[0]];
      Cell<long>& dst = cell_[req.arg[1]];
      const long have = src.load("transfer.check");
      if (have < req.arg[2]) {
        rep.op = kKvRejected;
      } else {
        const long to = dst.load("transfer.load_to");
        src.store(have - req.arg[2], "transfer.debit");
        dst.store(to + req.arg[2], "transfer.credit");
      }
    }
    if (sync_ == KvSync::locked) lock_.unlock("store.unlock");
    return rep;
  }

  KvSync sync_ = KvSync::none;
  KvShared* st_ = nullptr;
  int workers_ = 0, clients_ = 0, keys_ = 0;
  int fd_[kMaxActors][2];  // -1: none (set in the constructor)
  Resource req_[kMaxActors], rep_[kMaxActors];
  Cell<long> cell_[kKvMaxKeys];
  sync::Mutex lock_;
};

}  // namespace ipcrace::rpc
