// What `replay` shows besides its verdict (--trace, --report, --trace-out,
// --stop-at) and `ipcrace show FILE`.
#pragma once
#include <string>
#include <vector>

#include "commands.hpp"
#include "ipcrace/engine.hpp"
#include "ipcrace/schedule.hpp"

namespace ipcrace::cli {


// --stop-at: sets cfg.stop_at / cfg.on_hold (prints where every actor is
// held and how to attach gdb; waits for Enter on stdin or SIGCONT).
void configure_stop_at(const ReplayExtras& x, const Schedule& s, RunConfig& cfg);

// After the replay: --trace (on stdout, before the verdict), --report, --trace-out.
void replay_outputs(const ReplayExtras& x, const Schedule& s, const RunResult& r, bool json);

int cmd_show(const std::string& file);

}  // namespace ipcrace::cli
