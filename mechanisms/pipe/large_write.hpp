// Several writers share one real pipe (pipe2 with O_NONBLOCK); one reader.
// Messages are larger than PIPE_BUF.
//   racy    each writer write()s its whole message; POSIX makes a write atomic
//           only up to PIPE_BUF bytes, so the kernel may split it (here: at
//           every PIPE_BUF boundary, each piece its own point) and pieces of
//           two writers interleave. The reader assumes one read() returns one
//           whole message. Bug class: torn / interleaved message.
//   framed  synchronised: each message goes out as frames of at most PIPE_BUF
//           bytes, each one write() (atomic per POSIX) with a header naming
//           sender, index and count; the reader reads frame header and body
//           until complete and reassembles per sender.
//   locked  synchronised: a writer lock (sync::Mutex on an interprocess_mutex)
//           held across all pieces of one message; the reader reads header,
//           then reads until the announced length is complete.
#pragma once
#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "ipcrace/io.hpp"
#include "ipcrace/target.hpp"
#include "pipe/message.hpp"
#include "sync/scheduled.hpp"

namespace ipcrace::pipe {

enum class PipeSync { none, framed, locked };

// A frame of the framed variant: at most PIPE_BUF bytes including this header.
struct FrameHeader {
  uint32_t magic;
  uint16_t sender;
  uint16_t index;  // frame index within the message
  uint16_t count;  // frames in the message
  uint16_t len;    // body bytes after this header
};
static_assert(sizeof(FrameHeader) == 12);
inline constexpr uint32_t kFrameMagic = 0xf4a3e5e1;
inline constexpr size_t kFrameBody = PIPE_BUF - sizeof(FrameHeader);

struct PipeState {
  sync::bip::interprocess_mutex lock;
};

class LargeWritePipe {
 public:
  // Setup: on a throw, what was opened is still closed by close().
  void open(RunContext& ctx, PipeSync sync) {
    sync_ = sync;
    if (pipe2(fd_, O_NONBLOCK | O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe2");
    res_ = ctx.resource("pipe");
    st_ = ctx.shm_new<PipeState>("pipe.state");
    lock_ = sync::Mutex(&st_->lock, ctx.resource("pipe.lock"));
  }
  void close() {
    for (int& f : fd_)
      if (f >= 0) ::close(f), f = -1;
  }

  // Writer: one whole message (header + payload).
  void send(const std::vector<unsigned char>& m) {
    switch (sync_) {
      case PipeSync::none: write_split(m.data(), m.size()); break;
      case PipeSync::locked:
        lock_.lock("pipe.writer_lock");
        write_split(m.data(), m.size());
        lock_.unlock("pipe.writer_unlock");
        break;
      case PipeSync::framed: {
        const size_t count = (m.size() + kFrameBody - 1) / kFrameBody;
        unsigned char frame[PIPE_BUF];
        for (size_t i = 0; i < count; ++i) {
          const size_t off = i * kFrameBody, len = std::min(kFrameBody, m.size() - off);
          FrameHeader fh{kFrameMagic, static_cast<uint16_t>(this_actor().index()), static_cast<uint16_t>(i),
                         static_cast<uint16_t>(count), static_cast<uint16_t>(len)};
          std::memcpy(frame, &fh, sizeof fh);
          std::memcpy(frame + sizeof fh, m.data() + off, len);
          write_atomic(frame, sizeof fh + len, "pipe.write_frame");
        }
        break;
      }
    }
  }

  // Reader: the next message into `out`. Returns "" or what is wrong with the
  // stream (the framed reader checks its frame headers).
  struct Reader {
    std::vector<std::vector<unsigned char>> partial;  // framed: per sender
  };
  std::string receive(Reader& r, std::vector<unsigned char>& out) {
    switch (sync_) {
      case PipeSync::none: {  // the bug: one read() is taken for one message
        out.resize(sizeof(MsgHeader) + this_actor().params().get("size"));
        const size_t n = this_actor().blocking(OpKind::read, res_, "pipe.read_message",
                                               [&] { return try_read(out.data(), out.size()); });
        out.resize(n);
        return "";
      }
      case PipeSync::locked: {
        MsgHeader h;
        read_exact(&h, sizeof h, "pipe.read_header");
        if (h.magic != kMagic || h.len > (1u << 24)) return "corrupt stream: bad message header";
        out.resize(sizeof h + h.len);
        std::memcpy(out.data(), &h, sizeof h);
        read_exact(out.data() + sizeof h, h.len, "pipe.read_body");
        return "";
      }
      case PipeSync::framed:
        for (;;) {
          FrameHeader fh;
          read_exact(&fh, sizeof fh, "pipe.read_frame_header");
          if (fh.magic != kFrameMagic || fh.len > kFrameBody || fh.index >= fh.count ||
              fh.sender >= this_actor().count())
            return "corrupt stream: bad frame header";
          if (r.partial.size() <= fh.sender) r.partial.resize(fh.sender + 1u);
          auto& buf = r.partial[fh.sender];
          if (fh.index != (buf.size() + kFrameBody - 1) / kFrameBody)
            return "sender " + std::to_string(fh.sender) + ": frame " + std::to_string(fh.index) + " out of order";
          const size_t at = buf.size();
          buf.resize(at + fh.len);
          read_exact(buf.data() + at, fh.len, "pipe.read_frame_body");
          if (fh.index + 1 == fh.count) {
            out = std::move(buf);
            buf.clear();
            return "";
          }
        }
    }
    return "unknown variant";
  }

 private:
  std::optional<size_t> try_read(void* p, size_t n) {
    const ssize_t got = ::read(fd_[0], p, n);
    if (got > 0) {
      this_actor().outcome(got, p, size_t(got));
      return size_t(got);
    }
    if (got < 0 && errno == EAGAIN) return std::nullopt;
    throw std::system_error(got == 0 ? EPIPE : errno, std::generic_category(), "pipe read");
  }
  // Through ipcrace/io.hpp: a read may be short or interrupted (faults), so
  // read until complete and retry EINTR; a write of at most PIPE_BUF bytes is
  // never short but may be interrupted: retried.
  void read_exact(void* p, size_t n, const char* label) {
    for (size_t done = 0; done < n;) {
      const ssize_t got = io::read(fd_[0], static_cast<char*>(p) + done, n - done, res_, label);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) throw std::system_error(got == 0 ? EPIPE : errno, std::generic_category(), "pipe read");
      done += size_t(got);
    }
  }
  // One write() of at most PIPE_BUF bytes: all of it or EAGAIN (POSIX).
  void write_atomic(const unsigned char* p, size_t n, const char* label) {
    for (;;) {
      const ssize_t put = io::write_atomic(fd_[1], p, n, res_, label);
      if (put == ssize_t(n)) return;
      if (put < 0 && errno == EINTR) continue;
      throw std::system_error(put < 0 ? errno : EIO, std::generic_category(), "pipe write");
    }
  }
  // A write() larger than PIPE_BUF as the kernel may perform it: in pieces.
  void write_split(const unsigned char* p, size_t n) {
    for (size_t off = 0; off < n; off += PIPE_BUF)
      write_atomic(p + off, std::min<size_t>(PIPE_BUF, n - off), "pipe.write_piece");
  }

  PipeSync sync_ = PipeSync::none;
  int fd_[2] = {-1, -1};
  Resource res_;
  PipeState* st_ = nullptr;
  sync::Mutex lock_;
};

}  // namespace ipcrace::pipe
