// Issue 13, item 16: descriptors a target makes in setup and gives to one
// actor (RunContext::give_fd) are closed everywhere else once the actors
// run, so a reader that reads to EOF terminates: clean, not a false deadlock,
// in processes and in threads. Nothing is left open in the controller.
#include <gtest/gtest.h>

#include <dirent.h>

#include "support/support.hpp"

namespace ipcrace {
namespace {

int open_fds() {
  int n = 0;
  DIR* d = opendir("/proc/self/fd");
  while (dirent* e = readdir(d)) n += e->d_name[0] != '.';
  closedir(d);
  return n - 1;  // the directory's own descriptor
}

class OwnedFds : public ::testing::TestWithParam<ActorMode> {};

TEST_P(OwnedFds, ReaderToEofIsClean) {
  const int before = open_fds();
  for (const char* strategy : {"random", "pct", "surw"}) {
    test::Quick q;
    q.strategy = strategy;
    q.runs = 30;
    q.mode = GetParam();
    CampaignResult r = test::campaign("test.pipe.eof", q);
    EXPECT_EQ(r.findings, 0u) << strategy << ": " << (r.first ? r.first->message : "");
    EXPECT_EQ(r.runs, 30u);
  }
  EXPECT_EQ(open_fds(), before) << "descriptors left open in the controller";
}

INSTANTIATE_TEST_SUITE_P(Modes, OwnedFds, ::testing::Values(ActorMode::processes, ActorMode::threads),
                         [](const auto& p) { return std::string(actor_mode_name(p.param)); });

TEST(OwnedFdsApi, BadDescriptorsAreRefused) {
  struct Bad final : Scenario {
    int fd = -1, to = 0;
    void setup(RunContext& ctx) override { ctx.give_fd(fd, to); }
    void actor(Actor&) override {}
  };
  for (auto [fd, actor] : {std::pair{-1, 0}, std::pair{1000000, 0}, std::pair{0, 5}}) {
    TargetInfo t{.name = "test.bad_give", .family = "test", .defaults = {{"actors", 2}},
                 .make = [fd = fd, actor = actor] {
                   auto s = std::make_unique<Bad>();
                   s->fd = fd;
                   s->to = actor;
                   return s;
                 }};
    RunConfig cfg;
    Engine e(t, {}, cfg);
    auto st = make_strategy(StrategyOptions{.name = "random"});
    st->new_run(0);
    EXPECT_THROW(e.run(*st, 1), std::invalid_argument) << fd << " to actor " << actor;
  }
}

}  // namespace
}  // namespace ipcrace
