// Interposed stdio reads of IPC streams (fdopen'ed pipes and sockets, a
// pipe on stdin): glibc's FILE functions read through its internal read,
// which the runtime cannot see, so a reader waiting for a line in fgets
// blocked the one running actor in the kernel. Here, on a FILE whose
// descriptor is a blocking pipe, FIFO or socket, every refill of the buffer
// waits first, as tries, until the descriptor is readable (data, end of
// file or an error), so the real refill does not block: the line readers
// (fgets, getline, getdelim) and fread take the characters one refill at a
// time; fgetc/getc/getchar and fscanf/scanf wait before the call. Other
// FILEs, and everything when the thread is no actor, pass through.
// glibc's optimised headers define getline and getchar inline; these are
// the interposers.
#define __NO_INLINE__ 1
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <fcntl.h>

#include "rt.hpp"

using namespace ipcrace;
using namespace ipcrace::rt;

namespace {

// Whether `f` reads a blocking IPC stream; its resource.
bool ipc_stream(FILE* f, uint16_t* res) {
  if (!active() || !f) return false;
  const int fd = f->_fileno;
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0 || !(S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))) return false;
  if (fcntl(fd, F_GETFL) & O_NONBLOCK) return false;
  *res = res_of_fd(fd);
  return true;
}

// Characters left in the buffer: the next getc reads none from the descriptor.
bool buffered(FILE* f) { return f && f->_IO_read_ptr < f->_IO_read_end; }

// Before a refill of an empty buffer: a point, then tries until readable.
void refill_wait(FILE* f, uint16_t res, const void* pc) {
  if (buffered(f)) return;  // no read
  const int fd = f->_fileno;
  blocking(OpKind::read, res, pc, [&] {
    pollfd p{fd, POLLIN, 0};
    return IPCRACE_REAL(poll)(&p, 1, 0) != 0;
  });
}

// The next character of an IPC stream (EOF at its end or an error).
int next_char(FILE* f, uint16_t res, const void* pc) {
  refill_wait(f, res, pc);
  return IPCRACE_REAL(fgetc)(f);
}

ssize_t getdelim_ipc(char** line, size_t* cap, int delim, FILE* f, uint16_t res, const void* pc) {
  if (!line || !cap) return -1;
  size_t n = 0;
  for (;;) {
    const int c = next_char(f, res, pc);
    if (c == EOF) break;
    if (n + 2 > *cap) {
      const size_t want = *cap < 120 ? 120 : *cap * 2;
      char* p = static_cast<char*>(realloc(*line, want));
      if (!p) return -1;
      *line = p;
      *cap = want;
    }
    (*line)[n++] = char(c);
    if (c == delim) break;
  }
  if (n == 0) return -1;
  (*line)[n] = 0;
  return ssize_t(n);
}

}  // namespace

extern "C" {

char* fgets(char* s, int size, FILE* f) {
  uint16_t res;
  if (!ipc_stream(f, &res)) return IPCRACE_REAL(fgets)(s, size, f);
  const void* pc = IPCRACE_PC;
  int n = 0;
  while (n + 1 < size) {
    const int c = next_char(f, res, pc);
    if (c == EOF) break;
    s[n++] = char(c);
    if (c == '\n') break;
  }
  if (n == 0 && size > 1) return nullptr;
  if (size > 0) s[n] = 0;
  return s;
}
ssize_t getdelim(char** line, size_t* cap, int delim, FILE* f) {
  uint16_t res;
  if (!ipc_stream(f, &res)) return IPCRACE_REAL(getdelim)(line, cap, delim, f);
  return getdelim_ipc(line, cap, delim, f, res, IPCRACE_PC);
}
ssize_t getline(char** line, size_t* cap, FILE* f) {
  uint16_t res;
  if (!ipc_stream(f, &res)) return IPCRACE_REAL(getline)(line, cap, f);
  return getdelim_ipc(line, cap, '\n', f, res, IPCRACE_PC);
}
size_t fread(void* p, size_t size, size_t n, FILE* f) {
  uint16_t res;
  if (!ipc_stream(f, &res) || size == 0) return IPCRACE_REAL(fread)(p, size, n, f);
  const void* pc = IPCRACE_PC;
  auto* out = static_cast<unsigned char*>(p);
  const size_t want = size * n;
  size_t got = 0;
  while (got < want) {
    refill_wait(f, res, pc);
    // What the buffer holds (at least one byte after the wait unless at end
    // of file): the real fread of that much does at most one refill.
    size_t avail = size_t(f->_IO_read_end - f->_IO_read_ptr);
    if (avail == 0) avail = 1;
    const size_t take = want - got < avail ? want - got : avail;
    const size_t r = IPCRACE_REAL(fread)(out + got, 1, take, f);
    got += r;
    if (r < take) break;  // end of file or an error
  }
  return got / size;
}
int fgetc(FILE* f) {
  uint16_t res;  // (a buffered character: no descriptor check, no point)
  if (!buffered(f) && ipc_stream(f, &res)) refill_wait(f, res, IPCRACE_PC);
  return IPCRACE_REAL(fgetc)(f);
}
int getc(FILE* f) {
  uint16_t res;  // (a buffered character: no descriptor check, no point)
  if (!buffered(f) && ipc_stream(f, &res)) refill_wait(f, res, IPCRACE_PC);
  return IPCRACE_REAL(getc)(f);
}
int _IO_getc(FILE* f) { return getc(f); }
int getchar(void) { return getc(stdin); }
// (glibc's headers name these __isoc99_vfscanf, __isoc99_fscanf and
// __isoc99_scanf: the symbols C99 programs call.)
}  // extern "C"
namespace {
int scan(FILE* f, const char* fmt, va_list ap, const void* pc) {
  uint16_t res;
  if (ipc_stream(f, &res)) refill_wait(f, res, pc);
  using Vfscanf = int (*)(FILE*, const char*, va_list);
  static auto real_vfscanf = reinterpret_cast<Vfscanf>(real("__isoc99_vfscanf"));
  return real_vfscanf(f, fmt, ap);
}
}  // namespace
extern "C" {
int vfscanf(FILE* f, const char* fmt, va_list ap) { return scan(f, fmt, ap, IPCRACE_PC); }
int fscanf(FILE* f, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  const int r = scan(f, fmt, ap, IPCRACE_PC);
  va_end(ap);
  return r;
}
int scanf(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  const int r = scan(stdin, fmt, ap, IPCRACE_PC);
  va_end(ap);
  return r;
}

// The write side: what a FILE buffers reaches the pipe or socket at a flush
// (glibc's internal write: no point), so fflush and fclose of an IPC stream
// (not stdout or stderr, ipcrace's capture) are points of their own; their
// completion re-enables a reader blocked on that stream.
int fflush(FILE* f) {
  uint16_t res;
  if (f && f->_fileno > 2 && ipc_stream(f, &res)) point(OpKind::write, res, IPCRACE_PC);
  return IPCRACE_REAL(fflush)(f);
}
int fclose(FILE* f) {
  uint16_t res;
  if (f && f->_fileno > 2 && ipc_stream(f, &res)) point(OpKind::close, res, IPCRACE_PC);
  return IPCRACE_REAL(fclose)(f);
}

}  // extern "C"
