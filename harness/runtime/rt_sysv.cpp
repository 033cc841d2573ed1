// Interposed System V IPC: message queues (msgsnd/msgrcv) and semaphore sets
// (semop/semtimedop). Each call is a point on its object; one that would
// block runs as tries of the real call with IPC_NOWAIT (rt.hpp: blocking),
// a semtimedop's timeout is virtual time. (System V shared memory is
// rt_libc.cpp's shmat: its accesses are points.) The objects a run creates
// are recorded (msgget/semget/shmget with IPC_CREAT) and removed after it,
// unless another process has since taken the id (cleanup.cpp checks the
// creation time and the creator).
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>

#include "rt.hpp"

using namespace ipcrace;
using namespace ipcrace::rt;

namespace {

constexpr uint64_t kMsgTag = uint64_t(0x4d53) << 48, kSemTag = uint64_t(0x5345) << 48;

uint16_t res_of_object(uint64_t tag, int id) {
  return static_cast<uint16_t>(0x100 + object_index(tag + uint64_t(unsigned(id))) % 0x7e00);
}

// Records a System V object the program created, for removal after the run:
// "<kind> <id> <ctime> <uid>" (cleanup.cpp, Kind::sysv).
void record_sysv(char kind, int id, long ctime, unsigned uid) {
  char buf[64];
  snprintf(buf, sizeof buf, "%c %d %ld %u", kind, id, ctime, uid);
  record_name(6, buf);
}

}  // namespace

extern "C" {

int msgget(key_t key, int flg) {
  const int id = IPCRACE_REAL(msgget)(key, flg);
  struct msqid_ds ds;
  if (id >= 0 && (flg & IPC_CREAT) && g_cb && msgctl(id, IPC_STAT, &ds) == 0)
    record_sysv('m', id, long(ds.msg_ctime), unsigned(ds.msg_perm.cuid));
  return id;
}
int semget(key_t key, int n, int flg) {
  const int id = IPCRACE_REAL(semget)(key, n, flg);
  struct semid_ds ds;
  if (id >= 0 && (flg & IPC_CREAT) && g_cb && semctl(id, 0, IPC_STAT, &ds) == 0)
    record_sysv('s', id, long(ds.sem_ctime), unsigned(ds.sem_perm.cuid));
  return id;
}
int shmget(key_t key, size_t size, int flg) {
  const int id = IPCRACE_REAL(shmget)(key, size, flg);
  struct shmid_ds ds;
  if (id >= 0 && (flg & IPC_CREAT) && g_cb && shmctl(id, IPC_STAT, &ds) == 0)
    record_sysv('h', id, long(ds.shm_ctime), unsigned(ds.shm_perm.cuid));
  return id;
}

int msgsnd(int id, const void* p, size_t n, int flg) {
  auto f = IPCRACE_REAL(msgsnd);
  if (!active()) return f(id, p, n, flg);
  int r = 0, err = 0;
  blocking(OpKind::send, res_of_object(kMsgTag, id), IPCRACE_PC, [&] {
    r = f(id, p, n, flg | IPC_NOWAIT);
    err = errno;
    return !(r < 0 && err == EAGAIN && !(flg & IPC_NOWAIT));
  });
  errno = err;
  return r;
}
ssize_t msgrcv(int id, void* p, size_t n, long type, int flg) {
  auto f = IPCRACE_REAL(msgrcv);
  if (!active()) return f(id, p, n, type, flg);
  ssize_t r = 0;
  int err = 0;
  blocking(OpKind::recv, res_of_object(kMsgTag, id), IPCRACE_PC, [&] {
    r = f(id, p, n, type, flg | IPC_NOWAIT);
    err = errno;
    return !(r < 0 && err == ENOMSG && !(flg & IPC_NOWAIT));
  });
  errno = err;
  return r;
}

int semtimedop(int id, struct sembuf* ops, size_t n, const struct timespec* t) {
  auto f = IPCRACE_REAL(semtimedop);
  struct sembuf tries[64];
  if (!active() || n == 0 || n > 64) return f(id, ops, n, t);
  bool waits = false, nowait = true;
  for (size_t i = 0; i < n; ++i) {
    tries[i] = ops[i];
    tries[i].sem_flg = short(tries[i].sem_flg | IPC_NOWAIT);
    waits = waits || ops[i].sem_op <= 0;
    nowait = nowait && (ops[i].sem_flg & IPC_NOWAIT);
  }
  const int64_t deadline = t ? rel_deadline(int64_t(t->tv_sec) * 1000000000 + t->tv_nsec) : 0;
  int r = 0, err = 0;
  const bool done = timed_blocking(waits ? OpKind::sem_wait : OpKind::sem_post, res_of_object(kSemTag, id), IPCRACE_PC, deadline, [&] {
    r = f(id, tries, n, nullptr);
    err = errno;
    return !(r < 0 && err == EAGAIN && !nowait);
  });
  if (!done) {
    errno = EAGAIN;  // timed out (virtual time)
    return -1;
  }
  errno = err;
  return r;
}
int semop(int id, struct sembuf* ops, size_t n) { return semtimedop(id, ops, n, nullptr); }

}  // extern "C"
