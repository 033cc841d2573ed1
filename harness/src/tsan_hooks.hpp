#pragma once
#include <cstdint>

namespace ipcrace::detail {
// Number of ThreadSanitizer reports so far in this process (0 without TSan).
uint64_t tsan_report_count();
bool tsan_enabled();
// How much slower than a plain build this one runs: wall-clock limits (the
// watchdog) are multiplied by it, so a sanitizer never turns slowness into a hang.
int sanitizer_slowdown();
}  // namespace ipcrace::detail
