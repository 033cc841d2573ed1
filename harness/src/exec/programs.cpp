// Program targets from manifests (ipcrace/program.hpp).
#include <cstdlib>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>
#include <unistd.h>

#include "ipcrace/program.hpp"
#include "ipcrace/schedule.hpp"

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
    spec.preload = !f[4].empty() && f[4][0] == '1';
    if (size_t at = f[4].find("+may-die="); at != std::string::npos) {
      std::string err;
      auto m = parse_may_die(f[4].substr(at + 9), &err);
      if (!m) {
        std::fprintf(stderr, "ipcrace: %s: program %s: %s\n", path.c_str(), f[0].c_str(), err.c_str());
        continue;
      }
      spec.may_die = *m;
    }
    spec.argv.assign(f.begin() + 6, f.end());
    // A relative program path is relative to the manifest's folder (the
    // fuzzers' $OUT of .clusterfuzzlite/build.sh, which moves to other machines).
    if (!spec.argv[0].empty() && spec.argv[0][0] != '/' && path.find('/') != std::string::npos)
      spec.argv[0] = path.substr(0, path.rfind('/') + 1) + spec.argv[0];
    const Variant v = f[1] == "clean" ? Variant::synchronised : Variant::racy;
    TargetInfo t = program_target(f[0], spec, v, "program " + f[5]);
    t.source = f[5];
    if (find_target(t.name)) continue;
    register_target(std::move(t));
    ++n;
  }
  return n;
}

std::optional<uint64_t> parse_may_die(const std::string& text, std::string* error) {
  if (text == "children") return ~uint64_t(1);
  uint64_t m = 0;
  std::stringstream ss(text);
  for (std::string item; std::getline(ss, item, ',');) {
    char* end = nullptr;
    const long v = item.empty() ? -1 : std::strtol(item.c_str(), &end, 10);
    if (v < 0 || v >= 64 || *end != '\0') {
      if (error) *error = "may-die: '" + text + "' is not a list of actor indices (0-63) or 'children'";
      return std::nullopt;
    }
    m |= uint64_t(1) << v;
  }
  if (!m) {
    if (error) *error = "may-die: no actor named";
    return std::nullopt;
  }
  return m;
}

std::string program_binary_hash(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "missing";
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(fnv1a64(data)));
  return buf;
}

const TargetInfo* schedule_target(const Schedule& s) {
  const TargetInfo* t = find_target(s.target);
  if (!t && !s.command.empty()) {
    ExecSpec spec;
    spec.argv = s.command;
    spec.expect_exit = s.expect_exit;
    spec.fail_on = s.fail_on;
    spec.preload = s.preload;
    spec.may_die = s.may_die;
    register_target(program_target(s.target, spec, Variant::racy, "ipcrace exec " + s.command[0]));
    t = find_target(s.target);
  }
  if (t && !t->exec.empty() && !s.binary_hash.empty()) {
    const std::string now = program_binary_hash(t->exec[0]);
    if (now != s.binary_hash)
      throw std::runtime_error("the schedule was recorded with another build of " + t->exec[0] + " (binary hash " +
                               s.binary_hash + ", now " + now +
                               "): a schedule replays only on the binary it was recorded with; record it again");
  }
  return t;
}

namespace {

std::string self_dir() {
  char self[4096];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return {};
  std::string s(self, size_t(n));
  return s.substr(0, s.rfind('/'));
}

}  // namespace

// The build tree's manifest (compiled in) serves only the build tree's own
// binaries: an installed command, or a user's command linked from the
// installed libraries, must not list another tree's programs. Every command
// also reads the manifest beside it (a user project's ipcrace_add_program
// writes <its build>/ipcrace-programs.manifest, where its command is) and
// the manifests in IPCRACE_PROGRAMS.
void load_programs_once() {
  static bool loaded = false;
  if (loaded) return;
  loaded = true;
  const std::string dir = self_dir();
  const std::string built = IPCRACE_PROGRAMS_MANIFEST;
  const std::string tree = built.substr(0, built.rfind('/') + 1);
  if (!built.empty() && (dir + "/").compare(0, tree.size(), tree) == 0) load_program_manifest(built);
  if (!dir.empty() && dir + "/ipcrace-programs.manifest" != built) load_program_manifest(dir + "/ipcrace-programs.manifest");
  if (const char* env = std::getenv("IPCRACE_PROGRAMS")) {
    std::stringstream ss(env);
    for (std::string p; std::getline(ss, p, ':');)
      if (!p.empty()) load_program_manifest(p);
  }
}

}  // namespace ipcrace
