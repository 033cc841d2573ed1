// Fuzz inputs: decoding libFuzzer bytes into a run. See ipcrace/fuzz_input.hpp.
#include "ipcrace/fuzz_input.hpp"

#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace ipcrace {

std::pair<int64_t, int64_t> fuzz_param_range(const std::string& name, int64_t def) {
  if (is_role_param(name) || def < 0) return {def, def};
  return {def - def / 2, def + std::max<int64_t>(1, def / 2)};
}

FuzzInput decode_fuzz_input(const TargetInfo& target, const uint8_t* data, size_t size) {
  FuzzedDataProvider fdp(data, size);
  FuzzInput in;
  for (const auto& [name, def] : target.defaults.all()) {
    auto [lo, hi] = fuzz_param_range(name, def);
    int64_t v = def;
    if (hi > lo) {
      // 0 -> default, 1 -> +1, 2 -> -1, 3 -> +2, ...; out of range -> clamped.
      const uint64_t span = uint64_t(hi - lo) * 2;
      const uint64_t z = fdp.ConsumeIntegralInRange<uint64_t>(0, span);
      const int64_t off = (z & 1) ? int64_t((z + 1) / 2) : -int64_t(z / 2);
      v = std::clamp(def + off, lo, hi);
    }
    in.params.set(name, v);
  }
  in.run_seed = fdp.ConsumeIntegral<uint16_t>();
  in.decisions = fdp.ConsumeRemainingBytes<uint8_t>();
  return in;
}

RunResult run_fuzz_input(Engine& engine, const FuzzInput& input) {
  StrategyOptions o;
  o.name = kFuzzStrategyName;
  o.bytes = input.decisions;
  auto st = make_strategy(o);
  st->new_run(0);
  return engine.run(*st, input.run_seed);
}

Schedule fuzz_input_schedule(const TargetInfo& target, const uint8_t* data, size_t size, const RunConfig& cfg,
                             RunResult* result) {
  FuzzInput in = decode_fuzz_input(target, data, size);
  RunResult r;
  try {
    Engine engine(target, in.params, cfg);
    r = run_fuzz_input(engine, in);
  } catch (const std::invalid_argument&) {
    in.params = target.defaults;  // the target refused the decoded parameters
    Engine engine(target, in.params, cfg);
    r = run_fuzz_input(engine, in);
  }
  Schedule s = schedule_from_run(target.name, in.params, cfg.mode, kFuzzStrategyName, 0, 0, in.run_seed, r);
  if (result) *result = std::move(r);
  return s;
}

// ---- SHA-1 (FIPS 180-4), for libFuzzer-style artifact names ------------------

namespace {
inline uint32_t rol(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

void sha1_block(uint32_t h[5], const uint8_t* p) {
  uint32_t w[80];
  for (int i = 0; i < 16; ++i)
    w[i] = uint32_t(p[4 * i]) << 24 | uint32_t(p[4 * i + 1]) << 16 | uint32_t(p[4 * i + 2]) << 8 | p[4 * i + 3];
  for (int i = 16; i < 80; ++i) w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
  uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
  for (int i = 0; i < 80; ++i) {
    uint32_t f, k;
    if (i < 20) f = (b & c) | (~b & d), k = 0x5A827999;
    else if (i < 40) f = b ^ c ^ d, k = 0x6ED9EBA1;
    else if (i < 60) f = (b & c) | (b & d) | (c & d), k = 0x8F1BBCDC;
    else f = b ^ c ^ d, k = 0xCA62C1D6;
    uint32_t t = rol(a, 5) + f + e + k + w[i];
    e = d, d = c, c = rol(b, 30), b = a, a = t;
  }
  h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e;
}
}  // namespace

std::string sha1_hex(const uint8_t* data, size_t size) {
  uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
  size_t full = size / 64 * 64;
  for (size_t i = 0; i < full; i += 64) sha1_block(h, data + i);
  uint8_t tail[128] = {};
  size_t rest = size - full;
  if (rest) std::memcpy(tail, data + full, rest);
  tail[rest] = 0x80;
  size_t tlen = rest + 1 + 8 <= 64 ? 64 : 128;
  const uint64_t bits = uint64_t(size) * 8;
  for (int i = 0; i < 8; ++i) tail[tlen - 1 - i] = uint8_t(bits >> (8 * i));
  for (size_t i = 0; i < tlen; i += 64) sha1_block(h, tail + i);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (uint32_t v : h)
    for (int s = 28; s >= 0; s -= 4) out.push_back(hex[(v >> s) & 15]);
  return out;
}

}  // namespace ipcrace
