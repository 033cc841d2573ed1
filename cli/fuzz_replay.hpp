// Replaying libFuzzer crash files: `ipcrace replay crash-<sha1> --target T`.
#pragma once
#include <optional>
#include <string>

#include "ipcrace/schedule.hpp"

namespace ipcrace::cli {

// A libFuzzer crash file (or any fuzz input) given to `replay` instead of a
// schedule: when the file does not start with "ipcrace-schedule" and a target
// is known (--target, or the name of the file's directory, e.g.
// corpus/<target>/ or a fuzzer's -artifact_prefix=<target>/), the input is
// decoded exactly as the <target>_fuzzer decodes it, run once, and turned into
// a schedule, which is saved next to the file (path on stderr) so minimise and
// report apply. nullopt when `file` is not such an input (then it is loaded as
// a schedule). Throws UsageError for an unknown --target.
std::optional<Schedule> crash_file_schedule(const std::string& file, const std::string& target,
                                            const std::string& actors_override);

}  // namespace ipcrace::cli
