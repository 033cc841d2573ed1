#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace ipcrace::cli {
struct VerdictOptions {
  int seeds = 20;
  uint64_t cap = 10000;  // runs per seed before "not found"
  std::vector<std::string> strategies{"auto", "surw", "pct", "pos", "random"};
  std::vector<std::string> targets;  // names or patterns; empty: every target
};
int cmd_verdicts(const VerdictOptions& o);
}  // namespace ipcrace::cli
