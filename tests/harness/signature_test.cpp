// Issue 13, item 15: a minimised finding is the same bug, not only the same
// kind. test.queue.two_consumers loses a message and leaves two consumers
// blocked on the queue; with fewer actors (no consumer) it deadlocks too, on
// one producer and a full queue: smaller, the same kind, another bug. The
// minimiser kept only the kind and returned that one.
#include <gtest/gtest.h>

#include "harness/minimize_helpers.hpp"
#include "ipcrace/signature.hpp"

namespace ipcrace {
namespace {

using namespace mintest;

int count(const std::string& s, const std::string& what) {
  int n = 0;
  for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
  return n;
}

TEST(Signature, NumbersAreNormalised) {
  EXPECT_EQ(normalise_numbers("lost update: counter is 3, expected 14 (2 actors x 0x1f)"),
            "lost update: counter is #, expected # (# actors x #)");
  RunResult a, b;
  a.kind = b.kind = FindingKind::assertion;
  a.message = "lost update: counter is 3, expected 4";
  b.message = "lost update: counter is 1, expected 2 (then deadlock: every live actor is blocked: actor 0 on x)";
  EXPECT_EQ(finding_signature(a), finding_signature(b));
  b.message = "init ran 2 times, expected exactly once";
  EXPECT_NE(finding_signature(a), finding_signature(b));
}

TEST(Signature, DeadlockIsTheMultisetOfBlockedOps) {
  RunResult a, b;
  a.kind = b.kind = FindingKind::deadlock;
  a.blocked = {"recv q (q.receive)", "recv q (q.receive)"};
  b.blocked = {"recv q (q.receive)"};
  EXPECT_NE(finding_signature(a), finding_signature(b));
  b.blocked = {"send q (q.wait_room)"};
  EXPECT_NE(finding_signature(a), finding_signature(b));
  b.blocked = {"recv q (q.receive)", "recv q (q.receive)"};
  EXPECT_EQ(finding_signature(a), finding_signature(b));
}

TEST(Signature, CrashLeavesTheActorOut) {
  RunResult a, b;
  a.kind = b.kind = FindingKind::crash;
  a.message = "actor 1 killed by signal 11 (Segmentation fault)";
  b.message = "actor 0 killed by signal 11 (Segmentation fault)";
  EXPECT_EQ(finding_signature(a), finding_signature(b));
  b.message = "actor 0 killed by signal 6 (Aborted)";
  EXPECT_NE(finding_signature(a), finding_signature(b));
}

TEST(Signature, MinimiserKeepsTheTwoConsumerDeadlock) {
  test::Quick q;
  q.strategy = "random";
  q.runs = 200;
  q.stop_at_first = true;
  q.race = false;
  CampaignResult c = test::campaign("test.queue.two_consumers", q);
  ASSERT_TRUE(c.first) << "no lost message in 200 random runs";
  const Schedule orig = *c.first;
  ASSERT_EQ(orig.finding, FindingKind::deadlock) << orig.message;
  ASSERT_EQ(count(orig.message, "on recv q (q.receive)"), 2) << orig.message;
  MinimizeResult m = minimize_schedule(orig, quick_options());
  RunResult r = test::replay(m.schedule, m.schedule.mode);
  ASSERT_FALSE(r.diverged) << r.divergence;
  EXPECT_EQ(r.kind, FindingKind::deadlock) << r.message;
  // Still two consumers waiting for a lost message, not a producer on a full queue.
  EXPECT_EQ(count(r.message, "on recv q (q.receive)"), 2) << r.message << "\n" << format_schedule(m.schedule);
  EXPECT_EQ(count(r.message, "q.wait_room"), 0) << r.message;
  EXPECT_EQ(m.schedule.params.get("actors"), 4);
  EXPECT_LE(m.after.preemptions, m.before.preemptions);
  expect_reproduces(m.schedule, 5);
}

}  // namespace
}  // namespace ipcrace
