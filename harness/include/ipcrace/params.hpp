// Workload parameters of a target: named integers with defaults.
#pragma once
#include <cstdint>
#include <map>
#include <string>

namespace ipcrace {

class Params {
 public:
  Params() = default;
  Params(std::initializer_list<std::pair<const std::string, int64_t>> init) : values_(init) {}
  int64_t get(const std::string& key) const;  // throws std::out_of_range naming the key
  int64_t get(const std::string& key, int64_t fallback) const;
  void set(const std::string& key, int64_t v) { values_[key] = v; }
  bool has(const std::string& key) const { return values_.count(key) != 0; }
  const std::map<std::string, int64_t>& all() const { return values_; }
  std::string str() const;  // "actors=2 ops=3"
  bool operator==(const Params&) const = default;

 private:
  std::map<std::string, int64_t> values_;
};

}  // namespace ipcrace
