// ipcrace's race detector against ThreadSanitizer, per shared-memory target:
// TSan's verdict in thread mode (detector off), the detector's in thread mode
// and in process mode, and whether they agree. `ipcrace race-table` prints it;
// tsan_test asserts agreement on the same list (docs: README, "Data races
// across processes").
#pragma once
#include <set>
#include <string>
#include <vector>

#include "ipcrace/target.hpp"

namespace ipcrace {

struct AgreementRow {
  std::string target;
  bool data_race = false;  // TargetInfo::data_race of a racy target (false for a synchronised one)
  uint64_t runs = 0;       // per column
  bool tsan_build = false; // TSan ran (the tsan preset); otherwise its column is empty
  uint64_t tsan_threads = 0;    // runs with a TSan report, threads, detector off
  uint64_t race_threads = 0;    // runs with a race finding, threads
  uint64_t race_processes = 0;  // runs with a race finding, processes
  std::set<std::string> pairs_threads, pairs_processes;  // racing site pairs seen
  // TSan and the detector agree in threads (both report or neither), and in
  // processes the detector reports the same pairs as in threads.
  bool agree() const {
    return (!tsan_build || (tsan_threads > 0) == (race_threads > 0)) && pairs_threads == pairs_processes &&
           (race_threads > 0) == (race_processes > 0);
  }
};

// The targets whose state is shared memory: families shm and sync, the
// shared-memory ring (mqueue.ring.*), and test.race.* (edge cases of the test
// binaries, when linked in).
std::vector<const TargetInfo*> shared_memory_targets();

// `runs` runs of random (seed 1) per column, pinned to `cpu` (-1: none).
AgreementRow race_agreement(const TargetInfo& t, uint64_t runs, int cpu = -1);

// A Markdown table of rows, with a last line counting agreement.
std::string agreement_table(const std::vector<AgreementRow>& rows);

}  // namespace ipcrace
