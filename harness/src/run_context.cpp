#include "run_context.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

namespace ipcrace {

RunContextImpl::RunContextImpl(const Params* params, int actors, uint64_t seed, std::string prefix,
                               std::string sock_dir, std::vector<std::string>* resources)
    : params_(params), actors_(actors), seed_(seed), prefix_(std::move(prefix)), sock_dir_(std::move(sock_dir)),
      resources_(resources) {}

RunContextImpl::~RunContextImpl() { release(); }

Resource RunContextImpl::resource(const char* name) {
  for (size_t i = 0; i < resources_->size(); ++i)
    if ((*resources_)[i] == name) return Resource{static_cast<uint16_t>(i)};
  resources_->emplace_back(name);
  return Resource{static_cast<uint16_t>(resources_->size() - 1)};
}

std::string RunContextImpl::object_name(std::string_view base) {
  std::string clean;
  for (char c : base) clean.push_back((c == '/' || c == ' ') ? '_' : c);
  return prefix_ + "." + clean;
}

void RunContextImpl::track(cleanup::Kind kind, const std::string& name) {
  tracked_.push_back({kind, name, cleanup::add_name(kind, name.c_str())});
}

void* RunContextImpl::shm(std::string_view base, size_t bytes) {
  std::string name = object_name(base);
  int fd = shm_open(name.c_str(), O_CREAT | O_EXCL | O_RDWR, 0600);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "shm_open " + name);
  track(cleanup::Kind::shm, name);
  size_t len = bytes ? bytes : 1;
  if (ftruncate(fd, static_cast<off_t>(len)) != 0) {
    int e = errno;
    close(fd);
    throw std::system_error(e, std::generic_category(), "ftruncate " + name);
  }
  void* p = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  int e = errno;
  close(fd);
  if (p == MAP_FAILED) throw std::system_error(e, std::generic_category(), "mmap " + name);
  maps_.push_back({p, len});
  return p;
}

std::string RunContextImpl::socket_path(std::string_view base) {
  std::string path = sock_dir_ + "/" + object_name(base).substr(1) + ".sock";
  if (path.size() >= 108) throw std::length_error("socket path too long: " + path);
  track(cleanup::Kind::file, path);
  return path;
}

void RunContextImpl::track_mqueue(const std::string& name) { track(cleanup::Kind::mqueue, name); }
void RunContextImpl::track_shm_name(const std::string& name) { track(cleanup::Kind::shm, name); }

void RunContextImpl::fail(std::string message) {
  if (failure_.empty()) failure_ = std::move(message);
}

void RunContextImpl::release() {
  for (auto& m : maps_) munmap(m.addr, m.len);
  maps_.clear();
  for (auto& t : tracked_) {
    cleanup::unlink_now(t.kind, t.name.c_str());
    cleanup::remove_name(t.handle);
  }
  tracked_.clear();
}

}  // namespace ipcrace
