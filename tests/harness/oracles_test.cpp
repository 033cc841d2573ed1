// Each message oracle catches its bug class on a minimal hand-built history
// and passes a correct one.
#include <gtest/gtest.h>

#include "ipcrace/oracles.hpp"

namespace ipcrace {
namespace {

TEST(Conservation, PassesWhenEveryMessageArrivesOnce) {
  std::vector<Message> sent{{0, 0}, {0, 1}, {1, 0}};
  std::vector<Delivery> got{{2, {1, 0}}, {2, {0, 0}}, {3, {0, 1}}};
  EXPECT_TRUE(check_conservation(sent, got).ok);
}

TEST(Conservation, CatchesALostMessage) {
  auto r = check_conservation({{0, 0}, {0, 1}}, {{1, {0, 0}}});
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.message.find("lost: 1 of 2"), std::string::npos) << r.message;
}

TEST(Conservation, CatchesADuplicate) {
  auto r = check_conservation({{0, 0}}, {{1, {0, 0}}, {2, {0, 0}}});
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.message.find("duplicated"), std::string::npos) << r.message;
}

TEST(Conservation, CatchesAnInventedMessage) {
  auto r = check_conservation({{0, 0}}, {{1, {0, 0}}, {1, {0, 7}}});
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.message.find("invented"), std::string::npos) << r.message;
}

// A dead sender's unfinished message may be lost only where the target
// names it: received once or not at all, never twice; any other loss, and a
// named message that was never sent, still fail.
TEST(Conservation, ADeadSendersUnfinishedMessageMayBeLostOnlyWhereNamed) {
  const std::vector<Message> sent{{0, 0}, {0, 1}, {1, 0}};
  const std::vector<Message> unfinished{{0, 1}};
  EXPECT_TRUE(check_conservation(sent, {{2, {0, 0}}, {2, {1, 0}}}, unfinished).ok);
  EXPECT_TRUE(check_conservation(sent, {{2, {0, 0}}, {2, {0, 1}}, {2, {1, 0}}}, unfinished).ok);
  auto twice = check_conservation(sent, {{2, {0, 0}}, {2, {0, 1}}, {3, {0, 1}}, {2, {1, 0}}}, unfinished);
  EXPECT_NE(twice.message.find("duplicated"), std::string::npos) << twice.message;
  auto other = check_conservation(sent, {{2, {0, 0}}}, unfinished);  // {1, 0} lost too
  EXPECT_NE(other.message.find("lost: 1 of 3"), std::string::npos) << other.message;
  EXPECT_FALSE(check_conservation(sent, {{2, {0, 0}}, {2, {1, 0}}}).ok);  // not named: a loss
  auto unsent = check_conservation(sent, {{2, {0, 0}}, {2, {0, 1}}, {2, {1, 0}}}, {{1, 5}});
  EXPECT_NE(unsent.message.find("never sent"), std::string::npos) << unsent.message;
}

TEST(Fifo, PassesInOrderWithGapsAndInterleavedSenders) {
  // Receiver 1 takes 0 and 2 of sender 0 (receiver 2 took 1), interleaved with sender 1.
  std::vector<Delivery> got{{1, {0, 0}}, {1, {1, 0}}, {2, {0, 1}}, {1, {0, 2}}, {1, {1, 1}}};
  EXPECT_TRUE(check_fifo(got).ok);
}

TEST(Fifo, CatchesAReorderedPair) {
  auto r = check_fifo({{1, {0, 1}}, {1, {0, 0}}});
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.message.find("out of order"), std::string::npos) << r.message;
}

TEST(Integrity, PassesAnIntactPayload) {
  for (size_t size : {kPayloadHeader, size_t(21), size_t(4096)}) {
    std::string p = make_payload(3, 0x100000005ULL, size);
    EXPECT_EQ(p.size(), size);
    Message m;
    auto r = verify_payload(p, &m);
    EXPECT_TRUE(r.ok) << r.message;
    EXPECT_EQ(m, (Message{3, 0x100000005ULL}));
  }
}

TEST(Integrity, CatchesInterleavedBytes) {
  // Two writers' payloads interleaved at byte 100 (a non-atomic pipe write).
  std::string a = make_payload(0, 1, 512), b = make_payload(1, 1, 512);
  std::string torn = a.substr(0, 100) + b.substr(100);
  auto r = verify_payload(torn);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.message.find("checksum"), std::string::npos) << r.message;
}

TEST(Integrity, CatchesAShortOrTruncatedPayload) {
  std::string a = make_payload(0, 1, 512);
  EXPECT_FALSE(verify_payload(a.substr(0, 10)).ok);
  auto r = verify_payload(a.substr(0, 300));
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.message.find("torn payload"), std::string::npos) << r.message;
}

TEST(Integrity, Crc32MatchesTheStandardCheckValue) {
  EXPECT_EQ(crc32("123456789", 9), 0xCBF43926u);
}

TEST(Invariant, ReportsWhatAndObserved) {
  EXPECT_TRUE(check_invariant(true, "balance >= 0").ok);
  auto r = check_invariant(false, "balance >= 0", "balance = -3");
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.message, "invariant violated: balance >= 0 (balance = -3)");
}

}  // namespace
}  // namespace ipcrace
