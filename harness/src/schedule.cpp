// Schedule files: format, parse, atomic save. See ipcrace/schedule.hpp.
#include "ipcrace/schedule.hpp"
#include "ipcrace/program.hpp"

#include "ipcrace/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

namespace ipcrace {
namespace {

constexpr size_t kMaxScheduleBytes = 64 << 20;
constexpr size_t kMaxSteps = 10'000'000;

std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  return s;
}

std::string clean_token(std::string_view s) {
  std::string out;
  for (char c : s) out.push_back((c == ' ' || c == '\t' || c == '\n' || c == '\r') ? '_' : c);
  return out.empty() ? "-" : out;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool parse_u64(std::string_view s, uint64_t* out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

bool parse_i64(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

// No control character: a value written back must read back the same (a
// trailing '\r' would not survive the next CRLF-tolerant read).
bool printable_value(std::string_view v) {
  for (char c : v)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  return true;
}

std::vector<std::string_view> split(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t') ++j;
    if (j > i) out.push_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

}  // namespace

std::string escape_label(std::string_view raw) {
  if (raw.empty()) return "-";
  if (raw == "-") return "\\x2d";
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c <= 0x20 || c >= 0x7f) {
      out += "\\x";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    } else {
      out.push_back(char(c));
    }
  }
  return out;
}

std::optional<std::string> unescape_label(std::string_view t) {
  if (t == "-") return std::string();
  std::string out;
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i] != '\\') {
      out.push_back(t[i]);
      continue;
    }
    if (i + 1 < t.size() && t[i + 1] == '\\') {
      out.push_back('\\');
      ++i;
    } else if (i + 3 < t.size() && t[i + 1] == 'x' && hex_digit(t[i + 2]) >= 0 && hex_digit(t[i + 3]) >= 0) {
      out.push_back(char(hex_digit(t[i + 2]) << 4 | hex_digit(t[i + 3])));
      i += 3;
    } else {
      return std::nullopt;
    }
  }
  return out;
}

std::string legacy_clean_label(std::string_view raw) { return clean_token(raw); }

