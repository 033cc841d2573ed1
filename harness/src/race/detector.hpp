// The happens-before race detector: an observer of one run's event stream
// (RunResult::trace, in its one global order). Vector clocks per actor,
// FastTrack epochs for the accesses; shadow state per shared location.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "ipcrace/finding.hpp"
#include "ipcrace/race.hpp"

namespace ipcrace::race {

using VC = std::vector<uint32_t>;

// An access as its shadow keeps it: who, when (the actor's own clock), where
// in the trace, and the actor's last acquire at the time (for the report).
struct Epoch {
  int actor = -1;
  uint32_t clock = 0;
  int step = -1;
  int sync_step = -1, sync_from = -1;
  bool valid() const { return actor >= 0; }
};

// Shadow state of one location: an address range of a resource, or the whole
// resource (size 0: an access that did not say where).
struct Shadow {
  Epoch w_plain;                // last non-atomic write
  Epoch w_any;                  // last write, atomic or not
  std::vector<Epoch> r_plain;   // last non-atomic read of each actor (FastTrack: usually one)
  std::vector<Epoch> r_atomic;  // last atomic read of each actor
  VC sync;                      // release sequence: what an acquire that reads here gets
  int sync_step = -1;           // the step that released into `sync`
};

class Detector {
 public:
  Detector(const std::vector<Step>& trace, int actors);
  // Process trace[i] (steps in order).
  void step(int i);
  // Exec-mode edges the stream will carry: a child starts with its parent's
  // clock; a join/reap acquires everything the joined actor did.
  void spawn(int parent, int child);
  void join(int joiner, int joined);
  std::vector<RaceReport> take() { return std::move(reports_); }

  static constexpr size_t kMaxReports = 32;

 private:
  struct ResShadow {
    bool has_whole = false;
    Shadow whole;                                        // size-0 accesses
    std::map<std::pair<uint64_t, uint32_t>, Shadow> by_range;  // (addr, size)
    uint32_t max_size = 0;
  };
  void access(int i, const Step& s);
  void sync_op(int i, const Step& s);
  void check(int i, const Epoch& prev, const Step& cur);
  void check_reads(int i, const std::vector<Epoch>& reads, const Step& cur);
  void acquire(int t, const VC& from, int step, int from_step);
  void release_join(int t, VC& into);
  bool ordered(const Epoch& e, int t) const { return e.actor == t || e.clock <= clocks_[size_t(t)][size_t(e.actor)]; }
  RaceAccess describe(const Epoch& e) const;

  const std::vector<Step>& trace_;
  int n_;
  std::vector<VC> clocks_;
  std::vector<int> sync_step_, sync_from_;  // per actor: last acquire and its source
  std::unordered_map<uint16_t, ResShadow> shadow_;
  struct SyncObj {
    VC rel, rd_rel;  // releases (unlock, post, send, ...); read-unlocks of an rwlock
    int rel_step = -1, rd_step = -1;
  };
  std::unordered_map<uint16_t, SyncObj> sync_;
  // Exec mode: the k-th fork/spawn creates actor k (actors are reserved in
  // that order); an exit leaves its clock for the wait/join that reaps it.
  int next_child_ = 1;
  std::vector<int> parent_;
  std::vector<VC> exit_clock_;
  std::vector<bool> exited_;
  // Locks each actor holds: an actor killed while holding one (a robust
  // mutex) releases it to whoever takes it next (EOWNERDEAD).
  std::vector<std::vector<uint16_t>> held_;
  std::vector<RaceReport> reports_;
  std::vector<std::string> pairs_;  // site pairs reported in this run
};

// The whole analysis of a finished run: every race, first per site pair.
std::vector<RaceReport> detect_races(const std::vector<Step>& trace, int actors);

// Engine hook, after the oracles: record the races of `r` and, when there is
// one, make the run a `race` finding (it overrides none, assertion, deadlock
// and step_limit, whose message it keeps; crash, hang and tsan stay).
void check_races(RunResult& r, int actors);

// "data race on <resource>: actor 0 step 3 shm_store (counter.store, wrote 1) ..."
std::string race_message(const RaceReport& rep, const std::vector<Step>& trace,
                         const std::vector<std::string>& resources);

}  // namespace ipcrace::race
