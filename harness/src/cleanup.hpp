// A process-wide, async-signal-safe registry of what a run must not leave
// behind: actor pids and named OS objects. Normal runs unregister as they
// clean up; on SIGINT/SIGTERM/SIGHUP the handler kills the actors and unlinks
// every name still registered, then dies of the same signal.
#pragma once
#include <sys/types.h>

namespace ipcrace::cleanup {

enum class Kind : int { shm = 1, mqueue = 2, file = 3, dir = 4 };

int add_name(Kind kind, const char* name);  // returns a handle (or -1 when full)
void remove_name(int handle);
void unlink_now(Kind kind, const char* name);
int add_pid(pid_t pid);
void remove_pid(int handle);
void install_signal_handlers();  // idempotent
void emergency();                // kill registered pids, unlink registered names
// Remove objects left by controllers that died without cleaning up (SIGKILL):
// /dev/shm and /dev/mqueue entries and /tmp directories named
// ipcrace.<pid>.* whose <pid> no longer exists. Returns how many were removed.
int sweep_stale();

}  // namespace ipcrace::cleanup
