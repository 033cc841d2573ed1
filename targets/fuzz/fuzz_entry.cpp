// The libFuzzer entry of every registered target, and its standalone
// regression runner (built without libFuzzer, IPCRACE_FUZZ_STANDALONE).
//
// One binary links every target; it picks its target from its own name,
// OSS-Fuzz style: shm.counter.racy_fuzzer fuzzes shm.counter.racy (the build
// makes one link per target, listed by `ipcrace_fuzzer --list`). Two more
// names fuzz the input parsers: schedule_parser_fuzzer (parse_schedule, with a
// format/parse round trip) and crash_decoder_fuzzer (decode_fuzz_input).
//
// An input decodes (ipcrace/fuzz_input.hpp) into workload parameters, a run
// seed and scheduling decisions (the fuzz-bytes strategy). The libFuzzer
// process is the controller; actors are forked per input (or threads, with
// IPCRACE_FUZZ_ACTORS=threads or --ipcrace-actors=threads). A finding is a
// crash to libFuzzer: the run's schedule is saved next to libFuzzer's crash
// artifact (-artifact_prefix, or the current directory) before abort().
//
// Interleaving coverage: after each run the controller walks the trace and,
// for every op that follows another actor's op on the same resource, bumps a
// counter indexed by hash(resource, previous op, this op) in libFuzzer's
// extra-counters section; libFuzzer buckets the counts into features.
// IPCRACE_FUZZ_COVERAGE=code turns it off (plain code coverage, for the
// benchmark).
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "ipcrace/engine.hpp"
#include "ipcrace/fuzz_input.hpp"
#include "ipcrace/schedule.hpp"
#include "ipcrace/strategy.hpp"
#include "ipcrace/target.hpp"

namespace {

using namespace ipcrace;

constexpr size_t kCounters = 1 << 14;
__attribute__((used, section("__libfuzzer_extra_counters"))) uint8_t g_interleavings[kCounters];

enum class Mode { target, schedule_parser, crash_decoder };

struct State {
  Mode mode = Mode::target;
  const TargetInfo* target = nullptr;
  RunConfig cfg;
  bool interleaving = true;
  std::string artifact_dir = ".";
  std::string artifact_prefix;
  uint64_t executions = 0;
  std::map<std::string, std::unique_ptr<Engine>> engines;  // by params.str()
};
State g;

uint64_t mix(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return h;
}

uint64_t op_hash(const Op& op) {
  return fnv1a64(op.label ? op.label : "", 0xcbf29ce484222325ULL ^ (uint64_t(op.kind) << 8));
}

void record_interleavings(const RunResult& r) {
  struct Last {
    int actor = -1;
    uint64_t op = 0;
  };
  std::vector<Last> last;
  for (const Step& s : r.trace) {
    if (s.op.resource >= last.size()) last.resize(size_t(s.op.resource) + 1);
    Last& l = last[s.op.resource];
    const uint64_t h = op_hash(s.op);
    if (l.actor >= 0 && l.actor != s.actor) {
      const uint64_t idx = mix(l.op * 31 + h * 7 + s.op.resource) % kCounters;
      if (g_interleavings[idx] < 255) ++g_interleavings[idx];
    }
    l.actor = s.actor;
    l.op = h;
  }
}

std::string name_of_binary(const char* argv0) {
  std::string base = std::filesystem::path(argv0).filename().string();
  const std::string suffix = "_fuzzer";
  if (base.size() > suffix.size() && base.compare(base.size() - suffix.size(), suffix.size(), suffix) == 0)
    return base.substr(0, base.size() - suffix.size());
  return "";
}

[[noreturn]] void die_usage(const std::string& what) {
  std::fprintf(stderr, "ipcrace-fuzz: %s\n", what.c_str());
  std::exit(2);
}

bool select(const std::string& name) {
  if (name == "schedule_parser") return g.mode = Mode::schedule_parser, true;
  if (name == "crash_decoder") return g.mode = Mode::crash_decoder, true;
  g.mode = Mode::target;
  g.target = find_target(name);
  return g.target != nullptr;
}

void configure(int argc, char** argv) {
  std::string name = name_of_binary(argv[0]);
  std::string actors = std::getenv("IPCRACE_FUZZ_ACTORS") ? std::getenv("IPCRACE_FUZZ_ACTORS") : "processes";
  if (const char* t = std::getenv("IPCRACE_FUZZ_TARGET")) name = t;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--list") {
      for (const auto& t : all_targets()) std::printf("%s\n", t.name.c_str());
      std::exit(0);
    }
    if (a == "--list-expect") {
      for (const auto& t : all_targets()) std::printf("%s %s\n", t.name.c_str(), expect_name(t.expect()));
      std::exit(0);
    }
    if (a.rfind("--ipcrace-target=", 0) == 0) name = a.substr(17);
    if (a.rfind("--ipcrace-actors=", 0) == 0) actors = a.substr(17);
    if (a.rfind("-artifact_prefix=", 0) == 0) g.artifact_prefix = a.substr(17);
    if (a.rfind("-exact_artifact_path=", 0) == 0) g.artifact_prefix = a.substr(21);
  }
  if (name.empty())
    die_usage("no target: run as <target>_fuzzer, or give --ipcrace-target=NAME (--list lists them)");
  if (!select(name)) die_usage("unknown target '" + name + "' (--list lists them)");
  auto m = actor_mode_from_name(actors);
  if (!m || *m == ActorMode::free) die_usage("IPCRACE_FUZZ_ACTORS must be processes or threads, got '" + actors + "'");
  g.cfg.mode = *m;
  g.cfg.watchdog_ms = 2000;
  const char* cpu = std::getenv("IPCRACE_FUZZ_CPU");
  g.cfg.cpu = cpu ? std::atoi(cpu) : sched_getcpu();
  const char* cov = std::getenv("IPCRACE_FUZZ_COVERAGE");
  g.interleaving = !(cov && std::string(cov) == "code");
  auto slash = g.artifact_prefix.rfind('/');
  g.artifact_dir = slash == std::string::npos ? "." : g.artifact_prefix.substr(0, slash + 1);
  if (g.artifact_dir.empty()) g.artifact_dir = ".";
}

