#include "cleanup.hpp"

#include <fcntl.h>
#include <mqueue.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstring>

namespace ipcrace::cleanup {
namespace {

constexpr int kNames = 256;
constexpr int kNameLen = 108;
constexpr int kPids = 64;

struct NameSlot {
  std::atomic<int> kind{0};  // 0 free, -1 being written
  char name[kNameLen];
};
NameSlot g_names[kNames];
std::atomic<pid_t> g_pids[kPids];
std::atomic<bool> g_installed{false};

void on_signal(int sig) {
  emergency();
  signal(sig, SIG_DFL);
  raise(sig);
}

}  // namespace

void unlink_now(Kind kind, const char* name) {
  switch (kind) {
    case Kind::shm: shm_unlink(name); break;
    case Kind::mqueue: mq_unlink(name); break;
    case Kind::file: unlink(name); break;
    case Kind::dir: rmdir(name); break;
  }
}

int add_name(Kind kind, const char* name) {
  if (std::strlen(name) >= kNameLen) return -1;
  for (int i = 0; i < kNames; ++i) {
    int expected = 0;
    if (g_names[i].kind.compare_exchange_strong(expected, -1)) {
      std::strcpy(g_names[i].name, name);
      g_names[i].kind.store(static_cast<int>(kind));
      return i;
    }
  }
  return -1;
}

void remove_name(int handle) {
  if (handle >= 0 && handle < kNames) g_names[handle].kind.store(0);
}

int add_pid(pid_t pid) {
  for (int i = 0; i < kPids; ++i) {
    pid_t expected = 0;
    if (g_pids[i].compare_exchange_strong(expected, pid)) return i;
  }
  return -1;
}

void remove_pid(int handle) {
  if (handle >= 0 && handle < kPids) g_pids[handle].store(0);
}

void emergency() {
  for (auto& p : g_pids) {
    pid_t pid = p.load();
    if (pid > 0) kill(pid, SIGKILL);
  }
  // Files before their directories.
  for (int pass = 0; pass < 2; ++pass) {
    for (auto& n : g_names) {
      int k = n.kind.load();
      if (k <= 0 || (pass == 0) == (k == static_cast<int>(Kind::dir))) continue;
      unlink_now(static_cast<Kind>(k), n.name);
      n.kind.store(0);
    }
  }
}

void install_signal_handlers() {
  if (g_installed.exchange(true)) return;
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaction(sig, &sa, nullptr);
}

}  // namespace ipcrace::cleanup
