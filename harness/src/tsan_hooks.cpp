// ThreadSanitizer integration: every report becomes a `tsan` finding of the
// run in progress. The engine references tsan_report_count(), which pulls this
// object (and so the hooks overriding the runtime's weak defaults) into links.
#include "tsan_hooks.hpp"

#include <atomic>

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define IPCRACE_TSAN 1
#endif
#endif

namespace ipcrace::detail {
namespace {
std::atomic<uint64_t> g_reports{0};
}
uint64_t tsan_report_count() { return g_reports.load(); }

int sanitizer_slowdown() {
#if IPCRACE_TSAN
  return 10;  // and each race report is symbolized, which takes seconds
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  return 3;
#else
  return 1;
#endif
#else
  return 1;
#endif
}
#if IPCRACE_TSAN
bool tsan_enabled() { return true; }
#else
bool tsan_enabled() { return false; }
#endif
}  // namespace ipcrace::detail

#if IPCRACE_TSAN
extern "C" void __tsan_on_report(void*) { ipcrace::detail::g_reports.fetch_add(1); }
// Reports become findings, so the process exit code stays ipcrace's own; every
// run must be able to report the same race again.
extern "C" const char* __tsan_default_options() {
  return "exitcode=0:suppress_equal_stacks=0:suppress_equal_addresses=0:report_signal_unsafe=0";
}
#endif
