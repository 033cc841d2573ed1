// ipcrace exec [run flags] -- PROG ARGS: an unmodified program under the scheduler.
#pragma once
#include <string>
#include <vector>

#include "commands.hpp"

namespace ipcrace::cli {

struct ExecCmdOptions {
  std::vector<std::string> command;  // PROG ARGS...
  int expect_exit = 0;
  std::string fail_on;
  bool preload = false;
  std::string may_die;  // --may-die: "1,2" or "children"
};

int cmd_exec(const ExecCmdOptions& o, const Common& c);

}  // namespace ipcrace::cli
