// Data races found by the happens-before detector (harness/src/race/): two
// accesses of different actors to overlapping bytes of one shared location,
// at least one a write, at least one not atomic, unordered by every
// synchronisation the run's event stream shows. See docs/architecture.md,
// "Race detection".
#pragma once
#include <cstdint>
#include <string>

#include "ipcrace/op.hpp"

namespace ipcrace {

// One side of a race: the access and the last synchronisation its actor had.
struct RaceAccess {
  int actor = 0;
  int step = 0;             // index in RunResult::trace
  OpKind kind = OpKind::shm_load;
  MemOrder order = MemOrder::plain;
  const char* label = "";   // static storage (a point's label)
  bool has_value = false;   // the value read or written, when the actor reported it
  uint64_t value = 0;
  uint64_t addr = 0;        // the bytes it touched (Op::addr, Op::size; 0: the whole resource)
  uint32_t size = 0;
  int sync_step = -1;       // the actor's last acquiring step (-1: none since it started)
  int sync_from = -1;       // the releasing step that acquire took its clock from (-1: none)
  bool is_write() const { return kind == OpKind::shm_store || kind == OpKind::shm_rmw; }
};

struct RaceReport {
  uint16_t resource = 0;
  RaceAccess first;   // earlier in the trace
  RaceAccess second;  // later in the trace
};

// The pair of access sites (labels and kinds), unordered: the unit of
// deduplication within a run and across a campaign.
std::string race_site_pair(const RaceReport& r);

}  // namespace ipcrace
