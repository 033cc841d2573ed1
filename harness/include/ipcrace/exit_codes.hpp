// Exit codes of the ipcrace command, in named ranges that avoid those taken
// by ThreadSanitizer (66), libFuzzer (70, 77) and CLI11 (100-127).
#pragma once

namespace ipcrace {

enum ExitCode : int {
  kExitOk = 0,             // no finding; every verdict as expected; replay reproduced a clean run
  kExitFinding = 10,       // a run found a bug (run, explore, replay of a finding)
  kExitGateMismatch = 11,  // gate: some target's verdict differs from its expected one
  kExitUndecided = 12,     // check-history: could not decide within the timeout
  kExitIncompleteMerge = 13,  // merge: a shard is missing or its run failed (named on stderr)
  kExitUsage = 20,         // bad flag or value, unknown target, strategy or parameter
  kExitBadInput = 21,      // unreadable or malformed input file (schedule, crash file, history)
  kExitDivergence = 30,    // replay: an actor reached another op, or the outcome differs
  kExitInternal = 40,      // ipcrace itself failed (system call error, bug)
  kExitResource = 41,      // the machine ran out: /dev/shm full, file size or descriptor limit, memory
  // SIGINT, SIGTERM, SIGHUP: ipcrace (and every `--jobs` worker) cleans up,
  // then dies of that same signal, so the shell sees 128 + the signal number.
};

}  // namespace ipcrace
