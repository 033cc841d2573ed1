#include "cleanup.hpp"

#include <fcntl.h>
#include <mqueue.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <dirent.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>

namespace ipcrace::cleanup {
namespace {

constexpr int kNames = 256;
constexpr int kNameLen = 108;
constexpr int kPids = 512;  // kMaxActors per engine, several engines (--jobs)

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

namespace {

// "<prefix>ipcrace.<pid>.<rest>" -> pid, or 0.
pid_t owner_pid(const char* name) {
  const char* p = std::strstr(name, "ipcrace.");
  if (!p) return 0;
  p += 8;
  pid_t pid = 0;
  while (*p >= '0' && *p <= '9') pid = pid * 10 + (*p++ - '0');
  return *p == '.' ? pid : 0;
}

bool dead(pid_t pid) { return pid > 0 && kill(pid, 0) != 0 && errno == ESRCH; }

}  // namespace

int sweep_stale() {
  int removed = 0;
  auto each = [&](const char* dir, auto&& fn) {
    if (DIR* d = opendir(dir)) {
      while (dirent* e = readdir(d))
        if (dead(owner_pid(e->d_name))) fn(e->d_name);
      closedir(d);
    }
  };
  each("/dev/shm", [&](const char* n) { removed += shm_unlink((std::string("/") + n).c_str()) == 0; });
  each("/dev/mqueue", [&](const char* n) { removed += mq_unlink((std::string("/") + n).c_str()) == 0; });
  each("/tmp", [&](const char* n) {
    std::string dir = std::string("/tmp/") + n;
    if (std::strncmp(n, "ipcrace.", 8) != 0) return;
    if (DIR* d = opendir(dir.c_str())) {
      while (dirent* e = readdir(d))
        if (e->d_name[0] != '.') unlink((dir + "/" + e->d_name).c_str());
      closedir(d);
    }
    removed += rmdir(dir.c_str()) == 0;
  });
  return removed;
}

void install_signal_handlers() {
  if (g_installed.exchange(true)) return;
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaction(sig, &sa, nullptr);
}

}  // namespace ipcrace::cleanup
