// Source locations of exec-mode labels (symbolize.hpp).
#include "exec/symbolize.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <glob.h>
#include <set>

#include "ipcrace/target.hpp"

extern char** environ;

namespace ipcrace {

namespace {

bool executable(const std::string& p) { return !p.empty() && access(p.c_str(), X_OK) == 0; }

std::string on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string all = path ? path : "/usr/bin:/bin";
  size_t b = 0;
  for (;;) {
    const size_t e = all.find(':', b);
    std::string dir = all.substr(b, e == std::string::npos ? std::string::npos : e - b);
    if (!dir.empty() && executable(dir + "/" + name)) return dir + "/" + name;
    if (e == std::string::npos) return {};
    b = e + 1;
  }
}

// Runs `argv`, returns its stdout ("" when it could not run).
std::string run_capture(const std::vector<std::string>& args) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) return {};
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, p[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  close(p[1]);
  std::string out;
  if (rc == 0) {
    char buf[8192];
    for (;;) {
      const ssize_t n = read(p[0], buf, sizeof buf);
      if (n > 0) out.append(buf, size_t(n));
      else if (n == 0 || errno != EINTR) break;
    }
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
  }
  close(p[0]);
  return out;
}

std::string base_name(const std::string& p) { return p.substr(p.rfind('/') + 1); }

bool hex_digit(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

}  // namespace

std::string find_symbolizer() {
  if (const char* e = std::getenv("IPCRACE_SYMBOLIZER")) return executable(e) ? e : "";
  for (const char* n : {"llvm-symbolizer", "llvm-symbolizer-14"})
    if (std::string p = on_path(n); !p.empty()) return p;
  if (executable("/usr/lib/llvm-14/bin/llvm-symbolizer")) return "/usr/lib/llvm-14/bin/llvm-symbolizer";
  glob_t g;
  std::string found;
  if (glob("/usr/lib/llvm-*/bin/llvm-symbolizer", 0, nullptr, &g) == 0) {
    for (size_t i = g.gl_pathc; i-- > 0;)
      if (executable(g.gl_pathv[i])) {
        found = g.gl_pathv[i];
        break;
      }
    globfree(&g);
  }
  return found;
}

Symbolizer::Symbolizer(std::string program) : program_(std::move(program)), tool_(find_symbolizer()) {
  if (tool_.empty())
    note_ = "llvm-symbolizer not found (install llvm-14, or set IPCRACE_SYMBOLIZER): ops are labelled module+offset";
}

// "0x1a2b" (the program) or "/path/libx.so+0x1a2b".
bool Symbolizer::parse(const std::string& label, Site* s) {
  size_t at = 0;
  std::string module;
  if (!label.empty() && label[0] == '/') {
    const size_t plus = label.rfind("+0x");
    if (plus == std::string::npos) return false;
    module = label.substr(0, plus);
    at = plus + 1;
  }
  if (label.compare(at, 2, "0x") != 0 || label.size() == at + 2) return false;
  for (size_t i = at + 2; i < label.size(); ++i)
    if (!hex_digit(label[i])) return false;
  s->module = module;
  s->offset = std::strtoull(label.c_str() + at + 2, nullptr, 16);
  return true;
}

// The exec labels inside a message: "(0x1a2b" and "(/path+0x1a2b", as the
// race detector and the engine write them (after '(', up to a delimiter).
std::vector<std::string> Symbolizer::tokens(const std::string& text) {
  std::vector<std::string> out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (i == 0 || text[i - 1] != '(') continue;
    if (text.compare(i, 2, "0x") != 0 && text[i] != '/') continue;
    size_t e = i;
    while (e < text.size() && text[e] != ')' && text[e] != ',' && text[e] != ' ' && text[e] != ';') ++e;
    Site s;
    const std::string t = text.substr(i, e - i);
    if (parse(t, &s)) out.push_back(t);
    i = e;
  }
  return out;
}

std::string Symbolizer::fallback(const Site& s) const {
  char buf[48];
  std::snprintf(buf, sizeof buf, "+0x%llx", s.offset);
  return base_name(s.module.empty() ? program_ : s.module) + buf;
}

