#include "ipcrace/params.hpp"

#include <stdexcept>

namespace ipcrace {

int64_t Params::get(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end()) throw std::out_of_range("no parameter '" + key + "'");
  return it->second;
}

int64_t Params::get(const std::string& key, int64_t fallback) const {
  auto it = values_.find(key);
  return it == values_.end() ? fallback : it->second;
}

std::string Params::str() const {
  std::string out;
  for (const auto& [k, v] : values_) {
    if (!out.empty()) out += ' ';
    out += k + "=" + std::to_string(v);
  }
  return out;
}

}  // namespace ipcrace
