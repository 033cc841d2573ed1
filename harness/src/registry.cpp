// The target registry, filled by IPCRACE_TARGET at static-initialisation time.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iterator>

#include "ipcrace/program.hpp"
#include "ipcrace/target.hpp"

namespace ipcrace {
namespace {
std::vector<TargetInfo>& registry() {
  static std::vector<TargetInfo> targets;
  return targets;
}
bool g_sorted = false;
}  // namespace

bool register_target(TargetInfo info) {
  auto& r = registry();
  for (const auto& t : r)
    if (t.name == info.name) {
      std::fprintf(stderr, "ipcrace: target %s registered twice\n", info.name.c_str());
      std::abort();
    }
  for (const auto& [k, r] : info.ranges)
    if (!info.defaults.has(k) || r.first > r.second) {
      std::fprintf(stderr, "ipcrace: target %s: range of '%s' names no parameter or is empty\n", info.name.c_str(),
                   k.c_str());
      std::abort();
    }
  if (!info.defaults.has("actors") || !info.make) {
    std::fprintf(stderr, "ipcrace: target %s needs an 'actors' parameter and a make function\n", info.name.c_str());
    std::abort();
  }
  r.push_back(std::move(info));
  g_sorted = false;
  return true;
}

const std::vector<TargetInfo>& all_targets() {
  load_programs_once();  // program targets (ipcrace_add_program manifests)
  auto& r = registry();
  if (!g_sorted) {
    std::sort(r.begin(), r.end(), [](const TargetInfo& a, const TargetInfo& b) { return a.name < b.name; });
    g_sorted = true;
  }
  return r;
}

bool is_role_param(std::string_view param) {
  static constexpr std::string_view kRoles[] = {"actors", "producers", "consumers", "workers",
                                                "clients", "servers", "writers"};
  return std::find(std::begin(kRoles), std::end(kRoles), param) != std::end(kRoles);
}

std::pair<int64_t, int64_t> property_range(const TargetInfo& t, const std::string& param) {
  if (auto it = t.ranges.find(param); it != t.ranges.end()) return it->second;
  const int64_t def = t.defaults.get(param);
  if (is_role_param(param) || def <= 1) return {def, def};
  return {def - def / 2, def + def / 2};
}

const TargetInfo* find_target(std::string_view name) {
  for (const auto& t : all_targets())
    if (t.name == name) return &t;
  return nullptr;
}

}  // namespace ipcrace
