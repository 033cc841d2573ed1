// Shards: --shard / --shards-from-env, and the shard result file.
#include "shard.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>

#include "ipcrace/schedule.hpp"

namespace ipcrace::cli {

using nlohmann::json;

namespace {

bool parse_u64(const std::string& s, uint64_t* out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// The index from the environment: Kubernetes Indexed Jobs set
// JOB_COMPLETION_INDEX; CI matrices set IPCRACE_SHARD_INDEX themselves.
std::string env_index() {
  std::string v = env("IPCRACE_SHARD_INDEX");
  return v.empty() ? env("JOB_COMPLETION_INDEX") : v;
}

}  // namespace

ShardSpec shard_spec(const Common& c) {
  std::string index, count, from;
  if (c.shards_from_env) {
    if (!c.shard.empty()) throw UsageError("give --shard or --shards-from-env, not both");
    index = env_index();
    count = env("IPCRACE_SHARD_COUNT");
    from = "--shards-from-env";
    if (index.empty() || count.empty())
      throw UsageError("--shards-from-env needs IPCRACE_SHARD_INDEX (or JOB_COMPLETION_INDEX) and IPCRACE_SHARD_COUNT");
  } else if (!c.shard.empty()) {
    auto slash = c.shard.find('/');
    if (slash == std::string::npos) throw UsageError("--shard takes I/N (e.g. 0/4, or auto/4), got '" + c.shard + "'");
    index = c.shard.substr(0, slash);
    count = c.shard.substr(slash + 1);
    from = "--shard " + c.shard;
    if (index == "auto") {
      index = env_index();
      if (index.empty()) throw UsageError("--shard auto/N needs JOB_COMPLETION_INDEX or IPCRACE_SHARD_INDEX in the environment");
    }
  } else {
    return {};
  }
  ShardSpec s;
  if (!parse_u64(index, &s.index) || !parse_u64(count, &s.count) || s.count == 0 || s.count > 1000000 ||
      s.index >= s.count)
    throw UsageError(from + ": need 0 <= I < N <= 1000000, got index '" + index + "' and count '" + count + "'");
  return s;
}

static json campaign_description(const std::string& what, const Common& c) {
  json params = json::array();
  for (const auto& p : c.params) params.push_back(p);
  return json{{"command", what},     {"strategy", c.strategy},   {"seed", c.seed},
              {"runs", c.runs},      {"seconds", c.seconds},     {"actors", c.actors},
              {"params", params},    {"depth", c.depth},         {"preemptions", c.preemptions},
              {"step_limit", c.step_limit}, {"stop_at_first", c.stop_at_first},
              {"targets", c.target_names}, {"gate_seeds", c.gate_seeds}, {"gate_clean_runs", c.gate_clean_runs},
              {"gate_strategies", c.gate_strategies},
              // Faults change every run's schedule: shards with other kinds or budgets are other campaigns.
              {"faults", c.faults.empty() ? "target" : c.faults}, {"fault_budget", c.fault_budget}};
}

static json campaign_result_json(const CampaignResult& r) {
  json kinds = json::object();
  for (size_t k = 1; k < r.by_kind.size(); ++k)
    if (r.by_kind[k]) kinds[finding_kind_name(static_cast<FindingKind>(k))] = r.by_kind[k];
  json firsts = json::array();
  for (const Schedule& s : r.kind_firsts) firsts.push_back({{"run", s.run}, {"schedule", format_schedule(s)}});
  json j{{"target", r.target},          {"expect", expect_name(r.expect)}, {"strategy", r.strategy},
         {"actors", actor_mode_name(r.mode)}, {"seed", r.seed},           {"runs", r.runs},
         {"findings", r.findings},      {"pruned", r.pruned},              {"first_finding_run", r.first_finding_run},
         {"findings_by_kind", kinds},   {"kind_firsts", firsts},           {"seconds", r.seconds},
         {"exhausted", r.exhausted},    {"summary", r.strategy_summary}};
  if (!r.race_findings.empty()) {  // one per pair of access sites, with its first schedule
    json races = json::array();
    for (const RaceFinding& f : r.race_findings)
      races.push_back({{"pair", f.pair}, {"run", f.run}, {"runs", f.runs}, {"schedule", format_schedule(f.schedule)}});
    j["races"] = races;
  }
  if (r.minimized)
    j["minimized"] = {{"schedule", format_schedule(*r.minimized)},
                      {"preemptions", r.minimized_preemptions},
                      {"original_preemptions", r.original_preemptions}};
  return j;
}

json shard_result_json(const std::string& what, const Common& c, const ShardSpec& shard,
                       const std::vector<CampaignResult>& runs, const std::vector<GateLine>& gate) {
  json targets = json::array();
  for (const auto& r : runs) targets.push_back(campaign_result_json(r));
  json lines = json::array();
  for (const auto& g : gate) {
    json u = json::array();
    for (const auto& r : g.unexpected) u.push_back(campaign_result_json(r));
    lines.push_back({{"target", g.target->name},
                     {"runs_to_find", g.runs_to_find},
                     {"total_runs", g.total_runs},
                     {"unexpected", u}});
  }
  return json{{"ipcrace_shard_result", 1},
              {"campaign", campaign_description(what, c)},
              {"shard", {{"index", shard.index}, {"count", shard.count}}},
              {"status", "ok"},
              {"targets", targets},
              {"gate", lines}};
}

std::string write_shard_result(const Common& c, const ShardSpec& shard, const json& result) {
  namespace fs = std::filesystem;
  std::string path = c.results;
  std::error_code ec;
  if (path.back() == '/' || fs::is_directory(path, ec)) {
    fs::create_directories(path, ec);
    path = (fs::path(path) / ("shard-" + std::to_string(shard.index) + "-of-" + std::to_string(shard.count) + ".json"))
               .string();
  }
  const std::string text = result.dump(1) + "\n";
  // An exclusive temp file beside the target, then rename: never through a
  // planted file or symlink, never a half-written result.
  std::random_device rd;
  std::string tmp;
  int fd = -1;
  for (int attempt = 0; attempt < 16 && fd < 0; ++attempt) {
    tmp = path + ".tmp." + std::to_string(getpid()) + "." + std::to_string(rd());
    fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0 && errno != EEXIST) break;
  }
  if (fd < 0) throw UsageError("cannot write the shard result " + path + ": " + std::strerror(errno));
  size_t off = 0;
  while (off < text.size()) {
    ssize_t w = write(fd, text.data() + off, text.size() - off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      int e = errno;
      close(fd);
      unlink(tmp.c_str());
      throw UsageError("cannot write the shard result " + path + ": " + std::strerror(e));
    }
    off += size_t(w);
  }
  if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    unlink(tmp.c_str());
    throw UsageError("cannot write the shard result " + path + ": " + std::strerror(e));
  }
  return path;
}

