// A Boost.Interprocess message_queue (a named queue in /dev/shm) shared by
// producers and consumers; try_send / try_receive are the non-blocking tries.
//   racy          check-then-act producer: "if get_num_msg() < get_max_msg()
//                 then try_send", ignoring try_send's result because "there was
//                 room". Two producers both see the last free slot; the loser's
//                 try_send returns false and its message is silently dropped,
//                 so a consumer waits forever for it.
//                 Bug class: check-then-act (TOCTOU) -> lost message (deadlock).
//   synchronised  the queue alone, used correctly: blocking send and receive
//                 (retried try_send / try_receive), results checked, the
//                 received size checked against the message's own length.
#pragma once
#include <boost/interprocess/ipc/message_queue.hpp>
#include <memory>
#include <optional>
#include <string>

#include "ipcrace/actor.hpp"
#include "ipcrace/target.hpp"
#include "mqueue/message.hpp"

namespace ipcrace::mqueue {

namespace bip = boost::interprocess;

class BoostQueue {
 public:
  // Controller side (setup): create_only, so a stale queue of the same name is an error.
  void open(RunContext& ctx, int capacity) {
    name_ = ctx.object_name("bmq");
    ctx.track_shm_name(name_);  // it lives in /dev/shm/<name>
    bip::permissions owner_only(0600);  // Boost's default is 0644: readable by every local user
    q_ = std::make_unique<bip::message_queue>(bip::create_only, name_.c_str(), size_t(capacity), sizeof(Msg),
                                              owner_only);
    r_ = ctx.resource("bmq");
  }
  void close() {
    q_.reset();
    if (!name_.empty()) bip::message_queue::remove(name_.c_str());
    name_.clear();
  }

  // Synchronised: blocking send and receive.
  void send(Actor& a, const Msg& m) {
    a.blocking(OpKind::send, r_, "bmq.try_send", [&]() -> std::optional<bool> {
      if (q_->try_send(&m, wire_size(m), 0)) {
        a.outcome(int64_t(wire_size(m)), &m, wire_size(m));
        return true;
      }
      return std::nullopt;
    });
  }
  size_t receive(Actor& a, Msg& m) {
    return a.blocking(OpKind::recv, r_, "bmq.try_receive", [&]() -> std::optional<size_t> {
      bip::message_queue::size_type n = 0;
      unsigned prio = 0;
      if (q_->try_receive(&m, sizeof m, n, prio)) {
        a.outcome(int64_t(n), &m, size_t(n));
        return size_t(n);
      }
      return std::nullopt;
    });
  }

  // Racy: wait until the queue looks not full, then try_send and ignore the
  // result. Between the check and the send another producer can take the slot.
  void check_then_send(Actor& a, const Msg& m) {
    a.blocking(OpKind::send, r_, "bmq.get_num_msg", [&]() -> std::optional<bool> {
      const auto queued = q_->get_num_msg();
      a.outcome(int64_t(queued));  // the messages it saw queued
      if (queued < q_->get_max_msg()) return true;
      return std::nullopt;
    });
    a.point(OpKind::send, r_, "bmq.try_send");
    const bool sent = q_->try_send(&m, wire_size(m), 0);  // "cannot fail: we checked there was room"
    a.outcome(sent ? int64_t(wire_size(m)) : 0, &m, sent ? wire_size(m) : 0);
  }

 private:
  std::string name_;
  std::unique_ptr<bip::message_queue> q_;
  Resource r_;
};

}  // namespace ipcrace::mqueue