uint64_t fnv1a64(const std::string& data, uint64_t h) {
  for (unsigned char c : data) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

std::vector<int> Schedule::decisions() const {
  std::vector<int> d;
  d.reserve(steps.size());
  for (const auto& s : steps) d.push_back(s.actor);
  return d;
}

int Schedule::fault_steps() const {
  int n = 0;
  for (const auto& s : steps) n += s.fault != FaultKind::none;
  return n;
}

std::vector<size_t> preemption_steps(const Schedule& s) {
  return preemption_steps(s.steps.size(), [&](size_t i) { return s.steps[i].actor; },
                          [&](size_t i) { return s.steps[i].end; }, [&](size_t i) { return s.steps[i].kind == OpKind::yield; });
}

int Schedule::preemptions() const { return int(preemption_steps(*this).size()); }

Schedule schedule_from_run(const std::string& target, const Params& params, ActorMode mode,
                           const std::string& strategy, uint64_t seed, uint64_t run, uint64_t rseed,
                           const RunResult& result) {
  Schedule s;
  s.target = target;
  s.params = params;
  s.mode = mode;
  s.strategy = strategy;
  s.seed = seed;
  s.run = run;
  s.run_seed = rseed;
  s.finding = result.kind;
  s.message = result.message;
  s.race = result.race_checked;
  if (result.kind == FindingKind::race && !result.races.empty()) {
    s.race_pair = race_site_pair(result.races[0]);
    s.race_first = result.races[0].first.step;
    s.race_second = result.races[0].second.step;
  }
  s.resources = result.resources;
  s.faults = result.faults_enabled;
  s.fault_budget = result.fault_budget;
  s.step_limit = result.step_limit;
  s.watchdog_ms = result.watchdog_ms;
  if (const TargetInfo* t = find_target(target); t && !t->exec.empty()) {
    s.command = t->exec;
    s.binary_hash = program_binary_hash(t->exec[0]);
    s.expect_exit = t->exec_expect_exit;
    s.fail_on = t->exec_fail_on;
    s.preload = t->exec_preload;
    s.may_die = t->may_die;
  }
  for (const auto& st : result.trace)
    s.steps.push_back(
        ScheduleStep{st.actor, st.op.kind, st.op.resource, st.op.label ? st.op.label : "", st.fault, st.end});
  return s;
}

std::string format_schedule(const Schedule& s) {
  std::ostringstream o;
  o << "ipcrace-schedule " << Schedule::kVersion << "\n";
  o << "# replay: ipcrace replay <this file>\n";
  o << "target " << s.target << "\n";
  for (const auto& [k, v] : s.params.all()) o << "param " << k << " " << v << "\n";
  o << "mode " << actor_mode_name(s.mode) << "\n";
  o << "strategy " << clean_token(s.strategy) << "\n";
  o << "seed " << s.seed << "\n";
  o << "run " << s.run << "\n";
  o << "run-seed " << s.run_seed << "\n";
  o << "race " << (s.race ? "on" : "off") << "\n";
  o << "step-limit " << s.step_limit << "\n";
  o << "watchdog-ms " << s.watchdog_ms << "\n";
  o << "labels escaped\n";
  o << "finding " << finding_kind_name(s.finding) << "\n";
  std::string msg = s.message;
  for (char& c : msg)
    if (c == '\n' || c == '\r') c = ' ';
  if (!msg.empty()) o << "message " << msg << "\n";
  if (!s.race_pair.empty()) o << "race-pair " << one_line(s.race_pair) << "\n";
  if (s.race_first >= 0 && s.race_second >= 0) o << "race-steps " << s.race_first << " " << s.race_second << "\n";
  for (size_t i = 0; i < s.resources.size(); ++i) o << "resource " << i << " " << escape_label(s.resources[i]) << "\n";
  if (s.faults) o << "faults " << fault_mask_str(s.faults) << "\nfault-budget " << s.fault_budget << "\n";
  for (const auto& a : s.command) o << "exec-arg " << one_line(a) << "\n";
  if (!s.command.empty()) {
    if (!s.binary_hash.empty()) o << "exec-binary-hash " << s.binary_hash << "\n";
    if (s.expect_exit) o << "exec-expect-exit " << s.expect_exit << "\n";
    if (!s.fail_on.empty()) o << "exec-fail-on " << one_line(s.fail_on) << "\n";
    if (s.preload) o << "exec-preload 1\n";
    if (s.may_die) o << "exec-may-die " << s.may_die << "\n";
  }
  o << "# step <actor> <op> <resource> <label>   (" << s.steps.size() << " steps, " << s.preemptions()
    << " preemptions";
  if (s.faults) o << ", " << s.fault_steps() << " faults";
  o << ")\n";
  for (size_t i = 0; i < s.steps.size(); ++i) {
    const auto& st = s.steps[i];
    o << "step " << st.actor << " " << op_kind_name(st.kind) << " " << st.resource << " " << escape_label(st.label)
      << "\n";
    if (st.fault != FaultKind::none) o << "fault " << fault_kind_name(st.fault) << "\n";
    if (st.end != StepEnd::point) o << "step-end " << i << " " << step_end_name(st.end) << "\n";
  }
  o << "end\n";
  return o.str();
}

std::optional<Schedule> parse_schedule(const std::string& text, std::string* error) {
  auto fail = [&](size_t line, const std::string& what) -> std::optional<Schedule> {
    if (error) *error = "line " + std::to_string(line) + ": " + what;
    return std::nullopt;
  };
  if (text.size() > kMaxScheduleBytes) return fail(1, "file too large for a schedule");
  if (text.find('\0') != std::string::npos) return fail(1, "binary data (NUL byte) in a text schedule");
  Schedule s;
  bool header = false, ended = false, have_target = false, escaped = false;
  s.cleaned_labels = true;  // until a 'labels escaped' line says otherwise
  // A label or resource name token: escaped (this format) or as older files wrote it.
  auto token = [&](std::string_view t, std::string* out) {
    if (!escaped) return (*out = std::string(t)), true;
    auto u = unescape_label(t);
    if (u) *out = std::move(*u);
    return bool(u);
  };
  size_t lineno = 0, pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line(text.data() + pos, (nl == std::string::npos ? text.size() : nl) - pos);
    pos = nl == std::string::npos ? text.size() : nl + 1;
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (header && (line.rfind("exec-arg ", 0) == 0 || line.rfind("exec-fail-on ", 0) == 0)) {  // the rest of the line
      const size_t sp = line.find(' ');
      std::string v(line.substr(sp + 1));
      if (line[5] == 'a') s.command.push_back(v);
      else s.fail_on = v;
      continue;
    }
    auto f = split(line);
    if (f.empty() || f[0][0] == '#') continue;
    if (ended) return fail(lineno, "content after 'end'");
    if (!header) {
      if (f.size() != 2 || f[0] != "ipcrace-schedule") return fail(lineno, "not an ipcrace schedule (expected 'ipcrace-schedule 2')");
      if (f[1] != "1" && f[1] != std::to_string(Schedule::kVersion))
        return fail(lineno, "unsupported schedule version " + std::string(f[1]) + " (this build reads 1 and 2)");
      header = true;
      continue;
    }
    std::string_view key = f[0];
    uint64_t u = 0;
    int64_t i64 = 0;
    if (key == "message") {
      size_t at = line.find("message") + 7;
      while (at < line.size() && line[at] == ' ') ++at;
      s.message = std::string(line.substr(at));
      continue;
    }
    if (key == "race-pair") {
      size_t at = line.find("race-pair") + 9;
      while (at < line.size() && line[at] == ' ') ++at;
      s.race_pair = std::string(line.substr(at));
      continue;
    }
    if (key == "end") {
      if (f.size() != 1) return fail(lineno, "'end' takes no value");
      ended = true;
      continue;
    }
    if (key == "step") {
      if (f.size() != 5) return fail(lineno, "a step is 'step <actor> <op> <resource> <label>'");
      ScheduleStep st;
      if (!parse_u64(f[1], &u) || u >= 64) return fail(lineno, "bad actor index '" + std::string(f[1]) + "'");
      st.actor = int(u);
      auto kind = op_kind_from_name(f[2]);
      if (!kind) return fail(lineno, "unknown op kind '" + std::string(f[2]) + "'");
      st.kind = *kind;
      if (!parse_u64(f[3], &u) || u > 65535) return fail(lineno, "bad resource id '" + std::string(f[3]) + "'");
      st.resource = int(u);
      if (!token(f[4], &st.label)) return fail(lineno, "bad escape in label '" + std::string(f[4]) + "' (\\\\ or \\xHH)");
      if (s.steps.size() >= kMaxSteps) return fail(lineno, "too many steps");
      s.steps.push_back(std::move(st));
      continue;
    }
    if (key == "fault") {
      if (f.size() != 2) return fail(lineno, "a fault is 'fault <kind>' after the step it fails");
      auto k = fault_kind_from_name(f[1]);
      if (!k || *k == FaultKind::none) return fail(lineno, "unknown fault kind '" + std::string(f[1]) + "'");
      if (s.steps.empty() || s.steps.back().fault != FaultKind::none)
        return fail(lineno, "a 'fault' line must follow a step without one");
      s.steps.back().fault = *k;
      continue;
    }
    if (key == "faults") {
      std::string err;
      auto m = f.size() == 2 ? parse_fault_mask(f[1], &err) : std::nullopt;
      if (!m) return fail(lineno, f.size() == 2 ? err : "'faults' takes one list (short,eintr,...)");
      s.faults = *m;
      continue;
    }
    if (key == "fault-budget") {
      if (f.size() != 2 || !parse_u64(f[1], &u) || u > 1000000) return fail(lineno, "'fault-budget' needs a count");
      s.fault_budget = int(u);
      continue;
    }
    if (key == "step-end") {
      auto e = f.size() == 3 ? step_end_from_name(f[2]) : std::nullopt;
      if (!e || !parse_u64(f[1], &u) || u >= s.steps.size())
        return fail(lineno, "a step end is 'step-end <earlier step index> would-block|parked|exited'");
      s.steps[u].end = *e;
      continue;
    }
    if (key == "race-steps") {
      uint64_t b = 0;
      if (f.size() != 3 || !parse_u64(f[1], &u) || !parse_u64(f[2], &b) || u >= b || b >= kMaxSteps)
        return fail(lineno, "'race-steps' is two step indices, the earlier first");
      s.race_first = int(u);
      s.race_second = int(b);
      continue;
    }
    if (key == "param") {
      if (f.size() != 3 || !parse_i64(f[2], &i64)) return fail(lineno, "a parameter is 'param <name> <integer>'");
      s.params.set(std::string(f[1]), i64);
      continue;
    }
    if (key == "resource") {
      if (f.size() != 3 || !parse_u64(f[1], &u) || u != s.resources.size())
        return fail(lineno, "resources are 'resource <id> <name>' with ids 0, 1, 2, ... in order");
      std::string name;
      if (!token(f[2], &name)) return fail(lineno, "bad escape in resource name '" + std::string(f[2]) + "'");
      s.resources.push_back(std::move(name));
      continue;
    }
    if (key == "labels") {
      if (f.size() != 2 || f[1] != "escaped") return fail(lineno, "'labels' takes one value: escaped");
      if (!s.steps.empty() || !s.resources.empty())
        return fail(lineno, "'labels escaped' must come before every step and resource line");
      escaped = true;
      s.cleaned_labels = false;
      continue;
    }
    if (key == "step-limit" || key == "watchdog-ms") {
      if (f.size() != 2 || !parse_u64(f[1], &u) || u < 1 || u > 100000000)
        return fail(lineno, "'" + std::string(key) + "' needs a count from 1 to 100000000");
      (key == "step-limit" ? s.step_limit : s.watchdog_ms) = int(u);
      continue;
    }
    if (f.size() != 2) return fail(lineno, "'" + std::string(key) + "' takes exactly one value");
    std::string_view val = f[1];
    if (key == "target") {
      if (!printable_value(val)) return fail(lineno, "a target name has no control characters");
      s.target = std::string(val);
      have_target = true;
    } else if (key == "mode") {
      auto m = actor_mode_from_name(val);
      if (!m) return fail(lineno, "unknown mode '" + std::string(val) + "' (processes, threads, free)");
      s.mode = *m;
    } else if (key == "exec-binary-hash") {
      if (!printable_value(val)) return fail(lineno, "'exec-binary-hash' has no control characters");
      s.binary_hash = std::string(val);
    } else if (key == "exec-may-die") {
      if (!parse_u64(val, &u) || u == 0) return fail(lineno, "'exec-may-die' needs a nonzero actor mask");
      s.may_die = u;
    } else if (key == "exec-expect-exit" || key == "exec-preload") {
      if (!parse_i64(val, &i64)) return fail(lineno, "'" + std::string(key) + "' needs an integer");
      if (key == "exec-preload") s.preload = i64 != 0;
      else s.expect_exit = int(i64);
    } else if (key == "strategy") {
      s.strategy = std::string(val);
    } else if (key == "seed" || key == "run" || key == "run-seed") {
      if (!parse_u64(val, &u)) return fail(lineno, "'" + std::string(key) + "' needs an unsigned integer");
      (key == "seed" ? s.seed : key == "run" ? s.run : s.run_seed) = u;
    } else if (key == "race") {
      if (val != "on" && val != "off") return fail(lineno, "'race' is on or off");
      s.race = val == "on";
    } else if (key == "finding") {
      auto k = finding_kind_from_name(val);
      if (!k) return fail(lineno, "unknown finding kind '" + std::string(val) + "'");
      s.finding = *k;
    } else {
      return fail(lineno, "unknown key '" + std::string(key) + "'");
    }
  }
  if (!header) return fail(lineno ? lineno : 1, "empty file: not an ipcrace schedule");
  if (!have_target) return fail(lineno, "no 'target' line");
  if (!ended) return fail(lineno, "truncated: no 'end' line");
  if (s.race_second >= 0 && size_t(s.race_second) >= s.steps.size())
    return fail(lineno, "'race-steps' names a step past the last one");
  for (size_t i = 0; i < s.steps.size(); ++i)
    if (s.resources.size() && size_t(s.steps[i].resource) >= s.resources.size())
      return fail(lineno, "step " + std::to_string(i) + " names resource " + std::to_string(s.steps[i].resource) +
                              ", which is not declared");
  return s;
}

std::optional<Schedule> load_schedule(const std::string& path, std::string* error) {
  if (std::string why = check_input_file(path, kMaxScheduleBytes); !why.empty()) {  // no FIFO, device, huge file
    if (error) *error = why;
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (error) *error = "cannot open " + path + ": " + std::strerror(errno);
    return std::nullopt;
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  auto s = parse_schedule(buf.str(), error);
  if (!s && error) *error = path + ": " + *error;
  return s;
}

std::string save_schedule(const Schedule& s, const std::string& dir) {
  std::string text = format_schedule(s);
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(fnv1a64(text)));
  std::error_code mk;
  std::filesystem::create_directories(dir, mk);
  std::string path = dir + "/" + s.target + "-" + hex + ".schedule";
  write_file_atomic(path, text);
  return path;
}

}  // namespace ipcrace
