// ipcrace check-history and bench-history (docs/history-format.md).
#pragma once
#include <string>
#include <vector>

#include "ipcrace/oracles.hpp"

namespace ipcrace::cli {

struct CheckHistoryOptions {
  std::string file;
  std::string model;
  std::string format = "auto";  // auto | ipcrace | jepsen-edn | porcupine-kv
  double timeout = 10;          // wall-time bound on the whole command (0: none)
  bool json = false;
  bool verdict_only = false;
  int jobs = 0;                 // 0: the CPUs
  std::string report;           // FILE.html
};
// 0 linearizable, 10 not linearizable, 12 unknown (timeout), 20 usage error
// (unknown model or format, bad --timeout), 21 unreadable or malformed history.
int cmd_check_history(const CheckHistoryOptions& o);

struct BenchHistoryOptions {
  std::string model = "kv";
  int clients = 16;
  int keys = 64;
  double limit = 10;     // seconds: the size at which a check stops deciding within this
  size_t max_ops = 2'000'000;
  size_t start = 1000;
  bool strings = false;  // string values (kv: with appends)
  int jobs = 1;
  bool verdict_only = false;
  size_t fixed_ops = 0;  // one size only (with --repeat runs)
  int repeat = 1;
};
int cmd_bench_history(const BenchHistoryOptions& o);

// The HTML page of a non-linearizable key (history_report.cpp): each op of
// the key as an interval on a time axis (event order), one lane per process,
// the conflicting ops highlighted. Written atomically.
void write_history_report(const std::string& path, const std::string& file, const History& h, const Model& m,
                          const LinearizabilityResult& r);
// One op for people: "put "x" -> ok", "read -> 3" (no nil for ops without a result).
std::string describe_operation(const Operation& op, const Model& m);

}  // namespace ipcrace::cli
