// Fuzz inputs: how a libFuzzer input (a byte string) becomes one run of a
// target. Shared by the <target>_fuzzer entry (targets/fuzz/) and by
// `ipcrace replay crash-<sha1> --target T`, so a crash file replays exactly
// the run the fuzzer saw.
//
// Layout, read with FuzzedDataProvider: integral values come from the END of
// the input, the decision bytes are what remains at the front.
//   - one value per workload parameter (name order): an offset around the
//     target's default (0 = the default, 1 = +1, 2 = -1, 3 = +2, ...),
//     clamped to a sane range (fuzz_param_range); role counts (actors,
//     producers, consumers, workers, clients, servers) keep their default,
//     since the oracles count on the roles they were written for;
//   - a 16-bit run seed (the workload's own randomness);
//   - the rest: scheduling decisions for the fuzz-bytes strategy, each byte an
//     index into the enabled set.
// An empty input is the target at its defaults, run seed 0, no preemption.
// Every byte string decodes: corrupt input never throws.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "ipcrace/engine.hpp"
#include "ipcrace/schedule.hpp"
#include "ipcrace/target.hpp"

namespace ipcrace {

struct FuzzInput {
  Params params;                 // every parameter of the target, resolved
  uint64_t run_seed = 0;
  std::vector<uint8_t> decisions;
};

// The range a parameter may take under fuzzing: [d - d/2, d + max(1, d/2)]
// around its default d; a single value for role counts.
std::pair<int64_t, int64_t> fuzz_param_range(const std::string& name, int64_t def);

FuzzInput decode_fuzz_input(const TargetInfo& target, const uint8_t* data, size_t size);

// Strategy name recorded in schedules made from fuzz inputs.
inline constexpr const char* kFuzzStrategyName = "fuzz-bytes";

// Runs a decoded input on `engine` (whose params must be input.params).
RunResult run_fuzz_input(Engine& engine, const FuzzInput& input);

// Decode, build an engine, run once, and turn the run into a schedule (the
// explicit decisions, replayable with `ipcrace replay`). If the decoded
// parameters are refused by the target, its defaults are used (as the fuzzer
// does). `result` receives the run's result when non-null.
Schedule fuzz_input_schedule(const TargetInfo& target, const uint8_t* data, size_t size, const RunConfig& cfg,
                             RunResult* result = nullptr);

// libFuzzer's artifact name: lowercase hex SHA-1 of the bytes.
std::string sha1_hex(const uint8_t* data, size_t size);

}  // namespace ipcrace
