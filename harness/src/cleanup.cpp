#include "cleanup.hpp"

#include "ipcrace/exit_codes.hpp"

#include <fcntl.h>
#include <mqueue.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

#include <dirent.h>
#include <sys/stat.h>

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include <algorithm>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <new>
#include <string>
#include <system_error>

#include "ipcrace/errors.hpp"
#include "tsan_hooks.hpp"

namespace ipcrace::cleanup {
namespace {

constexpr int kNames = 256;
constexpr int kNameLen = 108;
constexpr int kPids = 512;  // kMaxActors per engine, several engines (--jobs)
constexpr int kExitResourceCode = kExitResource;

}  // namespace

struct NameSlot {
  std::atomic<int> kind{0};  // 0 free, -1 being written
  char name[kNameLen];
};

// What one process must not leave behind. A `run --jobs` worker keeps its own
// in shared memory its parent made, so that the parent can clean up after a
// worker that died without doing so (or had to be killed).
struct Registry {
  NameSlot names[kNames];
  std::atomic<pid_t> pids[kPids];
};

namespace {
Registry g_own;
std::atomic<Registry*> g_reg{&g_own};
struct Worker {
  std::atomic<pid_t> pid;
  std::atomic<Registry*> reg;
};
Worker g_workers[kPids];  // `run --jobs N` workers of this process
std::atomic<bool> g_installed{false};
std::atomic<int> g_grace_ms{2000};

void clear(Registry& r) {
  for (auto& p : r.pids) p.store(0);
  for (auto& n : r.names) n.kind.store(0);
}

// Kill the registered pids, unlink the registered names (files before their
// directories); each entry is cleared as it is handled.
void clean(Registry& r) {
  for (auto& p : r.pids)
    if (pid_t pid = p.exchange(0); pid > 0) kill(pid, SIGKILL);
  for (int pass = 0; pass < 2; ++pass) {
    for (auto& n : r.names) {
      int k = n.kind.load();
      if (k <= 0 || (pass == 0) == (k == static_cast<int>(Kind::dir))) continue;
      unlink_now(static_cast<Kind>(k), n.name);
      n.kind.store(0);
    }
  }
}

int64_t now_ms() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

// Forward `sig` to every worker and wait until each has cleaned up and died.
// One that is still there after the grace time (stopped, or stuck where it
// cannot take the signal) is killed, and what it registered is cleaned up here.
void stop_workers(int sig) {
  for (auto& w : g_workers)
    if (pid_t pid = w.pid.load(); pid > 0) kill(pid, sig);
  const int64_t deadline = now_ms() + g_grace_ms.load();
  for (auto& w : g_workers) {
    pid_t pid = w.pid.load();
    if (pid <= 0) continue;
    for (;;) {
      pid_t r = waitpid(pid, nullptr, WNOHANG);
      if (r == pid || (r < 0 && errno != EINTR)) break;
      if (r == 0 && now_ms() >= deadline) {
        kill(pid, SIGKILL);
        while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
        }
        break;
      }
      timespec nap{0, 10 * 1000000};
      nanosleep(&nap, nullptr);
    }
    if (Registry* r = w.reg.load()) clean(*r);
    w.pid.store(0);
  }
}

// Dies of `sig`, never returns. A signal blocked at this point (a sanitizer
// runtime calls deferred handlers with every signal blocked, and ThreadSanitizer
// can restore that mask instead of the thread's own) is unblocked: returning
// would carry the process on with the signal pending and blocked for good.
[[noreturn]] void die_of(int sig) {
  signal(sig, SIG_DFL);
  raise(sig);
  sigset_t only;
  sigemptyset(&only);
  sigaddset(&only, sig);
  sigprocmask(SIG_UNBLOCK, &only, nullptr);
  _exit(128 + sig);
}

void on_signal(int sig) {
  stop_workers(sig);
  emergency();
  die_of(sig);
}

void write_err(const char* s) { (void)!write(STDERR_FILENO, s, std::strlen(s)); }

// SIGBUS in the controller: a shared mapping could not be backed (a full
// /dev/shm whose pages were not reserved). Clean up, one line, a known code.
void on_resource_signal(int sig) {
  write_err(sig == SIGBUS ? "ipcrace: error: SIGBUS in the controller: a shared-memory page could not be backed "
                            "(is /dev/shm full?)\n"
                          : "ipcrace: error: file size limit exceeded (SIGXFSZ)\n");
  stop_workers(SIGTERM);
  emergency();
  _exit(kExitResourceCode);
}

}  // namespace

