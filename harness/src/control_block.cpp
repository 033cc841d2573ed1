#include "control_block.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <new>
#include <cerrno>
#include <stdexcept>
#include <system_error>

#include "futex.hpp"

namespace ipcrace {

void ControlBlock::reset() {
  ctl.store(0, rlx);
  go.store(0, rlx);
  failed.store(0, rlx);
  fail_len.store(0, rlx);
  steps.store(0, rlx);
  history.count.store(0, rlx);
  for (auto& s : slots) {
    s.state.store(kIdle, rlx);
    s.kind.store(0, rlx);
    s.resource.store(0, rlx);
    s.label.store(nullptr, rlx);
    s.abort.store(0, rlx);
    s.order.store(0, rlx);
    s.size.store(0, rlx);
    s.addr.store(0, rlx);
    s.faults.store(0, rlx);
    s.fault.store(0, rlx);
    s.has_outcome.store(0, rlx);
    s.pid.store(0, rlx);
    s.tid.store(0, rlx);
    s.ppid.store(0, rlx);
    s.thread.store(0, rlx);
    s.exit_how.store(kExitNone, rlx);
    s.exit_status.store(-1, rlx);
    s.killed_by.store(0, rlx);
    s.sigs.store(0, rlx);
    s.deadline.store(0, rlx);
    s.alarm.store(0, rlx);
    s.alarm_every.store(0, rlx);
    s.nbytes.store(0, rlx);
  }
  exec.nactors.store(1, rlx);
  exec.pid0.store(0, rlx);
  exec.clock_ns.store(int64_t(1000) * 1000000000, rlx);  // 1000 s of uptime
  exec.names.count.store(0, rlx);
}

void ControlBlock::wake_controller() {
  ctl.fetch_add(1, rlx);
  detail::futex_wake(&ctl, 1);
}

void ControlBlock::record_failure(const char* msg, size_t len) {
  uint32_t expected = 0;
  if (!failed.compare_exchange_strong(expected, 1, rlx, rlx)) return;
  if (len > kFailMax) len = kFailMax;
  for (size_t i = 0; i < len; ++i) fail_msg[i].store(msg[i], rlx);
  fail_len.store(static_cast<uint32_t>(len), rlx);
  fail_step.store(steps.load(rlx), rlx);
  failed.store(2, rlx);
}

std::string ControlBlock::failure() const {
  if (failed.load(rlx) == 0) return {};
  std::string out;
  uint32_t n = fail_len.load(rlx);
  for (uint32_t i = 0; i < n; ++i) out.push_back(fail_msg[i].load(rlx));
  return out;
}

// In a memfd, so that exec mode can hand it to a program it starts.
ControlBlock* map_control_block() {
  int fd = memfd_create("ipcrace-control", MFD_CLOEXEC);
  if (fd < 0 || ftruncate(fd, sizeof(ControlBlock)) != 0) {
    const int e = errno;  // EMFILE, EFBIG (ulimit -f): a resource error, exit 41
    if (fd >= 0) close(fd);
    throw std::system_error(e, std::generic_category(), "memfd for the control block");
  }
  void* p = mmap(nullptr, sizeof(ControlBlock), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) {
    const int e = errno;
    close(fd);
    throw std::system_error(e, std::generic_category(), "mmap of the control block");
  }
  auto* cb = new (p) ControlBlock();
  cb->fd = fd;
  cb->exec.layout.store(sizeof(ControlBlock), rlx);
  return cb;
}

void unmap_control_block(ControlBlock* cb) {
  if (!cb) return;
  int fd = cb->fd;
  cb->~ControlBlock();
  munmap(cb, sizeof(ControlBlock));
  if (fd >= 0) close(fd);
}

}  // namespace ipcrace
