#pragma once
#include <cstdint>

namespace ipcrace::detail {
// Number of ThreadSanitizer reports so far in this process (0 without TSan).
uint64_t tsan_report_count();
bool tsan_enabled();
}  // namespace ipcrace::detail
