// Fixture targets of the hardening tests (issue 13, tests/harden/*_test.cpp):
// each shows one thing the harness must get right, with real OS objects.
//   test.queue.two_consumers  a lost message leaves two consumers blocked on a
//                             POSIX queue; a smaller workload (no consumer)
//                             deadlocks differently: one producer on the full
//                             queue (the minimiser must not swap one for the other)
//   test.labels               point labels with spaces, tabs, non-ASCII bytes,
//                             backslashes, '-' and the empty label (schedule
//                             files must give every byte back)
//   test.long                 a clean workload longer than the default step
//                             limit, which it raises (TargetInfo::step_limit)
//   test.pipe.eof             a reader that reads a pipe to EOF, as real code
//                             does (RunContext::give_fd: clean, no deadlock)
#include <fcntl.h>
#include <mqueue.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <stdexcept>
#include <system_error>

#include "ipcrace/target.hpp"

namespace ipcrace::test {

// Runs of test.hang_once left that hang (tests/harness/hang_watch_test.cpp sets it).
std::atomic<int> g_hang_once_left{0};

namespace {

// Actors 0..producers-1 send one message each, racily: wait until the queue
// has room (mq_getattr), then mq_send without checking the result ("there was
// room"); two producers seeing the one free slot lose a message. The other
// actors consume until every message sent is received, so after a loss every
// consumer waits on the queue forever.
class TwoConsumers final : public Scenario {
 public:
  void setup(RunContext& ctx) override {
    name_ = ctx.object_name("q");
    mq_attr attr{};
    attr.mq_maxmsg = ctx.params().get("capacity");
    attr.mq_msgsize = 8;
    ctx.track_mqueue(name_);
    q_ = mq_open(name_.c_str(), O_CREAT | O_EXCL | O_RDWR | O_NONBLOCK, 0600, &attr);
    if (q_ == (mqd_t)-1) throw std::system_error(errno, std::generic_category(), "mq_open " + name_);
    received_ = ctx.shm_new<int>("received", 0);
    r_ = ctx.resource("q");
  }
  void actor(Actor& a) override {
    const int producers = int(a.params().get("producers"));
    if (a.index() < producers) {
      a.blocking(OpKind::send, r_, "q.wait_room", [&]() -> std::optional<bool> {
        mq_attr at{};
        mq_getattr(q_, &at);
        return at.mq_curmsgs < at.mq_maxmsg ? std::optional<bool>(true) : std::nullopt;
      });
      a.point(OpKind::send, r_, "q.send");
      char m[8] = {char('a' + a.index())};
      (void)mq_send(q_, m, sizeof m, 0);  // "cannot fail: there was room"
      return;
    }
    for (bool more = true; more;)
      more = a.blocking(OpKind::recv, r_, "q.receive", [&]() -> std::optional<bool> {
        if (*received_ >= producers) return false;  // every message is in
        char m[8];
        if (mq_receive(q_, m, sizeof m, nullptr) < 0) return std::nullopt;
        ++*received_;
        return true;
      });
  }
  void teardown(RunContext&) override {
    if (q_ != (mqd_t)-1) mq_close(q_);
    q_ = (mqd_t)-1;
  }

 private:
  std::string name_;
  mqd_t q_ = (mqd_t)-1;
  int* received_ = nullptr;
  Resource r_;
};

// A lost update on a counter in shared memory, through points whose labels
// are anything but one plain token.
constexpr const char* kOddLabels[] = {"load the  counter", "tab\there", "na\xc3\xafve \xc3\xa9t\xc3\xa9 \xe2\x86\x92",
                                      "back\\slash \\x41 \\", "-", "", "#not a comment", "trailing space ",
                                      "new\nline\r", "\x01\x7f\xff"};
class Labels final : public Scenario {
 public:
  void setup(RunContext& ctx) override { cell_ = Cell<long>(ctx.shm_new<long>("counter", 0), ctx.resource("counter with spaces")); }
  void actor(Actor& a) override {
    for (const char* label : kOddLabels) {
      const long v = cell_.load(label);
      cell_.store(v + 1, label);
    }
  }
  void check(RunContext& ctx) override {
    const long want = long(ctx.actors()) * long(std::size(kOddLabels));
    if (*cell_.raw() != want) ctx.fail("lost update: " + std::to_string(*cell_.raw()) + " of " + std::to_string(want));
  }

