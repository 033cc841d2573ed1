// From a finding to its cause: replay --trace (values and bytes), --stop-at
// with a real gdb attached, Chrome traces of every saved finding, `show`, and
// one preemption count everywhere.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "ipcrace/exit_codes.hpp"
#include "ipcrace/schedule.hpp"
#include "support/support.hpp"

namespace ipcrace {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

const fs::path kFindings = fs::path(IPCRACE_SOURCE_DIR) / "corpus" / "findings";

std::vector<fs::path> saved_findings() {
  std::vector<fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(kFindings))
    if (e.is_regular_file() && e.path().extension() == ".schedule") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

fs::path finding_of(const std::string& target) {
  for (const auto& e : fs::directory_iterator(kFindings / target)) return e.path();
  return {};
}

std::vector<json> json_lines(const std::string& out) {
  std::vector<json> v;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && line[0] == '{') v.push_back(json::parse(line));
  return v;
}

std::vector<json> events(const std::vector<json>& all, const std::string& kind) {
  std::vector<json> v;
  for (const auto& e : all)
    if (e["event"] == kind) v.push_back(e);
  return v;
}

fs::path scratch(const std::string& name) {
  auto p = fs::temp_directory_path() / ("ipcrace-test-trace-" + std::to_string(getpid()) + "-" + name);
  fs::remove_all(p);
  fs::create_directories(p);
  return p;
}

std::vector<unsigned char> unhex(const std::string& h) {
  std::vector<unsigned char> b;
  for (size_t i = 0; i + 1 < h.size(); i += 2) b.push_back((unsigned char)std::stoi(h.substr(i, 2), nullptr, 16));
  return b;
}

TEST(Trace, LostUpdateShowsTheTwoLoadsThatReadTheSameValueAndTheTwoStores) {
  const auto f = finding_of("shm.counter.racy");
  auto r = test::run_cmd({"replay", f.string(), "--trace", "--json"});
  ASSERT_EQ(r.code, kExitFinding) << r.err;
  auto steps = events(json_lines(r.out), "step");
  ASSERT_FALSE(steps.empty());
  // Two loads by different actors read the same value v; then each of them
  // stores v+1: one increment is lost. Found in the order the run took.
  bool found = false;
  for (size_t i = 0; i < steps.size() && !found; ++i) {
    if (steps[i]["op"] != "shm_load") continue;
    for (size_t j = i + 1; j < steps.size() && !found; ++j) {
      if (steps[j]["op"] == "shm_store") break;  // the value changed between the loads
      if (steps[j]["op"] != "shm_load" || steps[j]["actor"] == steps[i]["actor"]) continue;
      const int64_t v = steps[i]["value"];
      if (steps[j]["value"] != v) continue;
      std::vector<int> stored_by;
      for (size_t k = j + 1; k < steps.size() && stored_by.size() < 2; ++k)
        if (steps[k]["op"] == "shm_store" && steps[k]["value"] == v + 1) stored_by.push_back(steps[k]["actor"]);
      found = stored_by.size() == 2 && std::set<int>(stored_by.begin(), stored_by.end()) ==
                                           std::set<int>{steps[i]["actor"].get<int>(), steps[j]["actor"].get<int>()};
      if (found) std::printf("loads at steps %zu and %zu read %lld; both actors then store %lld\n", i, j,
                             (long long)v, (long long)v + 1);
    }
  }
  EXPECT_TRUE(found) << r.out;
  // The text form says it in words, in that order.
  auto t = test::run_cmd({"replay", f.string(), "--trace"});
  ASSERT_EQ(t.code, kExitFinding) << t.err;
  const size_t l1 = t.out.find("read 0"), l2 = t.out.find("read 0", l1 + 1);
  const size_t s1 = t.out.find("wrote 1"), s2 = t.out.find("wrote 1", s1 + 1);
  ASSERT_NE(l2, std::string::npos) << t.out;
  ASSERT_NE(s2, std::string::npos) << t.out;
  EXPECT_LT(l2, s1);
  EXPECT_NE(t.out.find("finding: assertion, detected"), std::string::npos) << t.out;
  // The other direction: the atomic counter never has two loads of one value
  // followed by two stores (it has no plain loads and stores at all).
  const auto dir = scratch("atomic");
  auto clean = test::run_cmd({"run", "shm.counter.atomic", "--runs", "1", "--json", "--out", dir.string()});
  EXPECT_EQ(clean.code, kExitOk) << clean.err;
  fs::remove_all(dir);
}

