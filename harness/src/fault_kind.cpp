// Names and masks of fault kinds (ipcrace/fault_kind.hpp).
#include "ipcrace/fault_kind.hpp"

#include <array>

namespace ipcrace {
namespace {
constexpr std::array<const char*, size_t(FaultKind::count_)> kNames = {"none",    "short", "eintr", "full",
                                                                       "timeout", "kill",  "drop"};
}

const char* fault_kind_name(FaultKind k) { return size_t(k) < kNames.size() ? kNames[size_t(k)] : "?"; }

std::optional<FaultKind> fault_kind_from_name(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i)
    if (name == kNames[i]) return FaultKind(i);
  return std::nullopt;
}

std::string fault_mask_str(FaultMask m) {
  std::string s;
  for (size_t i = 1; i < kNames.size(); ++i)
    if (m & fault_bit(FaultKind(i))) s += (s.empty() ? "" : ",") + std::string(kNames[i]);
  return s.empty() ? "none" : s;
}

std::optional<FaultMask> parse_fault_mask(std::string_view text, std::string* error) {
  FaultMask m = 0;
  size_t i = 0;
  while (i <= text.size()) {
    size_t j = text.find(',', i);
    if (j == std::string_view::npos) j = text.size();
    std::string_view w = text.substr(i, j - i);
    if (w == "all") {
      m |= kAllFaults;
    } else if (w != "none" && !w.empty()) {
      auto k = fault_kind_from_name(w);
      if (!k || *k == FaultKind::none) {
        if (error) *error = "unknown fault kind '" + std::string(w) + "' (short, eintr, full, timeout, kill, drop, all, none)";
        return std::nullopt;
      }
      m |= fault_bit(*k);
    }
    i = j + 1;
  }
  return m;
}

int fault_count(FaultMask m) { return __builtin_popcount(m & kAllFaults); }

FaultKind nth_fault(FaultMask m, int i) {
  for (size_t k = 1; k < size_t(FaultKind::count_); ++k)
    if (m & fault_bit(FaultKind(k)) && i-- == 0) return FaultKind(k);
  return FaultKind::none;
}

}  // namespace ipcrace