 private:
  Cell<long> cell_;
};

// Each actor yields `ops` times: a correct workload of actors x ops steps.
class Long final : public Scenario {
 public:
  void setup(RunContext& ctx) override { r_ = ctx.resource("x"); }
  void actor(Actor& a) override {
    for (int64_t i = 0; i < a.params().get("ops"); ++i) a.point(OpKind::yield, r_, "long.step");
  }

 private:
  Resource r_;
};

// Actor 0 writes `records` records of 8 bytes into a pipe and ends (its
// exit closes its end); actor 1 reads until read() returns 0. No quota: the
// reader stops at EOF, which it sees only if no other copy of the write end
// is open (the controller's, its own inherited one).
class PipeEof final : public Scenario {
 public:
  void setup(RunContext& ctx) override {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe2");
    rd_ = fds[0];
    wr_ = fds[1];
    fcntl(rd_, F_SETFL, O_NONBLOCK);
    ctx.give_fd(wr_, 0);
    ctx.give_fd(rd_, 1);
    got_ = ctx.shm_new<long>("got", 0);
    r_ = ctx.resource("pipe");
  }
  void actor(Actor& a) override {
    if (a.index() == 0) {
      for (int64_t k = 0; k < a.params().get("records"); ++k) {
        a.point(OpKind::write, r_, "eof.write");
        char rec[8] = {char('0' + k % 10)};
        if (write(wr_, rec, sizeof rec) != sizeof rec) a.fail("short write");
      }
      return;  // no close: the end goes with the writer, as when a process exits
    }
    if (a.index() != 1) return;
    for (bool more = true; more;)
      more = a.blocking(OpKind::read, r_, "eof.read", [&]() -> std::optional<bool> {
        char buf[64];
        const ssize_t n = read(rd_, buf, sizeof buf);
        if (n > 0) return *got_ += n, true;
        if (n == 0) return false;  // EOF: the writer is gone
        return std::nullopt;       // EAGAIN: nothing yet
      });
  }
  void check(RunContext& ctx) override {
    const long want = 8 * ctx.params().get("records");
    if (*got_ != want) ctx.fail("reader got " + std::to_string(*got_) + " of " + std::to_string(want) + " bytes");
  }
  // The pipe's ends were given to the actors: the harness closes them.

 private:
  int rd_ = -1, wr_ = -1;
  long* got_ = nullptr;
  Resource r_;
};

// Actor 0 stops itself (SIGSTOP) within a step; a child it forked continues
// it after `stop_ms`. Stopped by someone else, it is not runnable: not hung.
class Stopped final : public Scenario {
 public:
  void setup(RunContext& ctx) override { r_ = ctx.resource("x"); }
  void actor(Actor& a) override {
    a.point(OpKind::yield, r_, "stopped.before");
    if (a.index() == 0) {
      const pid_t me = getpid();
      const pid_t waker = fork();
      if (waker == 0) {
        usleep(useconds_t(a.params().get("stop_ms") * 1000));
        kill(me, SIGCONT);
        _exit(0);
      }
      raise(SIGSTOP);
      if (waker > 0) waitpid(waker, nullptr, 0);
    }
    a.point(OpKind::yield, r_, "stopped.after");
  }

 private:
  Resource r_;
};

// Actor 0 needs `work_us` of CPU within one step, at SCHED_IDLE: with a
// normal-priority burner on its CPU it is runnable but barely scheduled
// (slow, not hung). With `spin` set it never reaches its next point while
// burning CPU: that is a hang, on any machine.
class Starved final : public Scenario {
 public:
  void setup(RunContext& ctx) override { r_ = ctx.resource("x"); }
  void actor(Actor& a) override {
    a.point(OpKind::yield, r_, "starved.before");
    if (a.index() == 0) {
      const bool spin = a.params().get("spin") != 0;
      sched_param sp{};
      if (!spin) sched_setscheduler(0, SCHED_IDLE, &sp);  // this thread only (or process)
      const int64_t want = a.params().get("work_us") * 1000;
      timespec t0{}, t{};
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
      do clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
      while (spin || (t.tv_sec - t0.tv_sec) * 1000000000LL + (t.tv_nsec - t0.tv_nsec) < want);
      sp.sched_priority = 0;
      sched_setscheduler(0, SCHED_OTHER, &sp);
    }
    a.point(OpKind::yield, r_, "starved.after");
  }

