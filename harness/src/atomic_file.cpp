#include "ipcrace/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace ipcrace {
namespace {

std::string temp_template(const std::string& path) {
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash == 0 ? 1 : slash);
  const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  return dir + (dir.back() == '/' ? "" : "/") + "." + base + ".tmp.XXXXXX";
}

}  // namespace

void write_file_atomic(const std::string& path, std::string_view data) {
  std::string tmp = temp_template(path);
  int fd = mkostemp(tmp.data(), O_CLOEXEC);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "create a temp file for " + path);
  auto fail = [&](const char* what) {
    int e = errno;
    close(fd);
    unlink(tmp.c_str());
    throw std::system_error(e, std::generic_category(), std::string(what) + " " + path);
  };
  const mode_t mask = umask(0);
  umask(mask);
  if (fchmod(fd, 0666 & ~mask) != 0) fail("chmod");
  size_t off = 0;
  while (off < data.size()) {
    ssize_t w = write(fd, data.data() + off, data.size() - off);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) fail("write");
    off += size_t(w);
  }
  if (fsync(fd) != 0 && errno != EINVAL) fail("fsync");
  if (close(fd) != 0) {
    int e = errno;
    unlink(tmp.c_str());
    throw std::system_error(e, std::generic_category(), "close " + path);
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    unlink(tmp.c_str());
    throw std::system_error(e, std::generic_category(), "rename into " + path);
  }
}

std::string check_writable_dir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path p = fs::absolute(dir, ec);
  if (ec) return "bad path '" + dir + "'";
  // The folder, or the nearest folder above it that exists (it is made at the first finding).
  while (!fs::exists(fs::symlink_status(p, ec)) && p.has_parent_path() && p != p.parent_path()) p = p.parent_path();
  if (!fs::is_directory(p, ec)) return "'" + p.string() + "' is not a directory";
  std::string tmp = (p / ".ipcrace-write-check.XXXXXX").string();
  int fd = mkostemp(tmp.data(), O_CLOEXEC);
  if (fd < 0) return "cannot create files in '" + p.string() + "': " + std::strerror(errno);
  close(fd);
  unlink(tmp.c_str());
  return "";
}

std::string check_input_file(const std::string& path, size_t cap) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return "cannot open " + path + ": " + std::strerror(errno);
  if (!S_ISREG(st.st_mode))
    return path + ": not a regular file (" +
           (S_ISDIR(st.st_mode) ? "a directory" : S_ISFIFO(st.st_mode) ? "a FIFO" : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device" : "a socket or other") +
           "); input files must be regular files";
  if (size_t(st.st_size) > cap)
    return path + ": " + std::to_string(st.st_size) + " bytes, more than the " + std::to_string(cap >> 20) +
           " MiB an input file may have";
  return "";
}

}  // namespace ipcrace