TEST(Trace, MisroutedReplyShowsTheBytesOfTheReplyTheWrongCallerGot) {
  const auto f = finding_of("rpc.mux.racy");
  auto r = test::run_cmd({"replay", f.string(), "--trace", "--json"});
  ASSERT_EQ(r.code, kExitFinding) << r.err;
  const auto all = json_lines(r.out);
  const auto steps = events(all, "step");
  const auto fin = events(all, "finding");
  ASSERT_EQ(fin.size(), 1u);
  std::smatch m;
  const std::string msg = fin[0]["message"];
  ASSERT_TRUE(std::regex_search(msg, m, std::regex(R"(actor (\d+) called f\((\d+)\) = (\d+) and got (\d+), the reply to actor (\d+))")))
      << msg;
  const int caller = std::stoi(m[1]), owner = std::stoi(m[5]);
  const int64_t got = std::stoll(m[4]);
  // The finding was detected while the caller ran the recv that took the reply.
  const int at = fin[0]["detected_at"].get<int>() - 1;
  ASSERT_GE(at, 0);
  const json& st = steps[size_t(at)];
  EXPECT_EQ(st["actor"], caller);
  EXPECT_EQ(st["op"], "recv");
  ASSERT_TRUE(st.contains("bytes")) << st.dump();
  EXPECT_EQ(st["result"], 52);  // a whole frame: 4 bytes of length, then the Msg
  auto b = unhex(st["bytes"]);
  ASSERT_GE(b.size(), 24u);
  uint32_t op, from;
  int64_t arg0;
  std::memcpy(&op, b.data(), 4);
  std::memcpy(&from, b.data() + 4, 4);
  std::memcpy(&arg0, b.data() + 16, 8);
  EXPECT_EQ(op, 2u);              // a reply
  EXPECT_EQ(int(from), owner);    // meant for the other caller
  EXPECT_NE(int(from), caller);
  EXPECT_EQ(arg0, got);           // the value the wrong caller accepted
  std::printf("step %d: actor %d got %s (from=%u, f=%lld)\n", at, caller, st["bytes"].get<std::string>().c_str(),
              from, (long long)arg0);
  // The text trace shows the same bytes on that step's line.
  auto t = test::run_cmd({"replay", f.string(), "--trace"});
  EXPECT_NE(t.out.find("got 52 B: 02000000 0" + std::to_string(owner) + "000000"), std::string::npos) << t.out;
}

// ---- --stop-at with gdb -------------------------------------------------------

struct Proc {
  pid_t pid = -1;
  int in = -1, out = -1;
  std::string seen;

