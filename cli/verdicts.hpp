#pragma once
#include <cstdint>

namespace ipcrace::cli {
struct VerdictOptions {
  int seeds = 20;
  uint64_t cap = 10000;  // runs per seed before "not found"
};
int cmd_verdicts(const VerdictOptions& o);
}  // namespace ipcrace::cli
