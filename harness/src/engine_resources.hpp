// RAII holders for everything an Engine acquires when it is built, so that a
// constructor that throws half-way (EMFILE under `ulimit -n`, ENOSPC, a bad
// model) releases what it already had: no socket folder, descriptor, handler
// or mapping outlives a failed engine.
#pragma once
#include <sched.h>
#include <signal.h>

#include <cstdint>
#include <string>

#include "ipcrace/engine.hpp"

namespace ipcrace {
struct ControlBlock;

namespace detail {

// The control block mapping; leak() keeps it mapped (a hung thread may still touch it).
class ControlBlockMap {
 public:
  ControlBlockMap();
  ~ControlBlockMap();
  ControlBlockMap(const ControlBlockMap&) = delete;
  ControlBlockMap& operator=(const ControlBlockMap&) = delete;
  ControlBlock* get() const { return cb_; }
  void leak() { leak_ = true; }

 private:
  ControlBlock* cb_ = nullptr;
  bool leak_ = false;
};

// The engine's socket folder: mkdtemp(<socket_root>/ipcrace.<pid>.<engine>.XXXXXX),
// created 0700 and exclusively (never an existing folder), registered with the
// signal-time cleanup, removed on destruction.
class SocketDir {
 public:
  explicit SocketDir(uint64_t engine_id);
  ~SocketDir();
  SocketDir(const SocketDir&) = delete;
  SocketDir& operator=(const SocketDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int handle_ = -1;
};

// One memfd per actor for its stderr (-1 where not made).
class StderrFiles {
 public:
  StderrFiles();
  ~StderrFiles();
  StderrFiles(const StderrFiles&) = delete;
  StderrFiles& operator=(const StderrFiles&) = delete;
  void open(int n);  // throws std::system_error
  int& operator[](int i) { return fds_[i]; }
  const int* begin() const { return fds_; }
  const int* end() const { return fds_ + kMaxActors; }

 private:
  int fds_[kMaxActors];
};

// Installs a SIGCHLD handler; restores the previous one on destruction.
class SigchldHandler {
 public:
  SigchldHandler() = default;
  ~SigchldHandler();
  SigchldHandler(const SigchldHandler&) = delete;
  SigchldHandler& operator=(const SigchldHandler&) = delete;
  void install(void (*handler)(int));
  bool installed() const { return installed_; }

 private:
  struct sigaction old_ {};
  bool installed_ = false;
};

// Pins the calling thread to one CPU; restores the old affinity on destruction.
class CpuPin {
 public:
  CpuPin() = default;
  ~CpuPin();
  CpuPin(const CpuPin&) = delete;
  CpuPin& operator=(const CpuPin&) = delete;
  void pin(int cpu);

 private:
  cpu_set_t old_;
  bool pinned_ = false;
};

}  // namespace detail
}  // namespace ipcrace
