// Source locations of exec-mode labels, at report time (never during runs).
//
// A point of an unmodified program is labelled with its caller's return
// address: "0x<offset>" into the program (the runtime subtracts the
// program's load address; ASLR is off, so it is the same in every run), or
// "<module path>+0x<offset>" for code in a shared object (ExecBackend reads
// the fork server's /proc/<pid>/maps once). Reports, traces, `show` and
// finding messages turn them into "file.c:42" with llvm-symbolizer (found
// as IPCRACE_SYMBOLIZER, llvm-symbolizer, llvm-symbolizer-14 on PATH, or
// /usr/lib/llvm-*/bin); without it they read "<program>+0x<offset>", and
// note() says why.
#pragma once
#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "ipcrace/schedule.hpp"

namespace ipcrace {

class Symbolizer {
 public:
  explicit Symbolizer(std::string program);
  // Resolves every label in `labels` (and the labels inside `texts`) with one
  // llvm-symbolizer call per module.
  void prefetch(const std::vector<std::string>& labels, const std::vector<std::string>& texts = {});
  // "file.c:42" (the source line of the call), "<module>+0x<offset>" when it
  // cannot be resolved; a string that is not an exec label is returned as is.
  std::string where(const std::string& label);
  // Every exec label in `text` (a finding message) replaced by where().
  std::string annotate(const std::string& text);
  const std::string& note() const { return note_; }

 private:
  struct Site {
    std::string module;  // "": the program
    unsigned long long offset;
  };
  static bool parse(const std::string& label, Site* s);
  static std::vector<std::string> tokens(const std::string& text);
  std::string fallback(const Site& s) const;
  std::string program_;
  std::string tool_;
  std::string note_;
  std::map<std::string, std::string> cache_;
};

// The shared objects of a program stopped before main (its fork server):
// read once from /proc/<pid>/maps; every run forks that image, and ASLR is
// off, so a return address means the same module+offset in every run.
class ModuleMap {
 public:
  void load(pid_t pid, const std::string& program);
  // "<path>+0x<offset>" when `addr` lies in a shared object, "" otherwise
  // (the program itself, or no file).
  std::string label(unsigned long long addr) const;

 private:
  struct Mod {
    unsigned long long lo, hi, base;
    std::string path;
  };
  std::vector<Mod> mods_;
};

// The path of llvm-symbolizer, or "" (not installed).
std::string find_symbolizer();
// The program a schedule of an exec target ran ("": not an exec target).
std::string exec_program_of(const Schedule& s);
// The schedule with its step labels and message symbolised (a copy for
// display; schedule files keep the raw labels replay compares).
Schedule symbolized(const Schedule& s);
// A finding message of `target`'s runs, symbolised (unchanged for API targets).
std::string symbolized_message(const std::string& target, const std::string& message);

}  // namespace ipcrace