Engine& engine_for(const Params& p) {
  auto key = p.str();
  auto it = g.engines.find(key);
  if (it != g.engines.end()) return *it->second;
  if (g.engines.size() >= 32) g.engines.clear();
  auto e = std::make_unique<Engine>(*g.target, p, g.cfg);
  return *g.engines.emplace(key, std::move(e)).first->second;
}

struct Outcome {
  FuzzInput input;
  RunResult result;
};

// One run of the selected target on `data`. Throws only on harness errors.
Outcome run_target(const uint8_t* data, size_t size) {
  Outcome o;
  o.input = decode_fuzz_input(*g.target, data, size);
  try {
    o.result = run_fuzz_input(engine_for(o.input.params), o.input);
  } catch (const std::invalid_argument&) {
    o.input.params = g.target->defaults;  // the target refused the decoded parameters
    o.result = run_fuzz_input(engine_for(o.input.params), o.input);
  }
  ++g.executions;
  if (g.interleaving) record_interleavings(o.result);
  return o;
}

void check_schedule_parser(const uint8_t* data, size_t size) {
  std::string err;
  auto s = parse_schedule(std::string(reinterpret_cast<const char*>(data), size), &err);
  if (!s) {
    if (err.empty()) {
      std::fprintf(stderr, "ipcrace-fuzz: parse_schedule failed without an error message\n");
      std::abort();
    }
    return;
  }
  const std::string t1 = format_schedule(*s);
  auto s2 = parse_schedule(t1, &err);
  if (!s2) {
    std::fprintf(stderr, "ipcrace-fuzz: a formatted schedule does not parse: %s\n---\n%s", err.c_str(), t1.c_str());
    std::abort();
  }
  const std::string t2 = format_schedule(*s2);
  if (t1 != t2) {
    std::fprintf(stderr, "ipcrace-fuzz: format/parse round trip differs\n--- first\n%s--- second\n%s", t1.c_str(),
                 t2.c_str());
    std::abort();
  }
}

