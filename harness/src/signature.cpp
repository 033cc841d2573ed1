// Finding signatures: see ipcrace/signature.hpp.
#include "ipcrace/signature.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

namespace ipcrace {

std::string normalise_numbers(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    const auto digit = [&](size_t k) { return k < s.size() && std::isdigit(static_cast<unsigned char>(s[k])); };
    if (digit(i)) {
      size_t j = i;
      if (s[i] == '0' && j + 1 < s.size() && (s[j + 1] == 'x' || s[j + 1] == 'X') && j + 2 < s.size() &&
          std::isxdigit(static_cast<unsigned char>(s[j + 2]))) {
        j += 2;
        while (j < s.size() && std::isxdigit(static_cast<unsigned char>(s[j]))) ++j;
      } else {
        while (digit(j)) ++j;
      }
      out.push_back('#');
      i = j;
      continue;
    }
    out.push_back(s[i++]);
  }
  return out;
}

namespace {

// "actor 3 killed by signal 11 (...)" -> "killed by signal 11 (...)".
std::string without_actor_prefix(const std::string& m) {
  if (m.rfind("actor ", 0) != 0) return m;
  size_t i = 6;
  while (i < m.size() && std::isdigit(static_cast<unsigned char>(m[i]))) ++i;
  if (i < m.size() && m[i] == ' ') ++i;
  return m.substr(i);
}

}  // namespace

std::string finding_signature(const RunResult& r) {
  std::string sig = finding_kind_name(r.kind);
  switch (r.kind) {
    case FindingKind::deadlock: {
      std::vector<std::string> ops = r.blocked;
      std::sort(ops.begin(), ops.end());
      for (const auto& o : ops) sig += "|" + o;
      if (ops.empty()) sig += "|" + normalise_numbers(r.message);  // a free run's deadlock: its message
      return sig;
    }
    case FindingKind::assertion: {
      std::string m = r.message;
      if (size_t then = m.find(" (then "); then != std::string::npos) m.resize(then);
      return sig + "|" + normalise_numbers(m);
    }
    case FindingKind::race: {
      if (r.races.empty()) return sig + "|" + normalise_numbers(r.message);
      const RaceReport& rep = r.races[0];
      const std::string res = rep.resource < r.resources.size() ? r.resources[rep.resource] : "#";
      return sig + "|" + res + "|" + race_site_pair(rep);
    }
    case FindingKind::crash: return sig + "|" + without_actor_prefix(r.message);
    default: return sig;
  }
}

}  // namespace ipcrace
