// See owned_fds.hpp.
#include "owned_fds.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <stdexcept>
#include <string>

#include "ipcrace/engine.hpp"

namespace ipcrace::detail {

void OwnedFds::add(int fd, int actor) {
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0) throw std::invalid_argument("give_fd: " + std::to_string(fd) + " is not an open descriptor");
  if (actor < 0 || actor >= kMaxActors) throw std::invalid_argument("give_fd: no actor " + std::to_string(actor));
  for (const Fd& f : fds_)
    if (f.open && f.fd == fd) throw std::invalid_argument("give_fd: descriptor " + std::to_string(fd) + " given twice");
  fds_.push_back(Fd{fd, actor, st.st_dev, st.st_ino, true});
}

bool OwnedFds::still_ours(const Fd& f) const {
  struct stat st;
  return fstat(f.fd, &st) == 0 && st.st_dev == f.dev && st.st_ino == f.ino;
}

void OwnedFds::in_child(int actor) const {
  for (const Fd& f : fds_)
    if (f.open && f.actor != actor) close(f.fd);
}

void OwnedFds::actors_started(ActorMode mode) {
  if (mode == ActorMode::threads) return;  // the owners use these very descriptors
  for (Fd& f : fds_)
    if (f.open) {
      close(f.fd);
      f.open = false;
    }
}

void OwnedFds::actor_ended(int actor, ActorMode mode) {
  if (mode != ActorMode::threads) return;  // its exit closed its copies
  for (Fd& f : fds_)
    if (f.open && f.actor == actor) {
      // The actor may have closed it itself, and the number been reused since.
      if (still_ours(f)) close(f.fd);
      f.open = false;
    }
}

void OwnedFds::release() {
  for (Fd& f : fds_)
    if (f.open && still_ours(f)) close(f.fd);
  fds_.clear();
}

}  // namespace ipcrace::detail
