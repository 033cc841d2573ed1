// Message oracles: conservation, per-sender FIFO, payload integrity, invariants.
#include <array>
#include <cstring>
#include <map>
#include <set>

#include "ipcrace/oracles.hpp"

namespace ipcrace {
namespace {

std::string msg_name(const Message& m) {
  return "message " + std::to_string(m.seq) + " of sender " + std::to_string(m.sender);
}

void put_u32(char* p, uint32_t v) { std::memcpy(p, &v, 4); }
uint32_t get_u32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

}  // namespace

OracleResult check_conservation(const std::vector<Message>& sent, const std::vector<Delivery>& received,
                                const std::vector<Message>& may_be_lost) {
  std::map<std::pair<int, uint64_t>, int> count;
  for (const auto& m : sent) {
    if (count.count({m.sender, m.seq})) return OracleResult::failure("sent twice: " + msg_name(m));
    count[{m.sender, m.seq}] = 0;
  }
  std::set<std::pair<int, uint64_t>> unfinished;
  for (const auto& m : may_be_lost) {
    if (!count.count({m.sender, m.seq}))
      return OracleResult::failure("the target allows the loss of " + msg_name(m) + ", which was never sent");
    unfinished.insert({m.sender, m.seq});
  }
  for (const auto& d : received) {
    auto it = count.find({d.msg.sender, d.msg.seq});
    if (it == count.end())
      return OracleResult::failure("invented: receiver " + std::to_string(d.receiver) + " got " + msg_name(d.msg) +
                                   ", which was never sent");
    if (++it->second > 1)
      return OracleResult::failure("duplicated: " + msg_name(d.msg) + " received " + std::to_string(it->second) +
                                   " times (again by receiver " + std::to_string(d.receiver) + ")");
  }
  size_t lost = 0;
  std::string first;
  for (const auto& [k, c] : count)
    if (c == 0 && !unfinished.count(k) && lost++ == 0) first = msg_name(Message{k.first, k.second});
  if (lost)
    return OracleResult::failure("lost: " + std::to_string(lost) + " of " + std::to_string(sent.size()) +
                                 " messages never received (first: " + first + ")");
  return OracleResult::pass();
}

OracleResult check_fifo(const std::vector<Delivery>& received) {
  std::map<std::pair<int, int>, uint64_t> last;  // (receiver, sender) -> last seq + 1
  for (const auto& d : received) {
    auto k = std::make_pair(d.receiver, d.msg.sender);
    auto it = last.find(k);
    if (it != last.end() && d.msg.seq < it->second)
      return OracleResult::failure("out of order: receiver " + std::to_string(d.receiver) + " got " + msg_name(d.msg) +
                                   " after message " + std::to_string(it->second - 1) + " of the same sender");
    last[k] = d.msg.seq + 1;
  }
  return OracleResult::pass();
}

uint32_t crc32(const void* data, size_t n, uint32_t crc) {
  static const auto table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  crc = ~crc;
  const auto* p = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < n; ++i) crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
  return ~crc;
}

// Layout: u32 sender, u32 seq low, u32 seq high, u32 length, u32 crc over
// bytes [0, 16) and [20, length), then filler derived from (sender, seq).
std::string make_payload(int sender, uint64_t seq, size_t size) {
  if (size < kPayloadHeader) size = kPayloadHeader;
  std::string b(size, '\0');
  put_u32(&b[0], uint32_t(sender));
  put_u32(&b[4], uint32_t(seq));
  put_u32(&b[8], uint32_t(seq >> 32));
  put_u32(&b[12], uint32_t(size));
  uint64_t x = (uint64_t(uint32_t(sender)) << 40) ^ seq ^ 0x9e3779b97f4a7c15ULL;
  for (size_t i = kPayloadHeader; i < size; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    b[i] = char('a' + x % 26);
  }
  uint32_t c = crc32(b.data(), 16);
  c = crc32(b.data() + kPayloadHeader, size - kPayloadHeader, c);
  put_u32(&b[16], c);
  return b;
}

OracleResult verify_payload(std::string_view b, Message* out) {
  if (b.size() < kPayloadHeader)
    return OracleResult::failure("short payload: " + std::to_string(b.size()) + " bytes, the header alone is " +
                                 std::to_string(kPayloadHeader));
  uint32_t len = get_u32(&b[12]);
  if (len != b.size())
    return OracleResult::failure("torn payload: header says " + std::to_string(len) + " bytes, got " +
                                 std::to_string(b.size()));
  uint32_t c = crc32(b.data(), 16);
  c = crc32(b.data() + kPayloadHeader, b.size() - kPayloadHeader, c);
  Message m{int(get_u32(&b[0])), uint64_t(get_u32(&b[4])) | (uint64_t(get_u32(&b[8])) << 32)};
  if (c != get_u32(&b[16]))
    return OracleResult::failure("corrupt payload: checksum mismatch in " + msg_name(m) +
                                 " (torn or interleaved bytes)");
  if (out) *out = m;
  return OracleResult::pass();
}

OracleResult check_invariant(bool holds, std::string_view what, std::string_view observed) {
  if (holds) return OracleResult::pass();
  std::string m = "invariant violated: " + std::string(what);
  if (!observed.empty()) m += " (" + std::string(observed) + ")";
  return OracleResult::failure(std::move(m));
}

}  // namespace ipcrace
