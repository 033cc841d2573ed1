// fuzz-bytes: decisions taken from a byte string (libFuzzer's input), each an
// index into the enabled set. Past the end of the bytes, the running actor
// keeps running (no preemption), so short inputs are valid schedules too.
#include "strategies.hpp"

namespace ipcrace {
namespace {

class FuzzBytesStrategy final : public Strategy {
 public:
  explicit FuzzBytesStrategy(std::vector<uint8_t> bytes) : bytes_(std::move(bytes)) {}
  std::string name() const override { return "fuzz-bytes"; }
  bool new_run(uint64_t) override {
    pos_ = 0;
    return true;
  }
  int next_actor(const SchedView& v) override {
    if (pos_ < bytes_.size()) return v.enabled[bytes_[pos_++] % v.enabled.size()];
    for (int e : v.enabled)
      if (e == v.last) return e;
    return v.enabled[0];
  }
  // A fault where the op can fail: a byte of 0xe0 or more picks one of the
  // possible kinds (so most inputs fault rarely); no byte is read otherwise.
  int next_fault(const SchedView&, int, uint32_t possible) override {
    if (!possible || pos_ >= bytes_.size()) return 0;
    const uint8_t b = bytes_[pos_++];
    return b < 0xe0 ? 0 : int(nth_fault(possible, b % fault_count(possible)));
  }
  uint64_t next_value(uint64_t bound) override { return pos_ < bytes_.size() ? bytes_[pos_++] % bound : 0; }

 private:
  std::vector<uint8_t> bytes_;
  size_t pos_ = 0;
};

}  // namespace

std::unique_ptr<Strategy> make_fuzz_bytes(const StrategyOptions& o) {
  return std::make_unique<FuzzBytesStrategy>(o.bytes);
}

}  // namespace ipcrace
