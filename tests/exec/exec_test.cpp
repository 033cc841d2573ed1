// exec mode: unmodified programs (tests/exec/programs/) under libipcrace_rt.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "ipcrace/program.hpp"
#include "ipcrace/schedule.hpp"
#include "support/support.hpp"

using namespace ipcrace;
using namespace ipcrace::test;

namespace {

// pct finds the racy build within `budget` runs for seeds 1..seeds, with the
// finding it must be; the fixed build is clean for random, pct and pos.
void found_and_clean(const std::string& base, FindingKind kind, const std::string& says, uint64_t budget,
                     int seeds, uint64_t clean_runs) {
  for (int seed = 1; seed <= seeds; ++seed) {
    Quick q;
    q.runs = budget;
    q.seed = uint64_t(seed);
    q.stop_at_first = true;
    q.race = false;  // the oracle's finding (race detection reports the data race first)
    CampaignResult r = campaign("program." + base + ".racy", q);
    ASSERT_GT(r.findings, 0u) << base << " seed " << seed << ": " << describe(r);
    ASSERT_TRUE(r.first);
    EXPECT_EQ(r.first->finding, kind) << r.first->message;
    EXPECT_NE(r.first->message.find(says), std::string::npos) << r.first->message;
  }
  for (const char* st : {"random", "pct", "pos"}) {
    Quick q;
    q.strategy = st;
    q.runs = clean_runs;
    CampaignResult r = campaign("program." + base + ".fixed", q);
    EXPECT_EQ(r.findings, 0u) << base << " fixed, " << st << ": " << describe(r);
    EXPECT_EQ(r.runs, clean_runs);
  }
}

// dfs over the whole bounded space with these faults enabled (no race detection).
Quick dfs_with_faults(uint32_t faults, uint64_t runs, int budget = 1) {
  Quick q;
  q.strategy = "dfs";
  q.runs = runs;
  q.race = false;
  q.faults = faults;
  q.fault_budget = budget;
  return q;
}

}  // namespace

TEST(Exec, ProgramTargetsAreRegistered) {
  const TargetInfo& t = target("program.rt_shm_counter.racy");
  EXPECT_EQ(t.family, "program");
  EXPECT_EQ(t.expect(), Expect::finding);
  ASSERT_FALSE(t.exec.empty());
  EXPECT_EQ(target("program.rt_shm_counter.fixed").expect(), Expect::clean);
}

// Processes forked by the program, shared anonymous memory, a process-shared
// mutex, wait, the exit status as the verdict.
TEST(Exec, ShmCounterLostUpdate) {
  auto before = leftovers();
  found_and_clean("rt_shm_counter", FindingKind::assertion, "exited with status 1", 200, 5, 100);
  EXPECT_EQ(leftovers(), before);
}

// Threads of one process: a lost wakeup on a real pthread_cond_wait (the
// signal lands between the consumer's check and its wait).
TEST(Exec, CondVarLostWakeupIsADeadlock) {
  found_and_clean("rt_cv_lost_wakeup", FindingKind::deadlock, "cv_wait", 200, 5, 100);
}

// A pipe shared by two children: records written in two write() calls mix.
TEST(Exec, PipeRecordsInterleave) {
  auto before = leftovers();
  found_and_clean("rt_pipe_records", FindingKind::assertion, "exited with status 1", 200, 5, 100);
  EXPECT_EQ(leftovers(), before);
}

// The same program built without instrumentation, the runtime in LD_PRELOAD.
TEST(Exec, PreloadModeFindsThePipeBug) {
  found_and_clean("rt_pipe_records_preload", FindingKind::assertion, "exited with status 1", 200, 3, 100);
}

// Virtual time: an alarm() watchdog fires in a run that sleeps longer than
// it allows, and never in the fixed one; no run waits a wall-clock second.
TEST(Exec, AlarmWatchdogUnderVirtualTime) {
  found_and_clean("rt_watchdog", FindingKind::assertion, "exited with status 2", 10, 3, 50);
}

// A sched_yield spin loop on a flag in shared memory parks until the flag
// is written: no step limit in the fixed build, the early read in the racy one.
TEST(Exec, SpinLoopParksAndFindsTheEarlyRead) {
  found_and_clean("rt_spin_publish", FindingKind::assertion, "exited with status 1", 200, 5, 100);
}

