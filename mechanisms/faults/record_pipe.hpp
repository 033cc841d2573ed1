// Fixed-size records over a real pipe (pipe2, O_NONBLOCK), written and read
// through ipcrace/io.hpp so that the schedule can make a read or write short
// or interrupted (EINTR). One writer (actor 1) sends `messages` records and a
// final end record; the reader (actor 0) reads until the end record and
// checks every record whole, in order, none missing.
//
//   naive reader    one read() is one record (the bug a short read reveals)
//   naive writer    one write() per record, a failure is not retried (EINTR)
//   robust reader   reads until the record is complete; retries on EINTR
//   robust writer   writes until the record is complete; retries on EINTR
#pragma once
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>

#include "ipcrace/io.hpp"
#include "ipcrace/target.hpp"

namespace ipcrace::faults {

inline constexpr uint32_t kRecMagic = 0x5eccd0c5;
inline constexpr uint32_t kEndSeq = 0xffffffff;

struct Record {
  uint32_t magic;
  uint32_t seq;  // kEndSeq: the end record; then `sum` is how many were sent
  uint32_t sum;
  char payload[52];
};
static_assert(sizeof(Record) == 64);  // below PIPE_BUF: one write(2) of it is atomic

inline uint32_t record_sum(const Record& r) {
  uint32_t h = 2166136261u ^ r.seq;
  for (char c : r.payload) h = (h ^ uint8_t(c)) * 16777619u;
  return h;
}

inline Record make_record(Actor& a, uint32_t seq) {
  Record r{kRecMagic, seq, 0, {}};
  for (char& c : r.payload) c = char(a.rng().next());
  r.sum = record_sum(r);
  return r;
}

class RecordPipe {
 public:
  void open(RunContext& ctx) {
    if (pipe2(fd_, O_NONBLOCK | O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe2");
    res_ = ctx.resource("pipe");
    got_ = ctx.shm_new<int>("records.got", -1);
  }
  void close() {
    for (int& f : fd_)
      if (f >= 0) ::close(f), f = -1;
  }

  // Writer: `n` records, then the end record.
  void writer(Actor& a, int n, bool robust) {
    for (int i = 0; i <= n; ++i) {
      Record r = make_record(a, i == n ? kEndSeq : uint32_t(i));
      if (i == n) r.sum = uint32_t(n);
      robust ? write_all(r) : write_once(r);
    }
  }

  // Reader: until the end record; "" or what is wrong.
  std::string reader(bool robust) {
    for (uint32_t want = 0;; ++want) {
      Record r{};
      if (robust) {
        read_all(r);
      } else {
        const ssize_t k = io::read(fd_[0], &r, sizeof r, res_, "reader.read");
        if (k != ssize_t(sizeof r))
          return "one read() returned " + std::to_string(k) + (k < 0 ? std::string(" (") + std::strerror(errno) + ")" : "") +
                 " of " + std::to_string(sizeof r) + " bytes; the reader took it for a whole record";
      }
      if (r.magic != kRecMagic) return "record " + std::to_string(want) + ": bad magic (torn record)";
      if (r.seq == kEndSeq) {
        *got_ = int(want);
        if (r.sum != want)
          return "writer sent " + std::to_string(r.sum) + " records, reader got " + std::to_string(want);
        return {};
      }
      if (r.seq != want) return "expected record " + std::to_string(want) + ", got record " + std::to_string(r.seq) +
                                " (a record was lost)";
      if (r.sum != record_sum(r)) return "record " + std::to_string(want) + ": checksum mismatch";
    }
  }
  int got() const { return *got_; }

 private:
  void write_once(const Record& r) { (void)io::write(fd_[1], &r, sizeof r, res_, "writer.write"); }
  void write_all(const Record& r) {
    const char* p = reinterpret_cast<const char*>(&r);
    for (size_t done = 0; done < sizeof r;) {
      const ssize_t k = io::write(fd_[1], p + done, sizeof r - done, res_, "writer.write");
      if (k < 0 && errno == EINTR) continue;
      if (k < 0) throw std::system_error(errno, std::generic_category(), "write");
      done += size_t(k);
    }
  }
  void read_all(Record& r) {
    char* p = reinterpret_cast<char*>(&r);
    for (size_t done = 0; done < sizeof r;) {
      const ssize_t k = io::read(fd_[0], p + done, sizeof r - done, res_, "reader.read");
      if (k < 0 && errno == EINTR) continue;
      if (k <= 0) throw std::system_error(k < 0 ? errno : EPIPE, std::generic_category(), "read");
      done += size_t(k);
    }
  }

  int fd_[2] = {-1, -1};
  Resource res_;
  int* got_ = nullptr;
};

}  // namespace ipcrace::faults
