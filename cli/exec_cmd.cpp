#include "exec_cmd.hpp"

#include <filesystem>
#include <regex>

#include "exec/exec_backend.hpp"

namespace ipcrace::cli {

int cmd_exec(const ExecCmdOptions& o, const Common& c) {
  if (o.command.empty()) throw UsageError("exec: give the program after --: ipcrace exec [flags] -- PROG ARGS...");
  if (!o.fail_on.empty()) {
    try {
      std::regex re(o.fail_on);
    } catch (const std::regex_error& e) {
      throw UsageError("--fail-on: not a regular expression: " + o.fail_on);
    }
  }
  ExecSpec spec;
  spec.argv = o.command;
  std::error_code ec;
  if (spec.argv[0].find('/') == std::string::npos) spec.argv[0] = "./" + spec.argv[0];
  auto abs = std::filesystem::absolute(spec.argv[0], ec);
  if (!std::filesystem::exists(abs, ec)) throw UsageError("exec: no such program: " + o.command[0]);
  spec.argv[0] = abs.string();
  spec.expect_exit = o.expect_exit;
  spec.fail_on = o.fail_on;
  spec.preload = o.preload;
  if (!o.may_die.empty()) {
    std::string err;
    auto m = parse_may_die(o.may_die, &err);
    if (!m) throw UsageError("--" + err);
    spec.may_die = *m;
  }
  const std::string name = "exec." + abs.filename().string();
  if (!find_target(name)) register_target(program_target(name, spec, Variant::racy, "ipcrace exec " + o.command[0]));
  return cmd_run({name}, false, c);
}

}  // namespace ipcrace::cli
