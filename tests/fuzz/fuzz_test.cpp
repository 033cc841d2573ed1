// Fuzz inputs (harness/src/fuzz_input.cpp), crash-file replay through the
// ipcrace command, the seed corpus run by the standalone entry, and the saved
// findings in corpus/findings.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "ipcrace/exit_codes.hpp"
#include "ipcrace/fuzz_input.hpp"
#include "support/support.hpp"

namespace ipcrace {
namespace {

namespace fs = std::filesystem;

fs::path scratch(const std::string& name) {
  auto p = fs::temp_directory_path() / ("ipcrace-test-fuzz-" + std::to_string(getpid()) + "-" + name);
  fs::remove_all(p);
  fs::create_directories(p);
  return p;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream b;
  b << in.rdbuf();
  return b.str();
}

TEST(FuzzInput, EmptyInputIsTheDefaultsWithoutDecisions) {
  for (const auto& t : all_targets()) {
    FuzzInput in = decode_fuzz_input(t, nullptr, 0);
    EXPECT_EQ(in.params, t.defaults) << t.name;
    EXPECT_EQ(in.run_seed, 0u);
    EXPECT_TRUE(in.decisions.empty());
  }
}

TEST(FuzzInput, EveryByteStringDecodesToValidParameters) {
  std::mt19937_64 rng(11);
  int varied = 0;
  for (int i = 0; i < 3000; ++i) {
    const auto& targets = all_targets();
    const TargetInfo& t = targets[rng() % targets.size()];
    std::vector<uint8_t> bytes(rng() % 80);
    for (auto& b : bytes) b = uint8_t(rng());
    FuzzInput in = decode_fuzz_input(t, bytes.data(), bytes.size());
    for (const auto& [k, def] : t.defaults.all()) {
      auto [lo, hi] = fuzz_param_range(k, def);
      ASSERT_TRUE(in.params.has(k)) << t.name << " " << k;
      EXPECT_GE(in.params.get(k), lo) << t.name << " " << k;
      EXPECT_LE(in.params.get(k), hi) << t.name << " " << k;
    }
    EXPECT_EQ(in.params.get("actors"), t.defaults.get("actors")) << "role counts stay fixed";
    EXPECT_NO_THROW((void)resolve_params(t, in.params)) << t.name;
    varied += !(in.params == t.defaults);
    EXPECT_LE(in.decisions.size(), bytes.size());
  }
  EXPECT_GT(varied, 100) << "the decoder never moves parameters off their defaults";
}

TEST(FuzzInput, Sha1KnownAnswers) {
  auto h = [](const std::string& s) { return sha1_hex(reinterpret_cast<const uint8_t*>(s.data()), s.size()); };
  EXPECT_EQ(h(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(h("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(h("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  EXPECT_EQ(h(std::string(1000, 'a')), "291e9a6c66994949b57ba5e650361e98fc36b1ba");
}

// A fuzz input that makes shm.counter.racy find its lost update.
std::vector<uint8_t> finding_input(const TargetInfo& t, RunResult* out) {
  std::mt19937_64 rng(3);
  RunConfig cfg;
  cfg.cpu = test::test_cpu();
  for (int i = 0; i < 500; ++i) {
    std::vector<uint8_t> bytes(40);
    for (auto& b : bytes) b = uint8_t(rng());
    RunResult r;
    (void)fuzz_input_schedule(t, bytes.data(), bytes.size(), cfg, &r);
    if (r.found()) {
      *out = r;
      return bytes;
    }
  }
  ADD_FAILURE() << "no finding input for " << t.name << " in 500 random inputs";
  return {};
}

TEST(FuzzReplay, CrashFileReplays100Of100ToTheSameFinding) {
  const TargetInfo& t = test::target("shm.counter.racy");
  RunResult first;
  auto bytes = finding_input(t, &first);
  ASSERT_FALSE(bytes.empty());
  auto dir = scratch("crash");
  auto file = dir / ("crash-" + sha1_hex(bytes.data(), bytes.size()));
  std::ofstream(file, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  const std::string want = std::string("reproduced ") + finding_kind_name(first.kind) + ": " + first.message;
  int same = 0;
  for (int i = 0; i < 100; ++i) {
    auto r = test::run_cmd({"replay", file.string(), "--target", t.name});
    EXPECT_EQ(r.code, kExitFinding) << r.out << r.err;
    same += r.code == kExitFinding && r.out.find(want) != std::string::npos;
  }
  EXPECT_EQ(same, 100) << "expected every replay to print: " << want;
  // The converted schedule was saved next to the crash file and replays too.
  int schedules = 0;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".schedule") {
      ++schedules;
      auto r = test::run_cmd({"replay", e.path().string()});
      EXPECT_EQ(r.code, kExitFinding) << r.out << r.err;
      EXPECT_NE(r.out.find(want), std::string::npos) << r.out;
    }
  EXPECT_EQ(schedules, 1);
  fs::remove_all(dir);
}

TEST(FuzzReplay, CrashFileErrors) {
  auto dir = scratch("errors");
  auto file = dir / "crash-0";
  std::ofstream(file, std::ios::binary) << std::string("\x01\x02\x00\x03", 4);
  auto r = test::run_cmd({"replay", file.string()});
  EXPECT_EQ(r.code, kExitBadInput) << "a crash file without --target (and not in a <target>/ folder)";
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  r = test::run_cmd({"replay", file.string(), "--target", "no.such.target"});
  EXPECT_EQ(r.code, kExitUsage) << r.err;
  // A crash file inside a folder named after its target needs no --target.
  fs::create_directories(dir / "shm.counter.mutex");
  fs::rename(file, dir / "shm.counter.mutex" / "crash-0");
  r = test::run_cmd({"replay", (dir / "shm.counter.mutex" / "crash-0").string()});
  EXPECT_EQ(r.code, kExitOk) << r.out << r.err;
  EXPECT_NE(r.out.find("shm.counter.mutex"), std::string::npos) << r.out;
  fs::remove_all(dir);
}

std::string popen_all(const std::string& cmd, int* status) {
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return {};
  std::string out;
  char buf[4096];
  size_t got;
  while ((got = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, got);
  *status = pclose(p);
  return out;
}

TEST(FuzzCorpus, StandaloneEntryRunsTheSeedCorpus) {
  const std::string corpus = std::string(IPCRACE_SOURCE_DIR) + "/corpus";
  int status = -1;
  std::string out = popen_all(std::string(IPCRACE_FUZZ_REGRESS) + " " + corpus, &status);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << out;
  EXPECT_EQ(out.find("UNEXPECTED FINDING"), std::string::npos) << out;
  EXPECT_EQ(out.find("HARNESS ERROR"), std::string::npos) << out;
  // Every target the entry links has a seed folder, and every seed ran.
  std::string names = popen_all(std::string(IPCRACE_FUZZ_REGRESS) + " --list", &status);
  std::istringstream in(names);
  size_t files = 0, targets = 0;
  for (std::string name; std::getline(in, name);) {
    ++targets;
    ASSERT_TRUE(fs::is_directory(corpus + "/" + name)) << "no seed corpus: corpus/" << name;
    for (const auto& e : fs::directory_iterator(corpus + "/" + name)) files += e.is_regular_file();
  }
  EXPECT_GT(targets, 10u);
  for (const char* parser : {"schedule_parser", "crash_decoder"})
    for (const auto& e : fs::directory_iterator(corpus + "/" + parser)) files += e.is_regular_file();
  EXPECT_NE(out.find("ipcrace_fuzz_regress: " + std::to_string(files) + " files"), std::string::npos)
      << "expected " << files << " files run:\n" << out;
}

TEST(FuzzCorpus, SavedFindingsReplayToTheirRecordedFinding) {
  const fs::path root = fs::path(IPCRACE_SOURCE_DIR) / "corpus" / "findings";
  int files = 0;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (!e.is_regular_file()) continue;
    ++files;
    std::string err;
    auto s = load_schedule(e.path().string(), &err);
    ASSERT_TRUE(s) << err;
    ASSERT_NE(s->finding, FindingKind::none) << e.path();
    EXPECT_EQ(e.path().parent_path().filename().string(), s->target) << "corpus/findings/<target>/";
    auto r = test::run_cmd({"replay", e.path().string()});
    EXPECT_EQ(r.code, kExitFinding) << e.path() << "\n" << r.out << r.err;
    EXPECT_NE(r.out.find(std::string("reproduced ") + finding_kind_name(s->finding)), std::string::npos)
        << e.path() << "\n" << r.out;
  }
  EXPECT_GT(files, 0) << "corpus/findings holds no schedule";
}

}  // namespace
}  // namespace ipcrace