namespace {
// "<m|s|h> <id> <ctime> <uid>" (harness/runtime/rt_sysv.cpp).
void remove_sysv(const char* rec) {
  char kind = 0;
  int id = -1;
  long ctime = 0;
  unsigned uid = 0;
  if (std::sscanf(rec, "%c %d %ld %u", &kind, &id, &ctime, &uid) != 4 || id < 0 || uid != geteuid()) return;
  if (kind == 'm') {
    struct msqid_ds ds;
    if (msgctl(id, IPC_STAT, &ds) == 0 && long(ds.msg_ctime) == ctime && ds.msg_perm.cuid == uid) msgctl(id, IPC_RMID, nullptr);
  } else if (kind == 's') {  // (a semaphore's ctime moves with every SETVAL: the creator alone)
    struct semid_ds ds;
    if (semctl(id, 0, IPC_STAT, &ds) == 0 && ds.sem_perm.cuid == uid) semctl(id, 0, IPC_RMID);
  } else if (kind == 'h') {
    struct shmid_ds ds;
    if (shmctl(id, IPC_STAT, &ds) == 0 && long(ds.shm_ctime) == ctime && ds.shm_perm.cuid == uid) shmctl(id, IPC_RMID, nullptr);
  }
}
}  // namespace

void unlink_now(Kind kind, const char* name) {
  switch (kind) {
    case Kind::shm: shm_unlink(name); break;
    case Kind::mqueue: mq_unlink(name); break;
    case Kind::file: unlink(name); break;
    case Kind::dir: rmdir(name); break;
    case Kind::ipc_name:
      shm_unlink(name);
      mq_unlink(name);
      break;
    case Kind::sysv: remove_sysv(name); break;
    case Kind::node: {
      struct stat st;
      if (lstat(name, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)) && st.st_uid == geteuid()) unlink(name);
      break;
    }
  }
}

SignalBlock::SignalBlock() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&set, sig);
  pthread_sigmask(SIG_BLOCK, &set, &old_);
}
SignalBlock::~SignalBlock() { pthread_sigmask(SIG_SETMASK, &old_, nullptr); }

int add_name(Kind kind, const char* name) {
  if (std::strlen(name) >= kNameLen) return -1;
  for (int i = 0; i < kNames; ++i) {
    int expected = 0;
    if (g_reg.load()->names[i].kind.compare_exchange_strong(expected, -1)) {
      std::strcpy(g_reg.load()->names[i].name, name);
      g_reg.load()->names[i].kind.store(static_cast<int>(kind));
      return i;
    }
  }
  return -1;
}

void remove_name(int handle) {
  if (handle >= 0 && handle < kNames) g_reg.load()->names[handle].kind.store(0);
}

int add_pid(pid_t pid) {
  for (int i = 0; i < kPids; ++i) {
    pid_t expected = 0;
    if (g_reg.load()->pids[i].compare_exchange_strong(expected, pid)) return i;
  }
  return -1;
}

void remove_pid(int handle) {
  if (handle >= 0 && handle < kPids) g_reg.load()->pids[handle].store(0);
}

void emergency() { clean(*g_reg.load()); }

namespace {

// Digits from `p`; returns the position after them, or nullptr if none or too many.
const char* digits(const char* p, uint64_t* value) {
  uint64_t v = 0;
  const char* q = p;
  while (*q >= '0' && *q <= '9' && q - p < 19) v = v * 10 + uint64_t(*q++ - '0');
  if (q == p || (*q >= '0' && *q <= '9')) return nullptr;
  *value = v;
  return q;
}

bool dead(pid_t pid) { return pid > 0 && kill(pid, 0) != 0 && errno == ESRCH; }

bool owned_by_me(const struct stat& st) { return st.st_uid == geteuid(); }

}  // namespace

// An IPC object name of a run: exactly "ipcrace.<pid>.<engine>.<run>.<rest>"
// from the start of the name (no leading slash), <rest> not empty.
pid_t object_owner(const char* name) {
  if (std::strncmp(name, "ipcrace.", 8) != 0) return 0;
  uint64_t pid = 0, v = 0;
  const char* p = digits(name + 8, &pid);
  for (int part = 0; p && part < 2; ++part) p = *p == '.' ? digits(p + 1, &v) : nullptr;
  if (!p || *p != '.' || p[1] == '\0' || pid == 0 || pid > INT32_MAX) return 0;
  return pid_t(pid);
}

// A socket folder of an engine: exactly "ipcrace.<pid>.<engine>.<6 mkdtemp chars>".
pid_t socket_dir_owner(const char* name) {
  if (std::strncmp(name, "ipcrace.", 8) != 0) return 0;
  uint64_t pid = 0, v = 0;
  const char* p = digits(name + 8, &pid);
  if (!p || *p != '.' || !(p = digits(p + 1, &v)) || *p != '.') return 0;
  ++p;
  for (int i = 0; i < 6; ++i)
    if (!std::isalnum(static_cast<unsigned char>(p[i]))) return 0;
  if (p[6] != '\0' || pid == 0 || pid > INT32_MAX) return 0;
  return pid_t(pid);
}

// A socket file inside a socket folder: "<run>.<base>.sock".
bool socket_file_name(const char* name) {
  uint64_t v = 0;
  const char* p = digits(name, &v);
  size_t len = std::strlen(name);
  return p && *p == '.' && len > 5 && std::strcmp(name + len - 5, ".sock") == 0 && size_t(p - name) + 1 < len - 5;
}