void check_crash_decoder(const uint8_t* data, size_t size) {
  const auto& targets = all_targets();
  if (targets.empty() || size == 0) return;
  const TargetInfo& t = targets[data[0] % targets.size()];
  FuzzInput in = decode_fuzz_input(t, data + 1, size - 1);
  for (const auto& [k, v] : t.defaults.all()) {
    auto [lo, hi] = fuzz_param_range(k, v);
    int64_t got = in.params.get(k, lo - 1);
    if (got < lo || got > hi) {
      std::fprintf(stderr, "ipcrace-fuzz: %s: parameter %s decoded to %lld, outside [%lld, %lld]\n", t.name.c_str(),
                   k.c_str(), (long long)got, (long long)lo, (long long)hi);
      std::abort();
    }
  }
  (void)resolve_params(t, in.params);  // throws (and so crashes) if the decoder made an invalid set
  StrategyOptions o;
  o.name = kFuzzStrategyName;
  o.bytes = in.decisions;
  auto st = make_strategy(o);
  st->new_run(0);
  int enabled[kMaxActors];
  Op pending[kMaxActors];
  for (int step = 0; step < 256; ++step) {
    int ne = 1 + step % kMaxActors;
    for (int i = 0; i < ne; ++i) enabled[i] = (i * 3 + step) % kMaxActors;
    std::sort(enabled, enabled + ne);
    ne = int(std::unique(enabled, enabled + ne) - enabled);
    SchedView v{step, enabled[0], std::span<const int>(enabled, size_t(ne)), std::span<const Op>(pending, kMaxActors)};
    int a = st->next_actor(v);
    if (std::find(enabled, enabled + ne, a) == enabled + ne) {
      std::fprintf(stderr, "ipcrace-fuzz: fuzz-bytes picked actor %d, not enabled\n", a);
      std::abort();
    }
  }
}

[[maybe_unused]] void report_finding(const Outcome& o, const uint8_t* data, size_t size) {
  const RunResult& r = o.result;
  Schedule s = schedule_from_run(g.target->name, o.input.params, g.cfg.mode, kFuzzStrategyName, 0, 0,
                                 o.input.run_seed, r);
  std::string path;
  try {
    path = save_schedule(s, g.artifact_dir);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ipcrace-fuzz: could not save the schedule: %s\n", e.what());
  }
  std::fprintf(stderr,
               "ipcrace-fuzz: finding at execution %llu: %s: %s\n"
               "ipcrace-fuzz: target %s, %zu steps, %d preemptions, params %s, run seed %llu\n",
               static_cast<unsigned long long>(g.executions), finding_kind_name(r.kind), r.message.c_str(),
               g.target->name.c_str(), r.trace.size(), r.preemptions, o.input.params.str().c_str(),
               static_cast<unsigned long long>(o.input.run_seed));
  if (!r.actor_stderr.empty()) std::fprintf(stderr, "%s", r.actor_stderr.c_str());
  if (!path.empty()) std::fprintf(stderr, "ipcrace-fuzz: schedule %s\nipcrace-fuzz: replay: ipcrace replay %s\n",
                                  path.c_str(), path.c_str());
  std::fprintf(stderr, "ipcrace-fuzz: crash file replay: ipcrace replay %scrash-%s --target %s\n",
               g.artifact_prefix.c_str(), sha1_hex(data, size).c_str(), g.target->name.c_str());
}

}  // namespace

#ifndef IPCRACE_FUZZ_STANDALONE

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  configure(*argc, *argv);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  switch (g.mode) {
    case Mode::schedule_parser: check_schedule_parser(data, size); return 0;
    case Mode::crash_decoder: check_crash_decoder(data, size); return 0;
    case Mode::target: break;
  }
  Outcome o;
  try {
    o = run_target(data, size);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ipcrace-fuzz: harness error (not a finding): %s\n", e.what());
    std::abort();
  }
  if (o.result.found()) {
    report_finding(o, data, size);
    std::fflush(stderr);
    g.engines.clear();  // their socket folders and control blocks: abort() runs no destructor
    std::abort();
  }
  return 0;
}

