// A process-wide, async-signal-safe registry of what a run must not leave
// behind: actor pids and named OS objects. Normal runs unregister as they
// clean up; on SIGINT/SIGTERM/SIGHUP the handler kills the actors and unlinks
// every name still registered, then dies of the same signal.
#pragma once
#include <signal.h>
#include <sys/types.h>

#include <string>

namespace ipcrace::cleanup {

// ipc_name: a run's object name handed to a mechanism before it creates the
// object (shm or queue: both are unlinked), so no signal can fall between the
// creation and the registration.
// sysv and node: what an unmodified program created under `ipcrace exec`
// (the runtime records them): a System V object as "<m|s|h> <id> <ctime>
// <uid>", removed only while it is still the one created (same creation time
// for queues and segments, same creator uid, ours); a FIFO or Unix socket
// path, unlinked only while it is a FIFO or a socket owned by us.
enum class Kind : int { shm = 1, mqueue = 2, file = 3, dir = 4, ipc_name = 5, sysv = 6, node = 7 };

// Blocks SIGINT/SIGTERM/SIGHUP for its lifetime (create + register as one step).
class SignalBlock {
 public:
  SignalBlock();
  ~SignalBlock();
  SignalBlock(const SignalBlock&) = delete;
  SignalBlock& operator=(const SignalBlock&) = delete;

 private:
  sigset_t old_;
};

int add_name(Kind kind, const char* name);  // returns a handle (or -1 when full)
void remove_name(int handle);
void unlink_now(Kind kind, const char* name);
int add_pid(pid_t pid);
void remove_pid(int handle);
// `run --jobs N` workers: on SIGINT/SIGTERM/SIGHUP the parent forwards the
// signal to each, waits until each has cleaned up and died, then dies itself.
// A worker keeps its pids and names in a Registry of shared memory the parent
// made before the fork (shared_registries), so the parent can clean up after a
// worker that died without doing so (clean_after), and after one still there
// 2 s (x the sanitizer slowdown, at most 10 s) after the signal, which it kills.
struct Registry;
Registry* shared_registries(int n);  // n zeroed registries, MAP_SHARED; throws
void free_registries(Registry* regs, int n);
Registry* registry_at(Registry* regs, int i);
int add_worker(pid_t pid, Registry* reg);
void remove_worker(int handle);
void clean_after(Registry* reg);  // kill its pids, unlink its names, clear it
// In a freshly forked worker: the parent's pids, names and workers are not its
// own; from now on its pids and names go to `reg`.
void become_worker(Registry* reg);
// SIGINT/SIGTERM/SIGHUP: stop workers, kill actors, unlink, die of the signal.
// SIGBUS: the same cleanup, one error line, exit kExitResource. SIGXFSZ is
// ignored so that writes past RLIMIT_FSIZE fail with EFBIG. Idempotent.
void install_signal_handlers();
void emergency();                // kill registered pids, unlink registered names
// Remove objects left by controllers that died without cleaning up (SIGKILL).
// Only what ipcrace makes, of a controller whose <pid> no longer exists, owned
// by the effective user, never through a symlink: /dev/shm and /dev/mqueue
// regular files named exactly ipcrace.<pid>.<engine>.<run>.<rest>, and socket
// folders <socket_root()>/ipcrace.<pid>.<engine>.XXXXXX (mode 0700), inside
// which only socket files <run>.<base>.sock are unlinked; a folder holding
// anything else stays. Returns how many objects and folders were removed.
int sweep_stale();
int sweep_stale_in(const char* shm_dir, const char* mq_dir, const char* sock_root);
pid_t object_owner(const char* name);      // 0 unless the exact object pattern
pid_t socket_dir_owner(const char* name);  // 0 unless the exact socket folder pattern
bool socket_file_name(const char* name);
// Where socket folders are made: $XDG_RUNTIME_DIR (ours, 0700), else $TMPDIR,
// else /tmp (short enough for a Unix socket path).
std::string socket_root();

}  // namespace ipcrace::cleanup
