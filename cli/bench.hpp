#pragma once
#include <cstdint>

namespace ipcrace::cli {
struct BenchOptions {
  bool quick = false;             // smaller counts (a smoke run)
  uint64_t long_runs = 100000;    // thread mode; process mode runs a tenth of it
  bool race = false;              // --race: the race detector's cost instead
};
int cmd_bench(const BenchOptions& o);
// ipcrace race-table (race_table.cpp): the detector against TSan.
int cmd_race_table(uint64_t runs);
// ipcrace bench --race (race_bench.cpp): the detector's cost, on against off.
int cmd_race_bench(bool quick);
}  // namespace ipcrace::cli