#else  // standalone regression runner

// ipcrace_fuzz_regress [--target T] PATH...
// Runs every file of each PATH (a file or a directory) through the target's
// entry, once, without libFuzzer. Without --target, a directory named after a
// target (corpus/<target>/) or after a parser fuzzer selects it; a directory
// holding such directories (corpus/) is walked one level down. Exits 1 if a
// synchronised target finds anything, a parser check fails (abort) or the
// harness fails; racy targets' findings are listed, not failures.
namespace {

int g_failures = 0, g_files = 0, g_findings = 0;

std::string read_all(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream b;
  b << in.rdbuf();
  return b.str();
}

void run_file(const std::filesystem::path& p) {
  std::string bytes = read_all(p);
  auto* d = reinterpret_cast<const uint8_t*>(bytes.data());
  ++g_files;
  if (g.mode == Mode::schedule_parser) return check_schedule_parser(d, bytes.size());
  if (g.mode == Mode::crash_decoder) return check_crash_decoder(d, bytes.size());
  try {
    Outcome o = run_target(d, bytes.size());
    if (!o.result.found()) return;
    ++g_findings;
    bool racy = g.target->expect() == Expect::finding;
    std::printf("%s: %s %s: %s%s\n", p.string().c_str(), racy ? "finding" : "UNEXPECTED FINDING",
                finding_kind_name(o.result.kind), o.result.message.c_str(),
                racy ? " (expected: racy target)" : "");
    if (!racy) ++g_failures;
  } catch (const std::exception& e) {
    std::printf("%s: HARNESS ERROR: %s\n", p.string().c_str(), e.what());
    ++g_failures;
  }
}

void run_dir(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.is_regular_file()) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) run_file(f);
}

}  // namespace

int main(int argc, char** argv) {
  std::string target;
  std::vector<std::string> paths;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--target" && i + 1 < argc) target = argv[++i];
    else if (a == "--list") {
      for (const auto& t : all_targets()) std::printf("%s\n", t.name.c_str());
      return 0;
    }
    else paths.push_back(a);
  }
  if (paths.empty()) die_usage("usage: ipcrace_fuzz_regress [--target T] PATH...");
  char* fake[] = {argv[0], nullptr};
  for (const auto& p : paths) {
    std::filesystem::path path(p);
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) die_usage("no such file or directory: " + p);
    auto one = [&](const std::filesystem::path& dir, const std::string& name) {
      if (!select(name)) die_usage("unknown target '" + name + "'");
      g.engines.clear();
      configure(1, fake);  // mode, CPU, coverage from the environment
      (void)select(name);
      if (std::filesystem::is_directory(dir)) run_dir(dir);
      else run_file(dir);
    };
    if (!target.empty()) {
      setenv("IPCRACE_FUZZ_TARGET", target.c_str(), 1);
      one(path, target);
    } else if (std::filesystem::is_directory(path) && select(path.filename().string())) {
      setenv("IPCRACE_FUZZ_TARGET", path.filename().c_str(), 1);
      one(path, path.filename().string());
    } else if (std::filesystem::is_directory(path)) {
      std::vector<std::filesystem::path> subs;
      for (const auto& e : std::filesystem::directory_iterator(path))
        if (e.is_directory() && select(e.path().filename().string())) subs.push_back(e.path());
      std::sort(subs.begin(), subs.end());
      for (const auto& s : subs) {
        setenv("IPCRACE_FUZZ_TARGET", s.filename().c_str(), 1);
        one(s, s.filename().string());
      }
    } else {
      die_usage(p + ": give --target for a single file");
    }
  }
  std::printf("ipcrace_fuzz_regress: %d files, %d findings (racy targets), %d failures\n", g_files, g_findings,
              g_failures);
  return g_failures ? 1 : 0;
}

#endif
