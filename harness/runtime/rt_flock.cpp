// Interposed file locks: flock, fcntl's record and open-file-description
// locks (F_SETLK, F_SETLKW, F_OFD_SETLK, F_OFD_SETLKW, F_GETLK, F_OFD_GETLK)
// and lockf. A process that waits in the kernel for a lock another actor
// holds would block the one running actor and hang the run (a false finding
// on a correct program), and a lock the schedule cannot see is no
// synchronisation to the race detector. So each call is a point on the
// file's resource (its inode: res_of_fd), a blocking one runs as tries of the
// non-blocking form (rt.hpp: blocking), and an acquire or a release is a
// lock, rdlock or unlock op. Which locks conflict is the kernel's answer to
// the try: per process for record locks (a process's threads share them),
// per open file description for flock and OFD locks (a forked child's
// inherited descriptor is the same lock). Byte ranges are not told apart:
// every lock on a file is one resource (more dependencies, never a missed
// one). The kernel's EDEADLK for a cycle of F_SETLKW waits is not seen: the
// tries block, and the schedule reports the cycle as a deadlock.
//
// A lock is also released when its descriptor is closed (a record lock: any
// descriptor of the file the process closes): close() of a file this process
// has locked is an unlock point (file_lock_close), so a waiter is re-enabled
// at that step; so is a dup2/dup3 onto such a descriptor (it closes it). An exit releases everything; the controller re-enables all
// waiters at an exit anyway.
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rt.hpp"

using namespace ipcrace;
using namespace ipcrace::rt;

namespace ipcrace::rt {

namespace {

// The files this process has taken a lock on (their resources): close() of
// one is an unlock point. Kept after an unlock (a close then is one step
// more, never one missed); inherited over fork with the descriptors.
constexpr int kLockedFiles = 32;
uint16_t g_locked[kLockedFiles];
int g_nlocked = 0;

void remember(uint16_t res) {
  for (int i = 0; i < g_nlocked; ++i)
    if (g_locked[i] == res) return;
  if (g_nlocked < kLockedFiles) g_locked[g_nlocked++] = res;
}

bool would_block(int r, int err) { return r < 0 && (err == EAGAIN || err == EACCES || err == EWOULDBLOCK); }

// A lock call: a point (`kind` on `res`), then `attempt` (the non-blocking
// form; 0 or -1 with errno). Blocking calls retry until the lock is free.
template <class F>
int lock_call(OpKind kind, uint16_t res, const void* pc, bool wait, F&& attempt) {
  int r = 0, err = 0;
  blocking(kind, res, pc, [&] {
    r = attempt();
    err = errno;
    return !(wait && would_block(r, err));
  });
  if (r == 0 && kind != OpKind::unlock) remember(res);
  errno = err;
  return r;
}

OpKind kind_of(short type) {
  return type == F_UNLCK ? OpKind::unlock : type == F_RDLCK ? OpKind::rdlock : OpKind::lock;
}

}  // namespace

void file_lock_close(int fd, const void* pc) {
  if (g_nlocked == 0 || !active()) return;
  struct stat st;
  if (fstat(fd, &st) != 0 || S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)) return;
  const uint16_t res = res_of_fd(fd);
  for (int i = 0; i < g_nlocked; ++i)
    if (g_locked[i] == res) return point(OpKind::unlock, res, pc);
}

}  // namespace ipcrace::rt

extern "C" {

int flock(int fd, int op) {
  auto f = IPCRACE_REAL(flock);
  if (!active()) return f(fd, op);
  const int what = op & ~LOCK_NB;
  const OpKind kind = what == LOCK_UN ? OpKind::unlock : what == LOCK_SH ? OpKind::rdlock : OpKind::lock;
  return lock_call(kind, res_of_fd(fd), IPCRACE_PC, !(op & LOCK_NB) && what != LOCK_UN,
                   [&] { return f(fd, op | LOCK_NB); });
}

int fcntl(int fd, int cmd, ...) {
  va_list ap;
  va_start(ap, cmd);
  void* arg = va_arg(ap, void*);  // an int, a long or a pointer: one register either way
  va_end(ap);
  auto f = IPCRACE_REAL(fcntl);
  const bool set = cmd == F_SETLK || cmd == F_SETLKW || cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW;
  const bool get = cmd == F_GETLK || cmd == F_OFD_GETLK;
  if (!(set || get) || !active() || !arg) return f(fd, cmd, arg);
  auto* fl = static_cast<struct flock*>(arg);
  const uint16_t res = res_of_fd(fd);
  if (get) {  // a query: a point (it reads what the others hold), no wait
    point(OpKind::poll, res, IPCRACE_PC);
    return f(fd, cmd, arg);
  }
  const bool wait = cmd == F_SETLKW || cmd == F_OFD_SETLKW;
  const int try_cmd = cmd == F_SETLKW ? F_SETLK : cmd == F_OFD_SETLKW ? F_OFD_SETLK : cmd;
  const OpKind kind = kind_of(fl->l_type);
  return lock_call(kind, res, IPCRACE_PC, wait && kind != OpKind::unlock, [&] { return f(fd, try_cmd, arg); });
}
int fcntl64(int fd, int cmd, ...) __attribute__((alias("fcntl")));

int lockf(int fd, int cmd, off_t len) {
  auto f = IPCRACE_REAL(lockf);
  if (!active()) return f(fd, cmd, len);
  const uint16_t res = res_of_fd(fd);
  if (cmd == F_TEST) {
    point(OpKind::poll, res, IPCRACE_PC);
    return f(fd, cmd, len);
  }
  const OpKind kind = cmd == F_ULOCK ? OpKind::unlock : OpKind::lock;
  return lock_call(kind, res, IPCRACE_PC, cmd == F_LOCK, [&] { return f(fd, cmd == F_LOCK ? F_TLOCK : cmd, len); });
}
int lockf64(int fd, int cmd, off64_t len) { return lockf(fd, cmd, off_t(len)); }

int dup2(int fd, int to) {
  if (to != fd && fcntl(fd, F_GETFD) != -1) file_lock_close(to, IPCRACE_PC);  // closes `to`
  return IPCRACE_REAL(dup2)(fd, to);
}
int dup3(int fd, int to, int flags) {
  if (to != fd && fcntl(fd, F_GETFD) != -1) file_lock_close(to, IPCRACE_PC);
  return IPCRACE_REAL(dup3)(fd, to, flags);
}

}  // extern "C"
