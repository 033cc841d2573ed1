#pragma once
#include <cstdint>

namespace ipcrace::cli {
struct BenchOptions {
  bool quick = false;             // smaller counts (a smoke run)
  uint64_t long_runs = 100000;    // thread mode; process mode runs a tenth of it
};
int cmd_bench(const BenchOptions& o);
}  // namespace ipcrace::cli