// Faults at the interposed calls (issue 12): a short read or an EINTR where
// the kernel can give one. The one-read build is correct under every
// interleaving and fails only with a fault; the looped build survives them;
// and a program with no handler that could interrupt it is never offered an
// EINTR (rt_pipe_records installs none), so its fixed build stays clean.
TEST(Exec, FaultsAtInterposedCallsOnlyWhereTheKernelCanFailSo) {
  auto before = leftovers();
  Quick q;
  q.strategy = "random";
  q.runs = 100;
  q.race = false;
  q.faults = 0;
  EXPECT_EQ(campaign("program.rt_short_reader.one_read", q).findings, 0u);  // interleavings alone: fine
  for (FaultKind k : {FaultKind::short_io, FaultKind::eintr}) {
    q.faults = fault_bit(k);
    q.stop_at_first = true;
    q.runs = 200;
    CampaignResult r = campaign("program.rt_short_reader.one_read", q);
    ASSERT_TRUE(r.first) << fault_kind_name(k) << ": " << describe(r);
    EXPECT_NE(r.first->message.find("exited with status 1"), std::string::npos) << r.first->message;
    EXPECT_EQ(r.first->fault_steps(), 1) << format_schedule(*r.first);
    RunResult rr = replay(*r.first, ActorMode::processes);
    EXPECT_FALSE(rr.diverged) << rr.divergence;
    EXPECT_EQ(rr.message, r.first->message);
  }
  const uint32_t short_eintr = fault_bit(FaultKind::short_io) | fault_bit(FaultKind::eintr);
  CampaignResult looped = campaign("program.rt_short_reader.looped", dfs_with_faults(short_eintr, 2000, 2));
  EXPECT_EQ(looped.findings, 0u) << describe(looped);
  EXPECT_NE(looped.strategy_summary.find("with a fault"), std::string::npos) << looped.strategy_summary;
  CampaignResult no_handler =
      campaign("program.rt_pipe_records.fixed", dfs_with_faults(fault_bit(FaultKind::eintr), 2000, 2));
  EXPECT_EQ(no_handler.findings, 0u) << describe(no_handler);
  EXPECT_EQ(no_handler.strategy_summary.find("with a fault"), std::string::npos) << no_handler.strategy_summary;
  EXPECT_EQ(leftovers(), before);
}

TEST(Exec, MayDieListsParse) {
  std::string err;
  EXPECT_EQ(parse_may_die("children", &err), ~uint64_t(1));
  EXPECT_EQ(parse_may_die("1,3", &err), uint64_t(0b1010));
  for (const char* bad : {"", "x", "1,,2", "64", "-1", "2x"}) {
    err.clear();
    EXPECT_FALSE(parse_may_die(bad, &err)) << bad;
    EXPECT_NE(err.find("may-die"), std::string::npos) << bad << ": " << err;
  }
}

// Deaths that are part of the workload (issue 12, exec mode): the worker is
// declared MAY_DIE, so an injected kill is no crash and the program's own
// verdict (its exit status) judges what the parent did. The build that
// assumes its worker finishes is found only with the kill; the one that asks
// waitpid survives every kill point (dfs: the whole bounded space). The kill
// finding replays, names its one fault, and leaves nothing behind.
TEST(Exec, AnExpectedDeathIsJudgedByTheSurvivors) {
  auto before = leftovers();
  EXPECT_EQ(target("program.rt_dying_worker.checked").may_die, uint64_t(2));
  Quick q;
  q.strategy = "random";
  q.race = false;
  q.runs = 100;
  q.faults = 0;
  EXPECT_EQ(campaign("program.rt_dying_worker.assumes_done", q).findings, 0u);
  q.faults = fault_bit(FaultKind::kill);
  q.runs = 300;
  q.stop_at_first = true;
  CampaignResult r = campaign("program.rt_dying_worker.assumes_done", q);
  ASSERT_TRUE(r.first) << describe(r);
  EXPECT_NE(r.first->message.find("exited with status 1"), std::string::npos) << r.first->message;
  EXPECT_EQ(r.first->fault_steps(), 1) << format_schedule(*r.first);
  EXPECT_EQ(r.first->may_die, uint64_t(2));
  std::string err;
  auto back = parse_schedule(format_schedule(*r.first), &err);
  ASSERT_TRUE(back) << err;
  EXPECT_EQ(back->may_die, uint64_t(2));
  for (int i = 0; i < 5; ++i) {
    RunResult rr = replay(*r.first, ActorMode::processes);
    EXPECT_FALSE(rr.diverged) << rr.divergence;
    EXPECT_EQ(rr.message, r.first->message);
  }
  CampaignResult checked = campaign("program.rt_dying_worker.checked", dfs_with_faults(fault_bit(FaultKind::kill), 3000));
  EXPECT_EQ(checked.findings, 0u) << describe(checked);
  EXPECT_TRUE(checked.exhausted) << checked.strategy_summary;
  EXPECT_NE(checked.strategy_summary.find("with a fault"), std::string::npos) << checked.strategy_summary;
  EXPECT_EQ(leftovers(), before);
}

