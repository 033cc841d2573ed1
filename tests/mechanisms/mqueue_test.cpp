// mqueue family: every racy target is found by pct within its budget for seeds
// 1..10; every synchronised target stays clean under random, pct, pos and a
// bounded dfs, in process and thread mode; no run leaves anything behind.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <vector>

#include "ipcrace/exit_codes.hpp"
#include "support/family_tests.hpp"

namespace ipcrace::test {
namespace {

const std::vector<RacyCase> kRacy = {{"mqueue.posix.racy"}, {"mqueue.boost.racy"}, {"mqueue.ring.racy"}};
const std::vector<std::string> kSynchronised = {"mqueue.posix.blocking", "mqueue.boost.blocking",
                                                "mqueue.ring.mutex_sem", "mqueue.ring.spsc"};

const Family kFamily = {"mqueue", kRacy, kSynchronised, 200, 66};

IPCRACE_FAMILY_TESTS(Mqueue, kFamily)

TEST(Mqueue, RemovingTheLockBreaksTheBoundedBuffer) {
  // The gate's self-test (IPCRACE_INJECT=no-lock) turns sync::Mutex into a
  // no-op: two producers then share the tail and the gate must fail.
  char dir[] = "/tmp/ipcrace-mqueue-inject-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  Cmd r = run_cmd({"gate", "mqueue.ring.mutex_sem", "--seeds", "1", "--clean-runs", "300", "--actors", "threads",
                   "--out", dir},
                  "IPCRACE_INJECT=no-lock");
  std::filesystem::remove_all(dir);
  EXPECT_EQ(r.code, kExitGateMismatch) << r.out << r.err;
}

TEST(Mqueue, QueuesAreVisibleForTheLeakCheck) {
  // Without the mqueue file system a leaked POSIX queue would pass unseen.
  EXPECT_TRUE(mqueue_visible());
}

}  // namespace
}  // namespace ipcrace::test