 private:
  Resource r_;
};

// Actor 0 sleeps for good in the first run after g_hang_once_left is set
// (decided in the controller's setup, so the forked actors inherit it) and
// not after: a hang that does not reproduce on replay, as a stall of a
// loaded machine would look.
class HangOnce final : public Scenario {
 public:
  void setup(RunContext& ctx) override {
    r_ = ctx.resource("x");
    hang_ = g_hang_once_left.fetch_sub(1) > 0;
  }
  void actor(Actor& a) override {
    a.point(OpKind::yield, r_, "once.before");
    if (a.index() == 0 && hang_)
      for (;;) pause();
    a.point(OpKind::yield, r_, "once.after");
  }

 private:
  Resource r_;
  bool hang_ = false;
};

const bool registered = [] {
  register_target(TargetInfo{.name = "test.pipe.eof",
                             .family = "test",
                             .variant = Variant::synchronised,
                             .bug_class = "none (a reader that stops at EOF)",
                             .sync = "pipe, EOF when the writer's end closes",
                             .summary = "test fixture (descriptors given to actors)",
                             .defaults = {{"actors", 2}, {"records", 3}},
                             .make = [] { return std::make_unique<PipeEof>(); },
                             .source = __FILE__});
  register_target(TargetInfo{.name = "test.labels",
                             .family = "test",
                             .variant = Variant::racy,
                             .bug_class = "lost update (labels that are not plain tokens)",
                             .summary = "test fixture (schedule files: labels round-trip)",
                             .defaults = {{"actors", 2}},
                             .make = [] { return std::make_unique<Labels>(); },
                             .budget_runs = 200,
                             .source = __FILE__});
  register_target(TargetInfo{.name = "test.long",
                             .family = "test",
                             .variant = Variant::synchronised,
                             .bug_class = "none (a long correct workload)",
                             .sync = "one actor at a time",
                             .summary = "test fixture (its own step limit)",
                             .defaults = {{"actors", 2}, {"ops", 15000}},
                             .make = [] { return std::make_unique<Long>(); },
                             .source = __FILE__,
                             .step_limit = 100000});
  register_target(TargetInfo{.name = "test.queue.two_consumers",
                             .family = "test",
                             .variant = Variant::racy,
                             .bug_class = "check-then-act send: lost message, two consumers wait forever",
                             .summary = "test fixture (minimiser: the same deadlock)",
                             .defaults = {{"actors", 4}, {"producers", 2}, {"capacity", 1}},
                             .make = [] { return std::make_unique<TwoConsumers>(); },
                             .budget_runs = 200,
                             .source = __FILE__,
                             .data_race = false});
  register_target(TargetInfo{.name = "test.stopped",
                             .family = "test",
                             .variant = Variant::synchronised,
                             .bug_class = "none (an actor stopped by SIGSTOP, then continued)",
                             .sync = "one actor at a time",
                             .summary = "test fixture (hang judgement: stopped is not hung)",
                             .defaults = {{"actors", 2}, {"stop_ms", 1200}},
                             .make = [] { return std::make_unique<Stopped>(); },
                             .source = __FILE__});
  register_target(TargetInfo{.name = "test.hang_once",
                             .family = "test",
                             .variant = Variant::racy,
                             .bug_class = "hang in one run only (not reproduced on replay)",
                             .summary = "test fixture (hang judgement: a hang is replayed before it is reported)",
                             .defaults = {{"actors", 2}},
                             .make = [] { return std::make_unique<HangOnce>(); },
                             .source = __FILE__,
                             .data_race = false});
  register_target(TargetInfo{.name = "test.starved",
                             .family = "test",
                             .variant = Variant::synchronised,
                             .bug_class = "none (an actor runnable but barely scheduled)",
                             .sync = "one actor at a time",
                             .summary = "test fixture (hang judgement: starved is not hung; spin=1 is)",
                             .defaults = {{"actors", 2}, {"work_us", 4000}, {"spin", 0}},
                             .make = [] { return std::make_unique<Starved>(); },
                             .source = __FILE__});
  return true;
}();

}  // namespace
}  // namespace ipcrace::test
