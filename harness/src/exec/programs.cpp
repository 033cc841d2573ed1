// Program targets from manifests (ipcrace/program.hpp).
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "ipcrace/program.hpp"

#ifndef IPCRACE_PROGRAMS_MANIFEST
#define IPCRACE_PROGRAMS_MANIFEST ""
#endif

namespace ipcrace {

int load_program_manifest(const std::string& path) {
  std::ifstream in(path);
  int n = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> f;
    std::stringstream ss(line);
    for (std::string field; std::getline(ss, field, '\t');) f.push_back(field);
    if (f.size() < 7) continue;
    ExecSpec spec;
    spec.expect_exit = std::atoi(f[2].c_str());
    spec.fail_on = f[3];
    spec.preload = f[4] == "1";
    spec.argv.assign(f.begin() + 6, f.end());
    const Variant v = f[1] == "clean" ? Variant::synchronised : Variant::racy;
    TargetInfo t = program_target(f[0], spec, v, "program " + f[5]);
    t.source = f[5];
    if (find_target(t.name)) continue;
    register_target(std::move(t));
    ++n;
  }
  return n;
}

void load_programs_once() {
  static bool loaded = false;
  if (loaded) return;
  loaded = true;
  if (*IPCRACE_PROGRAMS_MANIFEST) load_program_manifest(IPCRACE_PROGRAMS_MANIFEST);
  if (const char* env = std::getenv("IPCRACE_PROGRAMS")) {
    std::stringstream ss(env);
    for (std::string p; std::getline(ss, p, ':');)
      if (!p.empty()) load_program_manifest(p);
  }
}

}  // namespace ipcrace
