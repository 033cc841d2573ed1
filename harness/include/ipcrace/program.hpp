// Program targets: unmodified programs run by `ipcrace exec` under
// libipcrace_rt (docs/architecture.md, "exec"). ipcrace_add_program() in
// CMake lists them in a manifest that every ipcrace binary reads, so they are
// targets of list, run, gate, the properties and the fuzz build.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ipcrace/target.hpp"

namespace ipcrace {

// How to run the program: `ipcrace exec` flags or ipcrace_add_program().
struct ExecSpec {
  std::vector<std::string> argv;  // argv[0]: the program (absolute path)
  int expect_exit = 0;            // the program's exit status when nothing went wrong
  std::string fail_on;            // ECMAScript regex over its output: a finding
  bool preload = false;           // uninstrumented binary: LD_PRELOAD the runtime
  // Actors whose death is part of the workload (bit i: actor i, in the order
  // the program forks them; actor 0 is the program itself): killed by an
  // injected `kill`, a signal they raised or _exit, they are no crash.
  uint64_t may_die = 0;
};

// "1,2" or "children" (every actor but 0) as a may-die mask; nullopt and
// `error` for anything else.
std::optional<uint64_t> parse_may_die(const std::string& text, std::string* error);

// A program target: family "program", one actor to start with (the program's
// own fork and pthread_create add the others).
TargetInfo program_target(const std::string& name, const ExecSpec& spec, Variant variant,
                          const std::string& summary);

// Manifests: one program per line, fields separated by tabs:
//   name  finding|clean  expect_exit  fail_on  flags  source  argv0  args...
// flags: 0 or 1 (preload), then optionally "+may-die=<list>" (parse_may_die).
// Read from the build tree's manifest (ipcrace_add_program) and from every
// file in IPCRACE_PROGRAMS (':'-separated). Returns how many were registered.
int load_program_manifest(const std::string& path);
void load_programs_once();

// A hash of the program's binary (hex), recorded in schedules.
std::string program_binary_hash(const std::string& path);
struct Schedule;
// The target a schedule names; a program target that this process does not
// know yet (one `ipcrace exec` made) is registered from the schedule's
// command line. Throws std::runtime_error with a clear message when the
// program's binary is not the one the schedule was recorded with.
const TargetInfo* schedule_target(const Schedule& s);

}  // namespace ipcrace
