#include "fuzz_replay.hpp"

#include <sched.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "commands.hpp"
#include "ipcrace/fuzz_input.hpp"

namespace ipcrace::cli {

std::optional<Schedule> crash_file_schedule(const std::string& file, const std::string& target,
                                            const std::string& actors_override) {
  namespace fs = std::filesystem;
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;  // load_schedule reports it
  std::ostringstream buf;
  buf << in.rdbuf();
  const std::string bytes = buf.str();
  const std::string magic = "ipcrace-schedule";
  if (bytes.compare(0, magic.size(), magic) == 0) {
    if (!target.empty()) throw UsageError("--target is for libFuzzer crash files; " + file + " is a schedule");
    return std::nullopt;
  }
  const TargetInfo* t = nullptr;
  if (!target.empty()) {
    t = find_target(target);
    if (!t) throw UsageError("unknown target '" + target + "' ('ipcrace list' shows the targets)");
  } else {
    t = find_target(fs::absolute(file).parent_path().filename().string());
    if (!t) return std::nullopt;
  }
  RunConfig cfg;
  cfg.mode = ActorMode::processes;
  if (!actors_override.empty()) {
    auto m = actor_mode_from_name(actors_override);
    if (!m || *m == ActorMode::free) throw UsageError("--actors must be processes or threads, got '" + actors_override + "'");
    cfg.mode = *m;
  }
  cfg.cpu = sched_getcpu();
  Schedule s = fuzz_input_schedule(*t, reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), cfg);
  std::string dir = fs::absolute(file).parent_path().string();
  try {
    std::string path = save_schedule(s, dir);
    std::fprintf(stderr, "crash file %s (%s): schedule %s\n", file.c_str(), t->name.c_str(), path.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "crash file %s: schedule not saved (%s)\n", file.c_str(), e.what());
  }
  return s;
}

}  // namespace ipcrace::cli
