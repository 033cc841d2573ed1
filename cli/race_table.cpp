// ipcrace race-table: ipcrace's race detector against ThreadSanitizer on every
// shared-memory target (ipcrace/race_agreement.hpp), as a Markdown table.
// Run it from a tsan build (build/tsan/cli/ipcrace) for the TSan column.
#include <sched.h>

#include <cstdio>

#include "bench.hpp"
#include "commands.hpp"
#include "ipcrace/exit_codes.hpp"
#include "race_agreement.hpp"

namespace ipcrace::cli {

int cmd_race_table(uint64_t runs) {
  std::vector<AgreementRow> rows;
  for (const TargetInfo* t : shared_memory_targets()) {
    rows.push_back(race_agreement(*t, runs, sched_getcpu()));
    std::fprintf(stderr, "%s done\n", t->name.c_str());
  }
  std::printf("%s", agreement_table(rows).c_str());
  for (const auto& r : rows)
    if (!r.agree()) return kExitGateMismatch;  // a disagreement, like a gate verdict that differs
  return kExitOk;
}

}  // namespace ipcrace::cli
