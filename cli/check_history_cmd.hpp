// ipcrace check-history and bench-history (docs/history-format.md).
#pragma once
#include <string>

namespace ipcrace::cli {

struct CheckHistoryOptions {
  std::string file;
  std::string model;
  double timeout = 10;
  bool json = false;
};
// 0 linearizable, 10 not linearizable, 12 unknown (timeout), 20 unknown model,
// 21 unreadable or malformed history.
int cmd_check_history(const CheckHistoryOptions& o);

struct BenchHistoryOptions {
  std::string model = "kv";
  int clients = 16;
  int keys = 64;
  double limit = 10;     // seconds: the size at which a check stops deciding within this
  size_t max_ops = 2'000'000;
  size_t start = 1000;
};
int cmd_bench_history(const BenchHistoryOptions& o);

}  // namespace ipcrace::cli