void write_failed_shard_result(const Common& c, const ShardSpec& shard, const std::string& what,
                               const std::string& error) {
  try {
    json j = shard_result_json(what, c, shard, {}, {});
    j["status"] = "failed";
    j["error"] = error;
    write_shard_result(c, shard, j);
  } catch (const std::exception&) {
    // The merge reports this shard as missing instead.
  }
}

std::string normalised_message(const std::string& message) {
  std::string out;
  for (size_t i = 0; i < message.size(); ++i) {
    if (message[i] >= '0' && message[i] <= '9') {
      while (i + 1 < message.size() && message[i + 1] >= '0' && message[i + 1] <= '9') ++i;
      out += '#';
    } else {
      out += message[i];
    }
  }
  return out;
}

std::string finding_signature(const std::string& target, const Schedule& s, const Schedule* minimized) {
  std::string sched = "-";
  if (minimized) {
    // The decisions and ops of the minimised schedule, not its header (which
    // names the run and seed that found it).
    std::string steps = minimized->params.str();
    for (const auto& st : minimized->steps)
      steps += " " + std::to_string(st.actor) + ":" + op_kind_name(st.kind) + ":" + std::to_string(st.resource);
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(fnv1a64(steps)));
    sched = hex;
  }
  std::string key = target + "|" + finding_kind_name(s.finding) + "|" + normalised_message(s.message) + "|" + sched;
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(fnv1a64(key)));
  return hex;
}

}  // namespace ipcrace::cli
