#include "run_context.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <random>
#include <cstring>
#include <stdexcept>
#include <system_error>

namespace ipcrace {

RunContextImpl::RunContextImpl(const Params* params, int actors, uint64_t seed, std::string prefix,
                               std::string sock_dir, std::vector<std::string>* resources, detail::OwnedFds* owned)
    : params_(params), actors_(actors), seed_(seed), prefix_(std::move(prefix)), sock_dir_(std::move(sock_dir)),
      resources_(resources), owned_(owned) {}

RunContextImpl::~RunContextImpl() { release(); }

Resource RunContextImpl::resource(const char* name) {
  for (size_t i = 0; i < resources_->size(); ++i)
    if ((*resources_)[i] == name) return Resource{static_cast<uint16_t>(i)};
  resources_->emplace_back(name);
  return Resource{static_cast<uint16_t>(resources_->size() - 1)};
}

namespace {

// 8 hex digits the attacker cannot guess.
std::string random_suffix() {
  uint32_t v = 0;
  if (getrandom(&v, sizeof v, GRND_NONBLOCK) != sizeof v) v = uint32_t(std::random_device{}());
  char buf[12];
  std::snprintf(buf, sizeof buf, "%08x", v);
  return buf;
}

bool name_taken(const std::string& name) {  // name starts with '/'
  struct stat st;
  return lstat(("/dev/shm" + name).c_str(), &st) == 0 || lstat(("/dev/mqueue" + name).c_str(), &st) == 0;
}

}  // namespace

// The run's name for `base`; one that someone else already made (a planted
// name, a stale object) is skipped for one with a random suffix.
std::string RunContextImpl::object_name(std::string_view base) {
  std::string clean;
  for (char c : base) clean.push_back((c == '/' || c == ' ') ? '_' : c);
  for (const auto& [b, name] : names_)
    if (b == clean) return name;
  std::string name = prefix_ + "." + clean;
  for (int tries = 0; name_taken(name) && tries < 16; ++tries) name = prefix_ + "." + clean + "." + random_suffix();
  names_.emplace_back(clean, name);
  cleanup::SignalBlock quiet;
  track(cleanup::Kind::ipc_name, name);  // before the mechanism creates it
  return name;
}

void RunContextImpl::track(cleanup::Kind kind, const std::string& name) {
  tracked_.push_back({kind, name, cleanup::add_name(kind, name.c_str())});
}

void* RunContextImpl::shm(std::string_view base, size_t bytes) {
  std::string name = object_name(base);
  int fd = -1;
  cleanup::SignalBlock quiet;  // created and registered as one step
  for (int tries = 0; tries < 16; ++tries) {
    fd = shm_open(name.c_str(), O_CREAT | O_EXCL | O_RDWR, 0600);
    if (fd >= 0 || errno != EEXIST) break;
    name = object_name(base) + "." + random_suffix();  // created by someone else since we looked
  }
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "shm_open " + name);
  track(cleanup::Kind::shm, name);
  size_t len = bytes ? bytes : 1;
  if (ftruncate(fd, static_cast<off_t>(len)) != 0) {
    int e = errno;
    close(fd);
    throw std::system_error(e, std::generic_category(), "ftruncate " + name);
  }
  // Reserve the pages now: on a full tmpfs ftruncate succeeds (the file is
  // sparse) and the first touch would raise SIGBUS; posix_fallocate fails with ENOSPC.
  if (int e = posix_fallocate(fd, 0, static_cast<off_t>(len)); e != 0) {
    close(fd);
    throw std::system_error(e, std::generic_category(), "posix_fallocate " + name + " (" + std::to_string(len) +
                                                           " bytes in /dev/shm)");
  }
  void* p = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  int e = errno;
  close(fd);
  if (p == MAP_FAILED) throw std::system_error(e, std::generic_category(), "mmap " + name);
  maps_.push_back({p, len});
  return p;
}

// Inside the engine's own 0700 socket folder: "<run>.<base>.sock".
std::string RunContextImpl::socket_path(std::string_view base) {
  std::string clean;
  for (char c : base) clean.push_back((c == '/' || c == ' ') ? '_' : c);
  std::string path = sock_dir_ + "/" + prefix_.substr(prefix_.rfind('.') + 1) + "." + clean + ".sock";
  if (path.size() >= 108) throw std::length_error("socket path too long: " + path);
  track(cleanup::Kind::file, path);
  return path;
}

void RunContextImpl::track_mqueue(const std::string& name) { track(cleanup::Kind::mqueue, name); }
void RunContextImpl::track_shm_name(const std::string& name) { track(cleanup::Kind::shm, name); }

void RunContextImpl::give_fd(int fd, int actor) {
  if (!owned_) throw std::logic_error("give_fd: this run context has no actors");
  if (actor >= actors_) throw std::invalid_argument("give_fd: no actor " + std::to_string(actor) + " in this run");
  owned_->add(fd, actor);
}

void RunContextImpl::fail(std::string message) {
  if (failure_.empty()) failure_ = std::move(message);
}

void RunContextImpl::release() {
  if (owned_) owned_->release();
  for (auto& m : maps_) munmap(m.addr, m.len);
  maps_.clear();
  for (auto& t : tracked_) {
    cleanup::unlink_now(t.kind, t.name.c_str());
    cleanup::remove_name(t.handle);
  }
  tracked_.clear();
}

}  // namespace ipcrace
