// Faults as schedule decisions (issue 12): at a point whose op can fail, the
// strategy may choose a failure instead of the normal outcome. A fault never
// happens outside the schedule, so a clean run stays a pure function of it.
// (Unrelated: ipcrace/faults.hpp is the gate self-test's IPCRACE_INJECT switch.)
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ipcrace {

// Append only: the names are words of the schedule file.
//   short    a read/write/send/recv moves 1..n-1 bytes (io::read, io::write, ...)
//   eintr    a blocking call returns -1 with errno EINTR, having done nothing
//   full     a non-blocking send/write finds the queue or pipe full (EAGAIN)
//   timeout  a timed wait times out (also forced when every live actor is blocked)
//   kill     the actor is SIGKILLed at this point instead of being granted
//   drop     a datagram is lost (send reports success, nothing is queued)
enum class FaultKind : uint8_t { none, short_io, eintr, full, timeout, kill, drop, count_ };

using FaultMask = uint32_t;
constexpr FaultMask fault_bit(FaultKind k) { return FaultMask(1) << unsigned(k); }
inline constexpr FaultMask kAllFaults = ((FaultMask(1) << unsigned(FaultKind::count_)) - 1) & ~FaultMask(1);

const char* fault_kind_name(FaultKind k);  // "short", "eintr", ... ("none")
std::optional<FaultKind> fault_kind_from_name(std::string_view name);
// "short,eintr" ("none" for 0), in kind order.
std::string fault_mask_str(FaultMask m);
// "short,eintr,kill", "all" or "none"; nullopt and `error` on an unknown word.
std::optional<FaultMask> parse_fault_mask(std::string_view text, std::string* error = nullptr);
// The kinds of `m`, in order (for strategies that pick one).
int fault_count(FaultMask m);
FaultKind nth_fault(FaultMask m, int i);

}  // namespace ipcrace
