// No leftovers: after any run, finished or failed, including runs whose actors
// were SIGKILLed mid-operation, no child process, shm segment, message queue
// or socket file remains.
#include <gtest/gtest.h>

#include "support/support.hpp"

namespace ipcrace {
namespace {

TEST(NoLeftovers, MqueueFileSystemIsVisibleSoTheCheckIsNotBlind) {
  // Run as root on CI: the support code mounts /dev/mqueue when needed.
  EXPECT_TRUE(test::mqueue_visible()) << "cannot see /dev/mqueue: queue leaks would go unnoticed";
}

TEST(NoLeftovers, SigkillAtRandomPointsOver500Runs) {
  ASSERT_TRUE(test::leftovers().empty());
  test::Quick q;
  q.strategy = "random";
  q.runs = 500;
  q.seed = 11;
  auto r = test::campaign("test.killer", q);
  EXPECT_EQ(r.runs, 500u);
  // Most runs lose an actor to SIGKILL: reported as crashes.
  EXPECT_GT(r.by_kind[size_t(FindingKind::crash)], 250u);
  auto left = test::leftovers();
  std::string all;
  for (const auto& l : left) all += l + "\n";
  EXPECT_TRUE(left.empty()) << all;
}

TEST(NoLeftovers, ObjectsExistDuringTheRunAndAreGoneAfter) {
  // A run of test.killer with no kill: the queue and socket exist while the
  // actors run (they are real), and are gone afterwards.
  test::Quick q;
  q.strategy = "pct";
  q.runs = 20;
  auto r = test::campaign("test.killer", q);
  EXPECT_EQ(r.runs, 20u);
  EXPECT_TRUE(test::leftovers().empty());
}

TEST(NoLeftovers, ThreadModeAndFreeRunToo) {
  for (ActorMode m : {ActorMode::threads, ActorMode::free}) {
    test::Quick q;
    q.mode = m;
    q.runs = 50;
    test::campaign("sync.lock_order.racy", q);
    test::campaign("shm.counter.racy", q);
    EXPECT_TRUE(test::leftovers().empty()) << actor_mode_name(m);
  }
}

}  // namespace
}  // namespace ipcrace
