// Targets that exist only in test binaries: one tiny target per failure mode
// (crash, hang, livelock) and one that SIGKILLs its own actors mid-operation
// while holding every kind of real OS object.
#include <fcntl.h>
#include <mqueue.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "ipcrace/target.hpp"
#include "shm/counter.hpp"

namespace ipcrace::test {
namespace {

// Actor 1 dereferences a null pointer after its first point.
class Segfault final : public Scenario {
 public:
  void setup(RunContext& ctx) override { r_ = ctx.resource("x"); }
  void actor(Actor& a) override {
    a.point(OpKind::yield, r_, "before");
    if (a.index() == 1) {
      volatile int* p = nullptr;
      *p = 42;
    }
    a.point(OpKind::yield, r_, "after");
  }
  Resource r_;
};

// Actor 0 never reaches its second point.
class Hang final : public Scenario {
 public:
  void setup(RunContext& ctx) override { r_ = ctx.resource("x"); }
  void actor(Actor& a) override {
    a.point(OpKind::yield, r_, "before");
    if (a.index() == 0 && !a.free_running())
      for (;;) pause();
    a.point(OpKind::yield, r_, "after");
  }
  Resource r_;
};

// Actor 0 spins forever on points: a livelock.
class Spin final : public Scenario {
 public:
  void setup(RunContext& ctx) override { r_ = ctx.resource("flag"); }
  void actor(Actor& a) override {
    if (a.index() == 0)
      for (;;) a.point(OpKind::shm_load, r_, "spin");
  }
  Resource r_;
};

// Every run holds a shm segment, a POSIX queue and a bound Unix socket; every
// actor may SIGKILL itself at a random point, mid-operation.
class Killer final : public Scenario {
 public:
  void setup(RunContext& ctx) override {
    counter_ = shm::Counter(ctx, shm::CounterSync::mutex);
    mq_name_ = ctx.object_name("queue");
    mq_attr attr{};
    attr.mq_maxmsg = 4;
    attr.mq_msgsize = 16;
    mq_ = mq_open(mq_name_.c_str(), O_CREAT | O_EXCL | O_RDWR | O_NONBLOCK, 0600, &attr);
    if (mq_ == (mqd_t)-1) throw std::runtime_error("mq_open failed");
    ctx.track_mqueue(mq_name_);
    sock_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::string path = ctx.socket_path("sock");
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    if (bind(sock_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) throw std::runtime_error("bind failed");
    q_ = ctx.resource("queue");
  }
  void actor(Actor& a) override {
    for (int i = 0; i < 3; ++i) {
      counter_.increment();
      a.point(OpKind::send, q_, "mq_send");
      char msg[16] = "x";
      mq_send(mq_, msg, sizeof msg, 0);
      if (a.rng().below(4) == 0) raise(SIGKILL);
    }
  }
  void teardown(RunContext&) override {
    counter_.destroy();
    if (mq_ != (mqd_t)-1) mq_close(mq_);
    if (sock_ >= 0) close(sock_);
    mq_ = (mqd_t)-1;
    sock_ = -1;
  }
  shm::Counter counter_;
  std::string mq_name_;
  mqd_t mq_ = (mqd_t)-1;
  int sock_ = -1;
  Resource q_;
};

template <class S>
TargetInfo fixture(const char* name, const char* bug, Variant v = Variant::racy) {
  return TargetInfo{.name = name,
                    .family = "test",
                    .variant = v,
                    .bug_class = bug,
                    .sync = "",
                    .summary = "test fixture",
                    .defaults = {{"actors", 2}},
                    .make = [] { return std::make_unique<S>(); },
                    .budget_runs = 10,
                    .source = __FILE__};
}

const bool registered = [] {
  register_target(fixture<Segfault>("test.segfault", "crash"));
  register_target(fixture<Hang>("test.hang", "hang"));
  register_target(fixture<Spin>("test.spin", "livelock"));
  register_target(fixture<Killer>("test.killer", "crash (SIGKILL mid-operation)"));
  return true;
}();

}  // namespace
}  // namespace ipcrace::test