std::string socket_root() {
  auto usable = [](const char* v, bool must_own) {
    if (!v || v[0] != '/' || std::strlen(v) > 40) return false;
    struct stat st;
    if (lstat(v, &st) != 0 || !S_ISDIR(st.st_mode)) return false;
    return !must_own || (st.st_uid == geteuid() && (st.st_mode & 077) == 0);
  };
  if (const char* x = std::getenv("XDG_RUNTIME_DIR"); usable(x, true)) return x;
  if (const char* t = std::getenv("TMPDIR"); usable(t, false)) {
    std::string s = t;
    while (s.size() > 1 && s.back() == '/') s.pop_back();
    return s;
  }
  return "/tmp";
}

int sweep_stale() { return sweep_stale_in("/dev/shm", "/dev/mqueue", socket_root().c_str()); }

int sweep_stale_in(const char* shm_dir, const char* mq_dir, const char* sock_root) {
  int removed = 0;
  // Entries of `dir` named like ours, of a dead controller, owned by us and
  // not a symlink; `fn(dirfd, name, stat)` decides and removes.
  auto each = [&](const char* dir, pid_t (*owner)(const char*), auto&& fn) {
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) return;
    DIR* d = fdopendir(dfd);
    if (!d) {
      close(dfd);
      return;
    }
    while (dirent* e = readdir(d)) {
      if (!dead(owner(e->d_name))) continue;
      struct stat st;
      if (fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !owned_by_me(st)) continue;
      fn(dfd, e->d_name, st);
    }
    closedir(d);
  };
  auto unlink_file = [&](int dfd, const char* n, const struct stat& st) {
    if (S_ISREG(st.st_mode)) removed += unlinkat(dfd, n, 0) == 0;
  };
  each(shm_dir, object_owner, unlink_file);
  each(mq_dir, object_owner, unlink_file);
  each(sock_root, socket_dir_owner, [&](int rootfd, const char* n, const struct stat& st) {
    if (!S_ISDIR(st.st_mode) || (st.st_mode & 077) != 0) return;
    int fd = openat(rootfd, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return;
    struct stat again;
    if (fstat(fd, &again) != 0 || again.st_ino != st.st_ino || again.st_dev != st.st_dev || !owned_by_me(again)) {
      close(fd);
      return;
    }
    if (DIR* d = fdopendir(fd)) {
      while (dirent* e = readdir(d)) {
        struct stat fs;
        if (socket_file_name(e->d_name) && fstatat(fd, e->d_name, &fs, AT_SYMLINK_NOFOLLOW) == 0 &&
            S_ISSOCK(fs.st_mode) && owned_by_me(fs))
          unlinkat(fd, e->d_name, 0);
      }
      closedir(d);
    } else {
      close(fd);
    }
    removed += unlinkat(rootfd, n, AT_REMOVEDIR) == 0;  // fails, and stays, if anything else is inside
  });
  return removed;
}

Registry* shared_registries(int n) {
  void* mem = mmap(nullptr, sizeof(Registry) * size_t(n), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "mmap (worker registries)");
  return new (mem) Registry[size_t(n)];
}
void free_registries(Registry* regs, int n) { munmap(regs, sizeof(Registry) * size_t(n)); }
Registry* registry_at(Registry* regs, int i) { return regs + i; }

int add_worker(pid_t pid, Registry* reg) {
  for (int i = 0; i < kPids; ++i) {
    pid_t expected = 0;
    if (g_workers[i].pid.compare_exchange_strong(expected, -1)) {
      g_workers[i].reg.store(reg);
      g_workers[i].pid.store(pid);
      return i;
    }
  }
  return -1;
}

void remove_worker(int handle) {
  if (handle < 0 || handle >= kPids) return;
  g_workers[handle].reg.store(nullptr);
  g_workers[handle].pid.store(0);
}

void clean_after(Registry* reg) { clean(*reg); }

void become_worker(Registry* reg) {
  for (auto& w : g_workers) w.reg.store(nullptr), w.pid.store(0);
  clear(*reg);
  g_reg.store(reg);
  clear(g_own);
}

void install_signal_handlers() {
  if (g_installed.exchange(true)) return;
  g_grace_ms.store(std::min(10000, 2000 * detail::sanitizer_slowdown()));
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&sa.sa_mask, sig);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaction(sig, &sa, nullptr);
  struct sigaction bus = sa;
  bus.sa_handler = on_resource_signal;
  sigaction(SIGBUS, &bus, nullptr);
  // Past RLIMIT_FSIZE a write fails with EFBIG (a resource error, cleaned up
  // on the normal path) instead of killing the controller.
  signal(SIGXFSZ, SIG_IGN);
}

}  // namespace ipcrace::cleanup

namespace ipcrace {

bool is_resource_errno(int e) {
  return e == ENOSPC || e == EFBIG || e == EMFILE || e == ENFILE || e == ENOMEM || e == EAGAIN || e == EDQUOT;
}

bool is_resource_error(const std::system_error& e) {
  return e.code().category() == std::generic_category() || e.code().category() == std::system_category()
             ? is_resource_errno(e.code().value())
             : false;
}

void rethrow_if_resource_error() {
  try {
    throw;
  } catch (const std::system_error& e) {
    if (is_resource_error(e)) throw;
  } catch (const std::bad_alloc&) {
    throw;
  } catch (...) {
  }
}

}  // namespace ipcrace