TEST(Exec, ReplayReproducesAProgramFinding) {
  Quick q;
  q.runs = 200;
  q.stop_at_first = true;
  CampaignResult r = campaign("program.rt_shm_counter.racy", q);
  ASSERT_TRUE(r.first);
  for (int i = 0; i < 10; ++i) {
    RunResult rr = replay(*r.first, ActorMode::processes);
    EXPECT_FALSE(rr.diverged) << rr.divergence;
    EXPECT_EQ(rr.kind, r.first->finding);
    EXPECT_EQ(rr.message, r.first->message);
  }
}

// Schedules of program targets record the command line and the binary's
// hash; a schedule names its binary, and another binary is refused.
TEST(Exec, ScheduleRecordsCommandAndRefusesAnotherBinary) {
  Quick q;
  q.runs = 200;
  q.stop_at_first = true;
  CampaignResult r = campaign("program.rt_shm_counter.racy", q);
  ASSERT_TRUE(r.first);
  std::string err;
  auto s = parse_schedule(format_schedule(*r.first), &err);
  ASSERT_TRUE(s) << err;
  ASSERT_FALSE(s->command.empty());
  EXPECT_EQ(s->command, target("program.rt_shm_counter.racy").exec);
  EXPECT_EQ(s->binary_hash, program_binary_hash(s->command[0]));
  EXPECT_EQ(schedule_target(*s), &target("program.rt_shm_counter.racy"));
  s->binary_hash = "0123456789abcdef";
  EXPECT_THROW(schedule_target(*s), std::runtime_error);
}

// The classic IPC objects a program creates and never removes (a FIFO, a
// bound Unix socket, System V queue, semaphore set and segment: the LEAVE
// build lists them in $IPC_CLASSICS_LIST) are gone after every run; only
// the objects this test's runs created are checked.
TEST(Exec, ClassicIpcObjectsAreRemovedAfterEveryRun) {
  char dir[] = "/tmp/ipcrace-classics-test.XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string list = std::string(dir) + "/created";
  setenv("IPC_CLASSICS_LIST", list.c_str(), 1);
  Quick q;
  q.strategy = "random";
  q.runs = 30;
  CampaignResult r = campaign("program.rt_ipc_classics.leaves", q);
  unsetenv("IPC_CLASSICS_LIST");
  EXPECT_EQ(r.findings, 0u) << describe(r);
  std::ifstream in(list);
  std::string line;
  int n = 0, left = 0;
  std::string what;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string kind, arg;
    ls >> kind >> arg;
    ++n;
    bool there = false;
    if (kind == "path") {
      struct stat st;
      there = lstat(arg.c_str(), &st) == 0;
    } else if (kind == "msg") {
      struct msqid_ds ds;
      there = msgctl(std::stoi(arg), IPC_STAT, &ds) == 0;
    } else if (kind == "sem") {
      struct semid_ds ds;
      there = semctl(std::stoi(arg), 0, IPC_STAT, &ds) == 0;
    } else if (kind == "shm") {
      struct shmid_ds ds;
      there = shmctl(std::stoi(arg), IPC_STAT, &ds) == 0;
    }
    if (there) ++left, what += " " + line;
  }
  EXPECT_GE(n, 5 * 30);  // every run made all five
  EXPECT_EQ(left, 0) << "left behind:" << what;
  unlink(list.c_str());
  rmdir(dir);
}
