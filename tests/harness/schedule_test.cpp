// Schedule format: round trip, and a clear error for every kind of bad file.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "ipcrace/schedule.hpp"

namespace ipcrace {
namespace {

Schedule sample() {
  Schedule s;
  s.target = "shm.counter.racy";
  s.params.set("actors", 2);
  s.params.set("ops", 2);
  s.strategy = "pct";
  s.seed = 42;
  s.run = 7;
  s.run_seed = 123456789;
  s.finding = FindingKind::assertion;
  s.message = "lost update: counter is 3, expected 4";
  s.resources = {"counter", "counter.lock"};
  s.steps = {{0, OpKind::shm_load, 0, "counter.load"}, {1, OpKind::shm_load, 0, "counter.load"},
             {0, OpKind::shm_store, 0, "counter.store"}, {1, OpKind::shm_store, 0, "counter.store"}};
  return s;
}

std::string error_of(const std::string& text) {
  std::string err;
  EXPECT_FALSE(parse_schedule(text, &err)) << text;
  return err;
}

TEST(ScheduleFormat, RoundTrip) {
  Schedule s = sample();
  std::string text = format_schedule(s);
  std::string err;
  auto back = parse_schedule(text, &err);
  ASSERT_TRUE(back) << err;
  EXPECT_EQ(back->target, s.target);
  EXPECT_EQ(back->params, s.params);
  EXPECT_EQ(back->steps, s.steps);
  EXPECT_EQ(back->message, s.message);
  EXPECT_EQ(back->run_seed, s.run_seed);
  EXPECT_EQ(back->finding, s.finding);
  EXPECT_EQ(format_schedule(*back), text);
}

// A program command without a recorded binary hash (a hand-written file)
// formats to a file that parses back the same: no empty 'exec-binary-hash'
// line (the parser fuzzer found that one).
TEST(ScheduleFormat, CommandWithoutBinaryHashRoundTrips) {
  Schedule s = sample();
  s.command = {"./prog", "--rounds", "3"};
  std::string t1 = format_schedule(s);
  EXPECT_EQ(t1.find("exec-binary-hash"), std::string::npos) << t1;
  std::string err;
  auto back = parse_schedule(t1, &err);
  ASSERT_TRUE(back) << err << "\n" << t1;
  EXPECT_EQ(back->command, s.command);
  EXPECT_EQ(format_schedule(*back), t1);
  s.binary_hash = "0123abcd";
  s.may_die = 6;
  auto hashed = parse_schedule(format_schedule(s), &err);
  ASSERT_TRUE(hashed) << err;
  EXPECT_EQ(hashed->binary_hash, "0123abcd");
  EXPECT_EQ(hashed->may_die, 6u);
  std::string bad = format_schedule(s);
  bad.replace(bad.find("exec-may-die 6"), 14, "exec-may-die 0");
  EXPECT_NE(error_of(bad).find("exec-may-die"), std::string::npos) << error_of(bad);
}

// A value the formatter writes back as it is must read back the same: a
// target name or binary hash ending in '\r' (CR CR LF) would lose it on
// the next read, so a control character there is an error (found by the
// parser fuzzer).
TEST(ScheduleErrors, ControlCharactersInTargetOrHashAreAnError) {
  std::string text = format_schedule(sample());
  std::string bad = text;
  bad.replace(bad.find("target shm.counter.racy\n"), 24, "target shm.counter.racy\r\r\n");
  EXPECT_NE(error_of(bad).find("target name"), std::string::npos) << error_of(bad);
  Schedule s = sample();
  s.command = {"./prog"};
  s.binary_hash = "0123abcd";
  bad = format_schedule(s);
  bad.replace(bad.find("0123abcd\n"), 9, "0123\x01" "abcd\n");
  EXPECT_NE(error_of(bad).find("exec-binary-hash"), std::string::npos) << error_of(bad);
}

TEST(ScheduleFormat, CountsPreemptions) {
  // 0 1 0 1: every switch leaves an actor that could have gone on.
  Schedule s = sample();
  EXPECT_EQ(s.preemptions(), 3);
  // A switch after a try that would block, a park or an exit is no preemption.
  s.steps[0].end = StepEnd::would_block;
  s.steps[1].end = StepEnd::parked;
  EXPECT_EQ(s.preemptions(), 1);
  s.steps[2].end = StepEnd::exited;
  EXPECT_EQ(s.preemptions(), 0);
  // Nor is a switch after a yield (CHESS: the actor offered the CPU), and
  // the trace of a run counts the same way.
  Schedule y = sample();
  y.steps[0].kind = OpKind::yield;
  EXPECT_EQ(y.preemptions(), 2);
  std::vector<Step> trace;
  for (const auto& st : y.steps) trace.push_back(Step{uint16_t(st.actor), Op{st.kind, uint16_t(st.resource), ""}});
  EXPECT_EQ(preemption_steps(trace), (std::vector<size_t>{2, 3}));
  // The step ends survive the file (version 2 step-end lines).
  std::string err;
  auto back = parse_schedule(format_schedule(s), &err);
  ASSERT_TRUE(back) << err;
  EXPECT_EQ(back->steps, s.steps);
  EXPECT_NE(format_schedule(s).find("step-end 0 would-block\n"), std::string::npos);
  // Version 1 files still parse (no step ends: every step ended at a point).
  std::string v1 = format_schedule(sample());
  v1.replace(0, v1.find('\n'), "ipcrace-schedule 1");
  auto old = parse_schedule(v1, &err);
  ASSERT_TRUE(old) << err;
  EXPECT_EQ(old->preemptions(), 3);
  EXPECT_NE(error_of(v1.substr(0, v1.rfind("end")) + "step-end 99 parked\nend\n").find("step end"), std::string::npos);
}

TEST(ScheduleFormat, ToleratesCommentsBlankLinesAndCrlf) {
  std::string text = format_schedule(sample());
  std::string crlf;
  for (char c : text) {
    if (c == '\n') crlf += "\r\n\r\n# comment\r\n";
    else crlf += c;
  }
  std::string err;
  EXPECT_TRUE(parse_schedule(crlf, &err)) << err;
}

TEST(ScheduleErrors, EachMalformedFileGetsALineNumberedError) {
  std::string good = format_schedule(sample());
  EXPECT_NE(error_of("").find("empty"), std::string::npos);
  EXPECT_NE(error_of("hello world\n").find("not an ipcrace schedule"), std::string::npos);
  EXPECT_NE(error_of("ipcrace-schedule 9\n").find("unsupported schedule version"), std::string::npos);
  EXPECT_NE(error_of(good.substr(0, good.rfind("step"))).find("truncated"), std::string::npos);
  EXPECT_NE(error_of(std::string("ipcrace-schedule 1\n\0\x01\x02", 22)).find("binary"), std::string::npos);
  auto replace = [&](const std::string& from, const std::string& to) {
    std::string t = good;
    t.replace(t.find(from), from.size(), to);
    return t;
  };
  EXPECT_NE(error_of(replace("step 1 shm_load", "step x shm_load")).find("bad actor index"), std::string::npos);
  EXPECT_NE(error_of(replace("shm_store", "shm_teleport")).find("unknown op kind"), std::string::npos);
  EXPECT_NE(error_of(replace("seed 42", "seed -4")).find("unsigned integer"), std::string::npos);
  EXPECT_NE(error_of(replace("mode processes", "mode fibers")).find("unknown mode"), std::string::npos);
  EXPECT_NE(error_of(replace("finding assertion", "finding oops")).find("unknown finding kind"), std::string::npos);
  EXPECT_NE(error_of(replace("target shm", "colour blue\ntarget shm")).find("unknown key"), std::string::npos);
  EXPECT_NE(error_of(replace("param ops 2", "param ops two")).find("param"), std::string::npos);
  EXPECT_NE(error_of(replace("step 0 shm_store 0", "step 0 shm_store 9")).find("not declared"), std::string::npos);
  EXPECT_NE(error_of(good + "step 0 shm_load 0 x\n").find("after 'end'"), std::string::npos);
  EXPECT_EQ(error_of(replace("target shm", "colour blue\ntarget shm")).rfind("line ", 0), 0u);
  EXPECT_NE(error_of(replace("target shm.counter.racy\n", "")).find("no 'target'"), std::string::npos);
}

TEST(ScheduleErrors, OversizedInputIsRejectedNotLoaded) {
  std::string huge(65u << 20, 'x');
  EXPECT_NE(error_of(huge).find("too large"), std::string::npos);
}

// Any byte string either parses or gives an error; never a crash.
RC_GTEST_PROP(ScheduleErrors, ArbitraryBytesNeverCrash, (const std::string& junk)) {
  std::string err;
  auto s = parse_schedule(junk, &err);
  RC_ASSERT(s.has_value() || !err.empty());
}

// Mutating one byte of a valid file gives a valid schedule or a clear error.
RC_GTEST_PROP(ScheduleErrors, MutatedFilesNeverCrash, (unsigned pos, char byte)) {
  std::string text = format_schedule(sample());
  text[pos % text.size()] = byte;
  std::string err;
  auto s = parse_schedule(text, &err);
  RC_ASSERT(s.has_value() || err.rfind("line ", 0) == 0);
}

}  // namespace
}  // namespace ipcrace
