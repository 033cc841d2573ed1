// ipcrace check-history: histories from files (docs/history-format.md), as
// recorded by any system, including by ipcrace itself (replay --history).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "ipcrace/oracles.hpp"
#include "support/support.hpp"

namespace ipcrace::test {
namespace {

class CheckHistory : public testing::Test {
 protected:
  void SetUp() override {
    char d[] = "/tmp/ipcrace-check-history-XXXXXX";
    ASSERT_NE(mkdtemp(d), nullptr);
    dir_ = d;
  }
  void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }
  std::string write(const std::string& name, const std::string& text) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }
  std::string dir_;
};

TEST_F(CheckHistory, LinearizableQueueExitsZeroAndPrintsTheTime) {
  const std::string f = write("q.hist",
                              "# two clients\n0 invoke enqueue 1\n1 invoke enqueue 2\n0 ok -\n1 ok -\n"
                              "0 invoke dequeue\n0 ok - 2\n1 invoke dequeue\n1 ok - 1\n");
  const Cmd c = run_cmd({"check-history", f, "--model", "queue"});
  EXPECT_EQ(c.code, 0) << c.out << c.err;
  EXPECT_EQ(c.out.rfind("linearizable\n", 0), 0u) << c.out;
  EXPECT_NE(c.out.find(" s\n"), std::string::npos) << c.out;  // "checked N operations ... in T s"
}

TEST_F(CheckHistory, ReorderedQueueExitsTenWithTheShortestBadPrefix) {
  const std::string f = write("q.hist",
                              "0 invoke enqueue 1\n0 ok -\n0 invoke enqueue 2\n0 ok -\n"
                              "1 invoke dequeue\n1 ok - 2\n1 invoke dequeue\n1 ok - 1\n");
  const Cmd c = run_cmd({"check-history", f, "--model", "queue"});
  EXPECT_EQ(c.code, 10) << c.out << c.err;
  EXPECT_NE(c.out.find("not linearizable"), std::string::npos) << c.out;
  EXPECT_NE(c.out.find("shortest bad prefix (6 of 8 events)"), std::string::npos) << c.out;
  EXPECT_NE(c.out.find("1 ok - 2"), std::string::npos) << c.out;  // the prefix's last event
}

TEST_F(CheckHistory, CrashedEnqueueMayHaveHappened) {
  // Client 0 crashed during its enqueue (info): the dequeue of 7 is explained.
  const std::string f = write("q.hist", "0 invoke enqueue 7\n0 info -\n1 invoke dequeue\n1 ok - 7\n");
  EXPECT_EQ(run_cmd({"check-history", f, "--model", "queue"}).code, 0);
}

TEST_F(CheckHistory, TenThousandOpsOfManyClientsPartitionedByKey) {
  const History good = generate_history("kv", 10000, 32, 64, 7);
  const Cmd ok = run_cmd({"check-history", write("good.hist", format_history(good)), "--model", "kv", "--json"});
  EXPECT_EQ(ok.code, 0) << ok.out << ok.err;
  EXPECT_NE(ok.out.find("\"verdict\": \"linearizable\""), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find("\"events\": 20000"), std::string::npos) << ok.out;  // failed cas ops are not operations

  const History bad = generate_history("kv", 10000, 32, 64, 7, /*break_last=*/true);
  const Cmd no = run_cmd({"check-history", write("bad.hist", format_history(bad)), "--model", "kv"});
  EXPECT_EQ(no.code, 10) << no.out << no.err;
  EXPECT_NE(no.out.find("(key k"), std::string::npos) << no.out;  // names the failing partition
}

TEST_F(CheckHistory, UndecidedInTimeIsUnknownNotAWrongAnswer) {
  // 30 concurrent writes, then a read of a value nobody wrote: every subset
  // of the writes is a search state, far more than 0.2 s explores.
  std::string text;
  for (int p = 0; p < 30; ++p) text += std::to_string(p) + " invoke write " + std::to_string(p) + "\n";
  for (int p = 0; p < 30; ++p) text += std::to_string(p) + " ok -\n";
  text += "99 invoke read\n99 ok - 1000\n";
  const Cmd c = run_cmd({"check-history", write("hard.hist", text), "--model", "register", "--timeout", "0.2"});
  EXPECT_EQ(c.code, 12) << c.out << c.err;
  EXPECT_NE(c.out.find("unknown (timeout)"), std::string::npos) << c.out;
}

TEST_F(CheckHistory, BadInputIsAOneLineErrorWithItsCode) {
  const Cmd bad_line = run_cmd({"check-history", write("x.hist", "0 invoke enqueue 1\n0 done -\n"), "--model", "queue"});
  EXPECT_EQ(bad_line.code, 21);
  EXPECT_NE(bad_line.err.find("line 2"), std::string::npos) << bad_line.err;
  const Cmd orphan = run_cmd({"check-history", write("y.hist", "0 ok - 3\n"), "--model", "queue"});
  EXPECT_EQ(orphan.code, 21) << orphan.err;
  const Cmd model = run_cmd({"check-history", write("z.hist", ""), "--model", "stack"});
  EXPECT_EQ(model.code, 20);
  EXPECT_NE(model.err.find("unknown model 'stack'"), std::string::npos) << model.err;
  EXPECT_EQ(run_cmd({"check-history", dir_ + "/missing.hist", "--model", "queue"}).code, 21);
}

// A history recorded inside a run: replay a lost-update finding of the racy
// counter with --history, and check that file as any other system's.
TEST_F(CheckHistory, HistoryRecordedByIpcraceRunsThroughTheChecker) {
  const Cmd run = run_cmd({"run", "shm.counter.racy", "--runs", "200", "--no-minimize", "--race", "off", "-q", "--out", dir_});
  ASSERT_EQ(run.code, 10) << run.out << run.err;
  const std::string sched = run.out.substr(run.out.find(dir_));
  const std::string file = sched.substr(0, sched.find_first_of(" \n"));
  const std::string hist = dir_ + "/counter.hist";
  const Cmd rep = run_cmd({"replay", file, "--history", hist});
  ASSERT_EQ(rep.code, 10) << rep.out << rep.err;
  const Cmd chk = run_cmd({"check-history", hist, "--model", "counter"});
  EXPECT_EQ(chk.code, 10) << chk.out << chk.err;  // two fetch_adds returned the same value
  EXPECT_NE(chk.out.find("fetch_add"), std::string::npos) << chk.out;
}

}  // namespace
}  // namespace ipcrace::test
