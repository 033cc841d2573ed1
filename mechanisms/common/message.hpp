// Self-checking messages for the byte-stream and datagram families (pipe,
// socket): a header naming the sender, its sequence number and the payload
// length, plus a checksum over all of them and the payload. The reader's Checker turns every message it gets into a verdict:
// torn (too short), interleaved or corrupt (checksum), lost, duplicated or
// reordered (per-sender sequence).
#pragma once
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "ipcrace/actor.hpp"

namespace ipcrace::framing {

inline constexpr uint32_t kMagic = 0x1bc0ace5;

struct MsgHeader {
  uint32_t magic;
  uint16_t sender;
  uint16_t seq;
  uint32_t len;  // payload bytes after the header
  uint32_t sum;
};
static_assert(sizeof(MsgHeader) == 16);

inline uint32_t checksum(uint16_t sender, uint16_t seq, const unsigned char* p, size_t n) {
  uint32_t h = 2166136261u;  // FNV-1a
  auto mix = [&h](uint32_t byte) { h = (h ^ byte) * 16777619u; };
  mix(sender & 0xff), mix(sender >> 8), mix(seq & 0xff), mix(seq >> 8);
  for (size_t i = 0; i < n; ++i) mix(p[i]);
  return h ^ uint32_t(n);
}

// Message `seq` of actor `a`: header + `len` payload bytes from the actor's rng.
inline std::vector<unsigned char> make_message(Actor& a, uint16_t seq, uint32_t len) {
  std::vector<unsigned char> m(sizeof(MsgHeader) + len);
  for (uint32_t i = 0; i < len; ++i) m[sizeof(MsgHeader) + i] = static_cast<unsigned char>(a.rng().next());
  MsgHeader h{kMagic, static_cast<uint16_t>(a.index()), seq, len, 0};
  h.sum = checksum(h.sender, seq, m.data() + sizeof(MsgHeader), len);
  std::memcpy(m.data(), &h, sizeof h);
  return m;
}

// Reader side: senders are actors [first, first + senders), each sends
// `per_sender` messages of `len` payload bytes.
class Checker {
 public:
  Checker(int first, int senders, int per_sender, uint32_t len)
      : first_(first), per_sender_(per_sender), len_(len), next_(size_t(senders > 0 ? senders : 0), 0) {}

  // "" when `m` (n bytes, meant to be one whole message) is the next expected
  // message of its sender; otherwise what is wrong with it.
  std::string check(const unsigned char* m, size_t n) {
    const size_t want = sizeof(MsgHeader) + len_;
    if (n < sizeof(MsgHeader))
      return "torn message: got " + std::to_string(n) + " bytes, less than a header";
    MsgHeader h;
    std::memcpy(&h, m, sizeof h);
    if (h.magic != kMagic) return "corrupt message: bad magic (bytes of another message in its place)";
    const int s = int(h.sender) - first_;
    if (s < 0 || s >= int(next_.size())) return "corrupt message: unknown sender " + std::to_string(h.sender);
    const std::string who = " (sender " + std::to_string(h.sender) + " seq " + std::to_string(h.seq) + ")";
    if (h.len != len_) return "corrupt message: length " + std::to_string(h.len) + who;
    if (n < want)
      return "torn message: got " + std::to_string(n) + " of " + std::to_string(want) + " bytes" + who;
    if (n > want) return "merged messages: got " + std::to_string(n) + " bytes for one message of " +
                         std::to_string(want) + who;
    if (checksum(h.sender, h.seq, m + sizeof h, h.len) != h.sum)
      return "interleaved message: checksum mismatch, the payload holds bytes of another message" + who;
    if (h.seq != next_[size_t(s)])
      return "sender " + std::to_string(h.sender) + ": got seq " + std::to_string(h.seq) + ", expected " +
             std::to_string(next_[size_t(s)]) + " (lost, duplicated or reordered)";
    ++next_[size_t(s)];
    ++received_;
    return "";
  }
  int received() const { return received_; }
  int expected() const { return int(next_.size()) * per_sender_; }

 private:
  int first_;
  int per_sender_;
  uint32_t len_;
  std::vector<int> next_;
  int received_ = 0;
};

}  // namespace ipcrace::framing