void Symbolizer::prefetch(const std::vector<std::string>& labels, const std::vector<std::string>& texts) {
  std::map<std::string, std::vector<std::pair<std::string, unsigned long long>>> by_module;
  std::set<std::string> seen;
  auto want = [&](const std::string& l) {
    Site s;
    if (cache_.count(l) || !seen.insert(l).second || !parse(l, &s)) return;
    by_module[s.module.empty() ? program_ : s.module].emplace_back(l, s.offset);
  };
  for (const auto& l : labels) want(l);
  for (const auto& t : texts)
    for (const auto& l : tokens(t)) want(l);
  for (auto& [module, sites] : by_module) {
    std::vector<std::string> args{tool_, "--obj=" + module, "--functions=none", "--inlining"};
    // A return address: the call is the instruction before it.
    for (auto& [l, off] : sites) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "0x%llx", off > 0 ? off - 1 : 0);
      args.emplace_back(buf);
    }
    std::vector<std::string> where(sites.size());
    if (!tool_.empty()) {
      // One block per address, blank-line separated; its first line is the
      // innermost (inlined) frame: file:line:column, or ??:0:0.
      const std::string out = run_capture(args);
      size_t k = 0, b = 0;
      bool block_start = true;
      while (b < out.size() && k < sites.size()) {
        size_t e = out.find('\n', b);
        if (e == std::string::npos) e = out.size();
        std::string line = out.substr(b, e - b);
        b = e + 1;
        if (line.empty()) {
          if (!block_start) ++k;
          block_start = true;
          continue;
        }
        if (!block_start) continue;
        block_start = false;
        const size_t c2 = line.rfind(':'), c1 = c2 == std::string::npos ? c2 : line.rfind(':', c2 - 1);
        if (c1 == std::string::npos || line.compare(0, 2, "??") == 0) continue;
        const std::string file = line.substr(0, c1), ln = line.substr(c1 + 1, c2 - c1 - 1);
        if (ln == "0") continue;
        where[k] = base_name(file) + ":" + ln;
      }
    }
    for (size_t i = 0; i < sites.size(); ++i) {
      Site s;
      parse(sites[i].first, &s);
      cache_[sites[i].first] = where[i].empty() ? fallback(s) : where[i];
    }
  }
}

std::string Symbolizer::where(const std::string& label) {
  Site s;
  if (!parse(label, &s)) return label;
  if (!cache_.count(label)) prefetch({label});
  return cache_[label];
}

std::string Symbolizer::annotate(const std::string& text) {
  prefetch({}, {text});
  std::string out;
  for (size_t i = 0; i < text.size();) {
    if (i > 0 && text[i - 1] == '(' && (text.compare(i, 2, "0x") == 0 || text[i] == '/')) {
      size_t e = i;
      while (e < text.size() && text[e] != ')' && text[e] != ',' && text[e] != ' ' && text[e] != ';') ++e;
      const std::string t = text.substr(i, e - i);
      Site s;
      if (parse(t, &s)) {
        out += where(t);
        i = e;
        continue;
      }
    }
    out += text[i++];
  }
  return out;
}

void ModuleMap::load(pid_t pid, const std::string& program) {
  mods_.clear();
  char self[4096];
  std::string prog = realpath(program.c_str(), self) ? std::string(self) : program;
  std::FILE* f = std::fopen(("/proc/" + std::to_string(pid) + "/maps").c_str(), "r");
  if (!f) return;
  std::map<std::string, unsigned long long> base;  // a module's load address: its mapping of file offset 0
  char line[4608];
  while (std::fgets(line, sizeof line, f)) {
    unsigned long long lo, hi, off;
    char perms[8];
    int pos = 0;
    if (std::sscanf(line, "%llx-%llx %7s %llx %*s %*s %n", &lo, &hi, perms, &off, &pos) < 4 || pos == 0) continue;
    std::string path(line + pos);
    while (!path.empty() && (path.back() == '\n' || path.back() == ' ')) path.pop_back();
    if (path.empty() || path[0] != '/' || path == prog) continue;
    if (off == 0 && !base.count(path)) base[path] = lo;
    if (perms[2] == 'x' && base.count(path)) mods_.push_back(Mod{lo, hi, base[path], path});
  }
  std::fclose(f);
}

std::string ModuleMap::label(unsigned long long addr) const {
  for (const auto& m : mods_)
    if (addr >= m.lo && addr < m.hi) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "+0x%llx", addr - m.base);
      return m.path + buf;
    }
  return {};
}

std::string exec_program_of(const Schedule& s) {
  if (!s.command.empty()) return s.command[0];
  const TargetInfo* t = find_target(s.target);
  return t && !t->exec.empty() ? t->exec[0] : std::string();
}

Schedule symbolized(const Schedule& s) {
  const std::string prog = exec_program_of(s);
  if (prog.empty()) return s;
  Symbolizer sym(prog);
  std::vector<std::string> labels;
  for (const auto& st : s.steps) labels.push_back(st.label);
  sym.prefetch(labels, {s.message});
  Schedule out = s;
  for (auto& st : out.steps) st.label = sym.where(st.label);
  out.message = sym.annotate(s.message);
  if (!sym.note().empty()) out.message += " [" + sym.note() + "]";
  return out;
}

std::string symbolized_message(const std::string& target, const std::string& message) {
  const TargetInfo* t = find_target(target);
  if (!t || t->exec.empty()) return message;
  Symbolizer sym(t->exec[0]);
  std::string m = sym.annotate(message);
  if (!sym.note().empty() && m != message) m += " [" + sym.note() + "]";
  return m;
}

}  // namespace ipcrace
