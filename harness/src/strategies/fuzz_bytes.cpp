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
