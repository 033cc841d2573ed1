// Encoded items for model states (private to harness/src/oracles/): an item is
// 'i' + 8 bytes (an integer) or 's' + 4-byte length + bytes (a string); a
// value is its items one after another, so models compare and splice bytes.
#pragma once
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

#include "ipcrace/oracles.hpp"

namespace ipcrace::model {

inline void put_u32(std::string& s, uint32_t v) { s.append(reinterpret_cast<const char*>(&v), 4); }
inline uint32_t get_u32(const std::string& s, size_t pos) {
  uint32_t v;
  std::memcpy(&v, s.data() + pos, 4);
  return v;
}
inline void put_int(std::string& s, int64_t v) { s.append(reinterpret_cast<const char*>(&v), 8); }
inline int64_t get_int(const std::string& s, size_t pos) {
  int64_t v;
  std::memcpy(&v, s.data() + pos, 8);
  return v;
}
inline void put_item(std::string& s, int64_t v) {
  s.push_back('i');
  put_int(s, v);
}
inline void put_item(std::string& s, const std::string& v) {
  s.push_back('s');
  put_u32(s, uint32_t(v.size()));
  s += v;
}
// End of the item that starts at `pos`.
inline size_t item_end(const std::string& s, size_t pos) {
  return s[pos] == 'i' ? pos + 9 : pos + 5 + get_u32(s, pos + 1);
}
inline std::string encode(const Value& v) {
  std::string s;
  for (int64_t x : v.v) put_item(s, x);
  for (const auto& x : v.s) put_item(s, x);
  return s;
}
// The items of s[b, e) as a value (not nil; all of one type, as validated).
inline Value decode(const std::string& s, size_t b = 0, size_t e = std::string::npos) {
  if (e == std::string::npos) e = s.size();
  Value v = Value::empty_list();
  while (b < e) {
    size_t n = item_end(s, b);
    if (s[b] == 'i')
      v.v.push_back(get_int(s, b + 1));
    else
      v.s.emplace_back(s.data() + b + 5, n - b - 5);
    b = n;
  }
  return v;
}

std::unique_ptr<Model> make_register(bool cas);
std::unique_ptr<Model> make_counter();
std::unique_ptr<Model> make_queue();
// A cas (register, kv): the input is the expected item followed by the new
// one. ok: the compare held, the new item is the state. fail: the compare ran
// and did not hold (nothing written); a fail whose compare held at every
// possible point is not linearizable.
inline bool cas_step(const ModelState& s, const Operation& op, ModelState* next) {
  const size_t mid = item_end(op.in_enc, 0);
  const bool held = s.size() == mid && op.in_enc.compare(0, mid, s) == 0;
  if (op.outcome == EventType::fail) {
    *next = s;
    return !held;
  }
  if (!held) return false;
  *next = op.in_enc.substr(mid);
  return true;
}

std::unique_ptr<Model> make_kv();
std::unique_ptr<Model> make_list_append();
std::unique_ptr<Model> make_set();

}  // namespace ipcrace::model
