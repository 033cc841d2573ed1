// A POSIX message queue (mq_open, O_NONBLOCK) shared by producers and consumers.
//   racy          check-then-act consumer: "if mq_getattr().mq_curmsgs > 0 then
//                 mq_receive", assuming the receive cannot fail. Two consumers
//                 both see the last message; the loser's mq_receive fails with
//                 EAGAIN, it counts the stale buffer as a message (a phantom),
//                 stops early and leaves a real message in the queue.
//                 Bug class: check-then-act (TOCTOU) -> duplicate / lost message.
//   synchronised  the kernel queue alone, used correctly: a blocking receive
//                 (a retried non-blocking mq_receive) and a fixed quota per
//                 consumer that adds up to what the producers send.
#pragma once
#include <fcntl.h>
#include <mqueue.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>

#include "ipcrace/actor.hpp"
#include "ipcrace/io.hpp"
#include "ipcrace/target.hpp"
#include "mqueue/message.hpp"

namespace ipcrace::mqueue {

class PosixQueue {
 public:
  // Controller side (setup): a fresh queue of `capacity` messages (<= 10, the
  // default /proc/sys/fs/mqueue/msg_max), unlinked by the harness after the run.
  void open(RunContext& ctx, int capacity) {
    if (capacity > 10) throw std::invalid_argument("capacity of a POSIX queue must be at most 10 (msg_max)");
    name_ = ctx.object_name("mq");
    mq_attr attr{};
    attr.mq_maxmsg = capacity;
    attr.mq_msgsize = sizeof(Msg);
    mqd_ = mq_open(name_.c_str(), O_CREAT | O_EXCL | O_RDWR | O_NONBLOCK, 0600, &attr);
    if (mqd_ == mqd_t(-1)) throw std::system_error(errno, std::generic_category(), "mq_open " + name_);
    ctx.track_mqueue(name_);
    r_ = ctx.resource("mq");
  }
  void close() {
    if (mqd_ != mqd_t(-1)) mq_close(mqd_);
    mqd_ = mqd_t(-1);
  }

  // Blocking send: mq_send waits while the queue is full and is retried when
  // a signal interrupts it (EINTR: the `eintr` fault; a message is sent whole
  // or not at all, so never short).
  void send(Actor& a, const Msg& m) {
    for (;;) {
      const ssize_t k = io::detail::run(OpKind::send, r_, "mq.send", &m, wire_size(m), fault_bit(FaultKind::eintr),
                                        false, [&](size_t len) {
                                          return mq_send(mqd_, reinterpret_cast<const char*>(&m), len, 0) == 0
                                                     ? ssize_t(len) : ssize_t(-1);
                                        });
      if (k >= 0) return;
      if (errno == EINTR) continue;
      a.fail(std::string("mq_send: ") + std::strerror(errno));
      return;
    }
  }

  // Synchronised: blocking receive into `m`, retried on EINTR; returns the
  // bytes received.
  ssize_t receive(Actor& a, Msg& m) {
    for (;;) {
      const ssize_t n = io::detail::run(OpKind::recv, r_, "mq.receive", &m, sizeof m, fault_bit(FaultKind::eintr),
                                        false, [&](size_t len) {
                                          return mq_receive(mqd_, reinterpret_cast<char*>(&m), len, nullptr);
                                        });
      if (n >= 0) return n;
      if (errno == EINTR) continue;
      a.fail(std::string("mq_receive: ") + std::strerror(errno));
      return ssize_t(-1);
    }
  }

  // Racy: wait until the queue looks non-empty, then receive. Between the
  // check and the receive another consumer can take the message; the EAGAIN
  // is ignored, so `m` keeps whatever it held before.
  ssize_t check_then_receive(Actor& a, Msg& m, ssize_t last_bytes) {
    a.blocking(OpKind::recv, r_, "mq.getattr", [&]() -> std::optional<bool> {
      mq_attr attr{};
      mq_getattr(mqd_, &attr);
      a.outcome(attr.mq_curmsgs);  // the messages it saw queued
      if (attr.mq_curmsgs > 0) return true;
      return std::nullopt;
    });
    a.point(OpKind::recv, r_, "mq.receive");
    ssize_t n = mq_receive(mqd_, reinterpret_cast<char*>(&m), sizeof m, nullptr);
    a.outcome(n < 0 ? -errno : n, &m, n < 0 ? 0 : size_t(n));
    return n >= 0 ? n : last_bytes;  // "cannot fail: we checked there was a message"
  }

 private:
  std::string name_;
  mqd_t mqd_ = mqd_t(-1);
  Resource r_;
};

}  // namespace ipcrace::mqueue
