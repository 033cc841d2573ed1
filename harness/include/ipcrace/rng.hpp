// Small, portable, seedable PRNG (splitmix64): identical streams on every platform.
#pragma once
#include <cstdint>

namespace ipcrace {

inline uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Seed of run `index` of a campaign seeded `seed`: runs are independent, so
// any run reproduces alone and parallel campaigns give the same results.
inline uint64_t run_seed(uint64_t seed, uint64_t index) {
  return mix64(seed * 0x9e3779b97f4a7c15ULL + mix64(index + 1));
}

class Rng {
 public:
  explicit Rng(uint64_t seed = 0) : state_(seed) {}
  uint64_t next() { return mix64(state_ += 0x9e3779b97f4a7c15ULL); }
  // Uniform in [0, bound), bound > 0 (Lemire's multiply-shift; bias < 2^-32 for small bounds).
  uint64_t below(uint64_t bound) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(next()) * bound) >> 64);
  }
  double unit() { return (next() >> 11) * (1.0 / 9007199254740992.0); }

 private:
  uint64_t state_;
};

}  // namespace ipcrace
