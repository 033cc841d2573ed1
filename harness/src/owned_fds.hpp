// Descriptors a scenario made in setup and gave to one actor
// (RunContext::give_fd): every other copy is closed once the actors run, so a
// reader sees EOF when the writer's end goes away, as it would in real code.
//   process mode  the controller closes its copies once every actor has
//                 started; each forked actor closes the other actors' copies
//                 at once; the owner's copy goes with its exit (or its close)
//   thread mode   one descriptor table: the owner's end is the only copy;
//                 the harness closes it when the owner ends (its exit would)
// Whatever is still open after the run is closed then.
#pragma once
#include <sys/types.h>

#include <vector>

#include "ipcrace/finding.hpp"

namespace ipcrace::detail {

class OwnedFds {
 public:
  void add(int fd, int actor);  // throws std::invalid_argument for a closed fd or a bad actor
  void in_child(int actor) const;   // process mode, in actor `actor` right after fork
  void actors_started(ActorMode mode);  // controller: every actor has started
  void actor_ended(int actor, ActorMode mode);  // thread mode: close what it owned
  void release();  // after the run: close the rest, forget all
  bool empty() const { return fds_.empty(); }

 private:
  struct Fd {
    int fd;
    int actor;
    dev_t dev;
    ino_t ino;
    bool open;  // in the controller's table
  };
  bool still_ours(const Fd& f) const;  // the number still names the file it was given as
  std::vector<Fd> fds_;
};

}  // namespace ipcrace::detail