  explicit Proc(const std::vector<std::string>& args) {
    int pin[2], pout[2];
    if (pipe(pin) != 0 || pipe(pout) != 0) throw std::runtime_error("pipe");
    pid = fork();
    if (pid == 0) {
      dup2(pin[0], 0);
      dup2(pout[1], 1);
      close(pin[1]);
      close(pout[0]);
      std::vector<char*> argv;
      static std::string bin = test::ipcrace_bin();
      argv.push_back(bin.data());
      for (auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(bin.c_str(), argv.data());
      _exit(127);
    }
    close(pin[0]);
    close(pout[1]);
    in = pin[1];
    out = pout[0];
  }
  // Read stdout until `what` appears (or 60 s pass, or the output ends).
  bool wait_for(const std::string& what) {
    for (int i = 0; i < 600 && seen.find(what) == std::string::npos; ++i) {
      pollfd p{out, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      char buf[4096];
      ssize_t n = read(out, buf, sizeof buf);
      if (n <= 0) break;
      seen.append(buf, size_t(n));
    }
    return seen.find(what) != std::string::npos;
  }
  int finish() {
    close(in);
    wait_for("\x01never");
    int st = 0;
    waitpid(pid, &st, 0);
    close(out);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  }
};

bool ptrace_possible(std::string* why) {
  auto r = test::run_shell("command -v gdb");
  if (r.code != 0) {
    *why = "gdb is not installed (ci/setup installs it)";
    return false;
  }
  std::ifstream y("/proc/sys/kernel/yama/ptrace_scope");
  int scope = 0;
  if (y >> scope && scope >= 2 && geteuid() != 0) {
    *why = "ptrace_scope is " + std::to_string(scope) + " and we are not root";
    return false;
  }
  if (y && scope == 3) {
    *why = "ptrace_scope is 3: no ptrace at all";
    return false;
  }
  return true;
}

// Replays rpc.mux.racy, held before the step at which the wrong caller takes
// the reply; gdb's backtrace of that caller shows the target's functions.
void stop_at_and_attach(bool threads) {
  std::string why;
  if (!ptrace_possible(&why)) GTEST_SKIP() << why;
  const auto f = finding_of("rpc.mux.racy");
  auto plain = test::run_cmd({"replay", f.string(), "--trace", "--json"});
  ASSERT_EQ(plain.code, kExitFinding);
  const auto fin = events(json_lines(plain.out), "finding");
  const int bug = fin.at(0)["detected_at"].get<int>() - 1;  // the step of the bug
  ASSERT_GT(bug, 0);
  std::vector<std::string> args{"replay", f.string(), "--stop-at", std::to_string(bug)};
  if (threads) args.insert(args.end(), {"--actors", "threads"});
  Proc p(args);
  ASSERT_TRUE(p.wait_for("continue:")) << p.seen;
  std::printf("%s", p.seen.c_str());
  EXPECT_NE(p.seen.find("held before step " + std::to_string(bug)), std::string::npos) << p.seen;
  std::smatch m;
  std::string cmd;
  if (threads) {
    ASSERT_TRUE(std::regex_search(p.seen, m, std::regex(R"(backtrace: (gdb -batch -p \d+ -ex 'thread apply all bt'))")))
        << p.seen;
    cmd = m[1];
    EXPECT_TRUE(std::regex_search(p.seen, std::regex(R"(actor 1: thread \d+ \(LWP \d+\))"))) << p.seen;
  } else {
    // The caller that runs next is the one that gets the wrong reply.
    ASSERT_TRUE(std::regex_search(p.seen, m, std::regex(R"(runs next: recv)"))) << p.seen;
    std::regex actor_line(R"(actor (\d+): pid (\d+),[^\n]*\n\s+attach:\s+gdb -p \d+\n\s+backtrace: (gdb -batch -p \d+ -ex bt))");
    std::smatch next;
    ASSERT_TRUE(std::regex_search(p.seen, next, std::regex(R"(runs next: [^\n]*\n)")));
    const int next_actor = std::stoi(std::regex_search(p.seen, m, std::regex(R"(actor (\d+) runs next)")) ? m[1].str() : "-1");
    for (auto it = std::sregex_iterator(p.seen.begin(), p.seen.end(), actor_line); it != std::sregex_iterator(); ++it)
      if (std::stoi((*it)[1]) == next_actor) cmd = (*it)[3];
    ASSERT_FALSE(cmd.empty()) << p.seen;
  }
  auto bt = test::run_shell("timeout 120 " + cmd + " 2>&1");
  std::printf("$ %s\n%s\n", cmd.c_str(), bt.out.c_str());
  EXPECT_NE(bt.out.find("ipcrace::rpc::Mux::call"), std::string::npos) << bt.out;
  EXPECT_NE(bt.out.find("recv_frame"), std::string::npos) << bt.out;
  if (!threads) {
    usleep(3300 * 1000);  // longer than the 3 s watchdog: held actors are not hung
    ASSERT_EQ(write(p.in, "\n", 1), 1);
  } else {
    kill(p.pid, SIGCONT);
  }
  const int code = p.finish();
  EXPECT_EQ(code, kExitFinding) << p.seen;
  EXPECT_NE(p.seen.find("continuing from step " + std::to_string(bug)), std::string::npos) << p.seen;
  EXPECT_NE(p.seen.find("reproduced assertion: actor"), std::string::npos) << p.seen;
  EXPECT_NE(p.seen.find(fin.at(0)["message"].get<std::string>()), std::string::npos) << p.seen;
}

TEST(Trace, StopAtBeforeTheBugGdbBacktraceThenSameFindingProcesses) { stop_at_and_attach(false); }
TEST(Trace, StopAtBeforeTheBugGdbBacktraceThenSameFindingThreads) { stop_at_and_attach(true); }

TEST(Trace, StopAtTwiceAndOutOfRange) {
  const auto f = finding_of("shm.counter.racy");
  Proc p({"replay", f.string(), "--stop-at", "1", "--stop-at", "3"});
  ASSERT_TRUE(p.wait_for("held before step 1")) << p.seen;
  ASSERT_TRUE(p.wait_for("continue:")) << p.seen;
  ASSERT_EQ(write(p.in, "\n", 1), 1);
  ASSERT_TRUE(p.wait_for("held before step 3")) << p.seen;
  kill(p.pid, SIGCONT);  // the other way to go on
  EXPECT_EQ(p.finish(), kExitFinding) << p.seen;
  EXPECT_NE(p.seen.find("continuing from step 3"), std::string::npos) << p.seen;
  auto bad = test::run_cmd({"replay", f.string(), "--stop-at", "999"});
  EXPECT_EQ(bad.code, kExitUsage) << bad.out;
}

// ---- Chrome trace-event format ----------------------------------------------------

// Checks the documented fields of the trace-event format ("Trace Event
// Format", the JSON object form): every event has name, ph, pid, tid; every
// non-metadata event has ts; X has dur >= 0; i has s in {g,p,t}; s/f share
// cat, name and id and both are present; ts never goes back on a track.
std::string chrome_trace_problems(const json& j) {
  if (!j.is_object() || !j.contains("traceEvents") || !j["traceEvents"].is_array()) return "no traceEvents array";
  std::map<std::pair<int, int>, double> last_ts;
  std::map<std::string, std::pair<int, int>> flows;  // id -> (starts, ends)
  std::string bad;
  size_t k = 0;
  for (const auto& e : j["traceEvents"]) {
    const std::string at = "event " + std::to_string(k++) + " " + e.dump() + ": ";
    for (const char* f : {"name", "ph", "pid", "tid"})
      if (!e.contains(f)) bad += at + "no " + f + "\n";
    if (!e.contains("ph") || !e["ph"].is_string()) continue;
    const std::string ph = e["ph"];
    if (ph == "M") {
      if (!e.contains("args")) bad += at + "metadata without args\n";
      continue;
    }
    if (!e.contains("ts") || !e["ts"].is_number()) {
      bad += at + "no numeric ts\n";
      continue;
    }
    const auto track = std::make_pair(e.value("pid", -1), e.value("tid", -1));
    const double ts = e["ts"];
    if (last_ts.count(track) && ts < last_ts[track]) bad += at + "ts goes back on its track\n";
    last_ts[track] = ts;
    if (ph == "X") {
      if (!e.contains("dur") || !e["dur"].is_number() || e["dur"].get<double>() < 0) bad += at + "X without dur\n";
    } else if (ph == "i" || ph == "I") {
      if (e.contains("s") && e["s"] != "g" && e["s"] != "p" && e["s"] != "t") bad += at + "bad instant scope\n";
    } else if (ph == "s" || ph == "f" || ph == "t") {
      if (!e.contains("id") || !e.contains("cat")) {
        bad += at + "flow without id or cat\n";
        continue;
      }
      const std::string id = e["cat"].get<std::string>() + "/" + e["name"].get<std::string>() + "/" + e["id"].dump();
      (ph == "s" ? flows[id].first : flows[id].second) += ph != "t";
    } else if (ph != "B" && ph != "E" && ph != "C") {
      bad += at + "unexpected phase\n";
    }
  }
  for (const auto& [id, c] : flows)
    if (c.first != 1 || c.second != 1)
      bad += "flow " + id + ": " + std::to_string(c.first) + " starts, " + std::to_string(c.second) + " ends\n";
  return bad;
}

TEST(Trace, ChromeTraceOfEverySavedFindingHasTheDocumentedFields) {
  const auto dir = scratch("chrome");
  int files = 0, flows = 0;
  for (const auto& f : saved_findings()) {
    const auto out = dir / (f.stem().string() + ".json");
    auto r = test::run_cmd({"replay", f.string(), "--trace-out", out.string()});
    ASSERT_EQ(r.code, kExitFinding) << f << r.out << r.err;
    std::ifstream in(out);
    json j = json::parse(in);
    EXPECT_EQ(chrome_trace_problems(j), "") << f;
    int slices = 0, findings = 0;
    for (const auto& e : j["traceEvents"]) {
      slices += e["ph"] == "X";
      findings += e["ph"] == "i" && e["cat"] == "finding";
      flows += e["ph"] == "s";
    }
    auto s = load_schedule(f.string(), nullptr);
    ASSERT_TRUE(s);
    EXPECT_EQ(slices, int(s->steps.size())) << f;
    EXPECT_EQ(findings, 1) << f;
    ++files;
  }
  std::printf("%d saved findings, %d flows, every trace valid\n", files, flows);
  EXPECT_GT(files, 10);
  EXPECT_GT(flows, 0);
  // The checker itself rejects what it must.
  EXPECT_NE(chrome_trace_problems(json::parse(R"({"traceEvents":[{"name":"a","ph":"s","id":1,"cat":"c","pid":1,"tid":0,"ts":1}]})")), "");
  EXPECT_NE(chrome_trace_problems(json::parse(R"({"traceEvents":[{"name":"a","ph":"X","pid":1,"tid":0,"ts":5,"dur":1},{"name":"b","ph":"X","pid":1,"tid":0,"ts":2,"dur":1}]})")), "");
  EXPECT_NE(chrome_trace_problems(json::parse(R"({"traceEvents":[{"name":"a","ph":"X","pid":1,"ts":5}]})")), "");
  fs::remove_all(dir);
}

// ---- one preemption count ----------------------------------------------------------

int count_in(const std::string& text, const std::regex& re) {
  std::smatch m;
  return std::regex_search(text, m, re) ? std::stoi(m[1]) : -1;
}

TEST(Trace, PreemptionCountsAgreeOnEverySavedFinding) {
  const auto dir = scratch("pre");
  int files = 0;
  for (const auto& f : saved_findings()) {
    std::ifstream in(f);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const int file_comment = count_in(text, std::regex(R"(steps, (\d+) preemptions\))"));
    auto s = load_schedule(f.string(), nullptr);
    ASSERT_TRUE(s);
    const int parsed = s->preemptions();
    auto r = test::run_cmd({"replay", f.string(), "--trace", "--json", "--report", (dir / "r").string(), "--trace-out",
                            (dir / "t.json").string()});
    ASSERT_EQ(r.code, kExitFinding) << f << r.err;
    const auto all = json_lines(r.out);
    const int trace_run = events(all, "run").at(0)["preemptions"];
    int trace_marked = 0;
    for (const auto& e : events(all, "step")) trace_marked += e["preemption"].get<bool>();
    auto summary = test::run_cmd({"replay", f.string()});  // "<target> (N steps, P preemptions): ..."
    const int replay_summary = count_in(summary.out, std::regex(R"(steps, (\d+) preemptions\))"));
    std::ifstream page(dir / "r" / (f.stem().string() + ".html"));
    const std::string html((std::istreambuf_iterator<char>(page)), std::istreambuf_iterator<char>());
    const int report = count_in(html, std::regex(R"(<td>\d+, (\d+) preemptions[,<])"));
    int report_marks = 0;
    for (size_t at = html.find("class=\"preemption\""); at != std::string::npos; at = html.find("class=\"preemption\"", at + 1))
      ++report_marks;
    std::ifstream tj(dir / "t.json");
    const json chrome = json::parse(tj);
    int chrome_instants = 0;
    for (const auto& e : chrome["traceEvents"]) chrome_instants += e["name"] == "preemption";
    auto show = test::run_cmd({"show", f.string()});
    const int shown = count_in(show.out, std::regex(R"(steps, (\d+) preemptions)"));
    auto min = test::run_cmd({"minimize", f.string(), "--max-runs", "1", "--json", "-o", (dir / "m.schedule").string()});
    const int minimiser = min.code == kExitOk ? json::parse(min.out)["before"]["preemptions"].get<int>() : -2;
    const std::vector<int> all_counts{file_comment, parsed,     trace_run, trace_marked, replay_summary,
                                      report,       report_marks, chrome_instants, shown,  minimiser};
    for (int c : all_counts) EXPECT_EQ(c, file_comment) << f << ": file, parsed, trace, marked, replay, report, "
                                                            "report marks, chrome, show, minimiser = "
                                                         << ::testing::PrintToString(all_counts);
    ++files;
  }
  EXPECT_GT(files, 10);
  fs::remove_all(dir);
}

// ---- show and replay --report -------------------------------------------------------

TEST(Trace, ShowIsOneRowPerStepOneColumnPerActor) {
  const auto f = finding_of("rpc.mux.racy");
  auto r = test::run_cmd({"show", f.string()});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  auto s = load_schedule(f.string(), nullptr);
  ASSERT_TRUE(s);
  int rows = 0, marks = 0, blocks = 0;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) {
    if (line.size() > 6 && std::isdigit((unsigned char)line[4]) && line[5] == ' ') {
      ++rows;
      marks += line[6] == '>';
      blocks += line.find("[blocks]") != std::string::npos;
    }
  }
  EXPECT_EQ(rows, int(s->steps.size())) << r.out;
  EXPECT_EQ(marks, s->preemptions()) << r.out;
  int would_block = 0;
  for (const auto& st : s->steps) would_block += st.end == StepEnd::would_block;
  EXPECT_EQ(blocks, would_block) << r.out;
  EXPECT_GT(blocks, 0);
  EXPECT_NE(r.out.find("actor 0"), std::string::npos);
  EXPECT_NE(r.out.find("actor 2"), std::string::npos);
}

TEST(Trace, ReplayReportShowsResourceNamesWhole) {
  const auto dir = scratch("report");
  const auto f = finding_of("rpc.mux.racy");
  auto r = test::run_cmd({"replay", f.string(), "--report", dir.string()});
  ASSERT_EQ(r.code, kExitFinding) << r.err;
  std::ifstream page(dir / (f.stem().string() + ".html"));
  const std::string html((std::istreambuf_iterator<char>(page)), std::istreambuf_iterator<char>());
  EXPECT_NE(html.find("<svg class=\"timeline\""), std::string::npos);
  EXPECT_NE(html.find(">rpc.mux.requests</text>"), std::string::npos) << "the lane text is the whole name";
  EXPECT_EQ(html.find("~"), std::string::npos) << "no truncated names";
  EXPECT_NE(html.find("<title>step 0: actor"), std::string::npos) << "the full name on hover";
  EXPECT_TRUE(fs::exists(dir / "index.html"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace ipcrace
