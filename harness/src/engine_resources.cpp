#include "engine_resources.hpp"

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <system_error>

#include "cleanup.hpp"
#include "control_block.hpp"

namespace ipcrace {
std::string socket_folder_root() { return cleanup::socket_root(); }
}  // namespace ipcrace

namespace ipcrace::detail {

ControlBlockMap::ControlBlockMap() : cb_(map_control_block()) {}
ControlBlockMap::~ControlBlockMap() {
  if (cb_ && !leak_) unmap_control_block(cb_);
}

SocketDir::SocketDir(uint64_t engine_id) {
  std::string tmpl = cleanup::socket_root() + "/ipcrace." + std::to_string(getpid()) + "." +
                     std::to_string(engine_id) + ".XXXXXX";
  if (!mkdtemp(tmpl.data())) throw std::system_error(errno, std::generic_category(), "mkdtemp " + tmpl);
  // mkdtemp made it (O_EXCL semantics), 0700; check anyway: never use a folder that is not ours.
  struct stat st;
  if (lstat(tmpl.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077)) {
    rmdir(tmpl.c_str());
    throw std::runtime_error("socket folder " + tmpl + " is not ours (owner or mode)");
  }
  path_ = tmpl;
  handle_ = cleanup::add_name(cleanup::Kind::dir, path_.c_str());
}

SocketDir::~SocketDir() {
  if (path_.empty()) return;
  rmdir(path_.c_str());
  cleanup::remove_name(handle_);
}

StderrFiles::StderrFiles() {
  for (int& fd : fds_) fd = -1;
}
StderrFiles::~StderrFiles() {
  for (int fd : fds_)
    if (fd >= 0) close(fd);
}
void StderrFiles::open(int n) {
  for (int i = 0; i < n; ++i) {
    fds_[i] = memfd_create("ipcrace-actor-stderr", MFD_CLOEXEC);
    if (fds_[i] < 0) throw std::system_error(errno, std::generic_category(), "memfd_create");
  }
}

SigchldHandler::~SigchldHandler() {
  if (installed_) sigaction(SIGCHLD, &old_, nullptr);
}
void SigchldHandler::install(void (*handler)(int)) {
  struct sigaction sa {};
  sa.sa_handler = handler;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
  installed_ = sigaction(SIGCHLD, &sa, &old_) == 0;
}

CpuPin::~CpuPin() {
  if (pinned_) sched_setaffinity(0, sizeof old_, &old_);
}
void CpuPin::pin(int cpu) {
  if (cpu < 0 || sched_getaffinity(0, sizeof old_, &old_) != 0) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  pinned_ = sched_setaffinity(0, sizeof set, &set) == 0;
}

}  // namespace ipcrace::detail
