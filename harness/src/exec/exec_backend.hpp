// The exec back-end: actors are the processes and threads of an unmodified
// program run under libipcrace_rt (harness/runtime/). The engine keeps its
// run loop; it calls these hooks where processes and threads differ.
#pragma once

#include <bitset>
#include <sys/types.h>

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "exec/symbolize.hpp"
#include "ipcrace/engine.hpp"
#include "ipcrace/program.hpp"
#include "ipcrace/target.hpp"

namespace ipcrace {

struct ControlBlock;


class ExecBackend {
 public:
  explicit ExecBackend(ExecSpec spec);
  ~ExecBackend();
  const ExecSpec& spec() const { return spec_; }

  // Engine hooks (engine.cpp).
  void attach(ControlBlock* cb, const RunConfig& cfg);  // start the program: the fork server
  void start_run(uint64_t run_seed, bool free_run);    // a fresh copy runs into main as actor 0
  // Whether actor i's process is gone: 0 no, 1 a normal end (exit, or a
  // signal an actor sent), 2 died (status in *status).
  int dead(int i, int* status);
  // New actors (fork, pthread_create) up to their first point; actors that
  // ended as a side effect (a sibling thread's exit, kill); signals.
  // `a` ran `op` last (-1: the start). When no actor is enabled, virtual
  // time jumps to the earliest deadline and fires it; spin loops park.
  void sync(int& n, bool alive[], bool blocked[], Op pending[], int a = -1, const Op* op = nullptr,
            const Step* step = nullptr);
  void run_free(RunResult& r, int64_t deadline_ns);
  void stop();  // end every process of the run, remove the names it made
  const char* label(const char* raw);
  std::string output() const;

  // After a run (the scenario's check): the program's exit status and output.
  std::string verdict();

 private:
  struct Proc {
    pid_t pid;
    int pidfd;
    bool gone;
    int status;  // -1 unknown
  };
  Proc* proc(pid_t pid);
  bool gone(Proc& p, int timeout_ms);
  int status_of(Proc& p, int slot);
  Op read_op(int j);
  void start_server();
  void reset_run_state();
  bool advance_time(int n, const bool alive[], bool blocked[]);
  void park_spinners(int n, const bool alive[], bool blocked[], const Op pending[], int a, const Op* op, const Step* step);

  ExecSpec spec_;
  ControlBlock* cb_ = nullptr;
  RunConfig cfg_;
  pid_t server_ = 0;
  int out_fd_ = -1;
  std::vector<Proc> procs_;
  uint32_t sigs_seen_[kMaxActors] = {};
  // Spin loops (CHESS-style fairness): per actor, the shared locations it
  // read since its last other op, and the step of each location's last write.
  std::unordered_map<uint64_t, uint64_t> last_write_;
  struct Seen {
    uint64_t loc;
    const char* label;  // where it read it (interned: label())
    uint64_t write;     // the location's last write step when read
  };
  struct Reads {
    std::vector<Seen> seen;
    bool yielded = false;  // a yield since its last op with an effect
    bool parked = false;
    // A loop with effects of its own (lock/unlock, a store of the same
    // value, a waitpid that finds nothing) between its yields: the hash of
    // the ops and outcomes since its last yield, the previous window's hash,
    // and the effects by others since that window began.
    uint64_t window = 0;
    uint64_t prev_window = 0;
    bool has_prev = false;
    uint64_t others_mark = 0;  // effects_ - own at the previous yield
    uint64_t own = 0;          // its own effects
    bool repeat = false;       // its last window repeated the one before, alone: park it
    // CHESS's fairness: the actors that could run when it was parked; once
    // released it waits for each of them still enabled to have run (a
    // spinner woken by another spinner's lock/unlock must not starve them).
    std::bitset<kMaxActors> owed;
    bool deferred = false;  // held back this step for that reason
  } reads_[kMaxActors];
  uint64_t effects_ = 0;  // ops with an effect (any actor), this run
  uint64_t step_ = 0;
  int fruitless_ = 0;  // rounds in which every live actor was parked as a spinner
  std::unordered_map<uintptr_t, std::string> labels_;
  ModuleMap modules_;  // the fork server's shared objects: labels of code outside the program
  std::string preload_lib_;
};

// The scenario of a program target: owns its back-end.
std::unique_ptr<Scenario> make_program_scenario(const ExecSpec& spec);
// The back-end of a program target's scenario, attached to the engine's
// control block; nullptr for every other target.
ExecBackend* attach_exec(Scenario& s, ControlBlock* cb, const RunConfig& cfg);

// The runtime's shared library (LD_PRELOAD mode), found beside the command.
std::string runtime_preload_path();

}  // namespace ipcrace
