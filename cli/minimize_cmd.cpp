// ipcrace minimize SCHEDULE [-o OUT]: shrink a failing schedule, keeping its
// finding kind; prints before and after counts.
#include "trace_view.hpp"
#include "minimize_cmd.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <system_error>

#include "ipcrace/atomic_file.hpp"
#include "ipcrace/errors.hpp"
#include "ipcrace/exit_codes.hpp"
#include "ipcrace/program.hpp"
#include "ipcrace/minimize.hpp"

namespace ipcrace::cli {
namespace {

void write_atomically(const std::string& path, const std::string& text) {
  try {
    write_file_atomic(path, text);
  } catch (const std::system_error& e) {
    throw InputError(std::string("cannot write: ") + e.what());
  }
}

std::string counts_line(const MinimizeCounts& c) {
  return std::to_string(c.steps) + " steps, " + std::to_string(c.preemptions) + " preemptions, " + c.params.str();
}

nlohmann::json counts_json(const MinimizeCounts& c) {
  nlohmann::json p = nlohmann::json::object();
  for (const auto& [k, v] : c.params.all()) p[k] = v;
  return {{"steps", c.steps}, {"preemptions", c.preemptions}, {"params", p}};
}

}  // namespace

int cmd_minimize(const MinimizeCmdOptions& o) {
  std::string err;
  auto sched = load_schedule(o.file, &err);
  if (!sched) throw InputError(err);
  if (sched->finding == FindingKind::none)
    throw InputError(o.file + ": the schedule records no finding; only failing schedules can be minimised");
  try {
    (void)schedule_target(*sched);  // a program target: registered from its command line, binary checked
  } catch (const std::runtime_error& e) {
    throw InputError(o.file + ": " + e.what());
  }
  if (!find_target(sched->target)) throw InputError(o.file + ": unknown target '" + sched->target + "'");
  if (sched->mode == ActorMode::free) throw InputError(o.file + ": a free run has no schedule to minimise");
  MinimizeOptions mo;
  mo.max_runs = o.max_runs;
  mo.max_seconds = o.seconds;
  mo.workload = !o.no_workload;
  mo.step_limit = o.step_limit;
  mo.watchdog_ms = o.watchdog_ms;
  if (!o.quiet && !o.json) mo.log = [](const std::string& line) { std::fprintf(stderr, "  -> %s\n", line.c_str()); };
  MinimizeResult r;
  try {
    r = minimize_schedule(*sched, mo);
  } catch (const std::invalid_argument& e) {
    throw InputError(o.file + ": " + e.what());
  } catch (const std::system_error& e) {
    if (is_resource_error(e)) throw;
    std::fprintf(stderr, "ipcrace: error: %s: %s\n", o.file.c_str(), e.what());
    return kExitDivergence;
  } catch (const std::runtime_error& e) {
    std::fprintf(stderr, "ipcrace: error: %s: %s\n", o.file.c_str(), e.what());
    return kExitDivergence;
  }
  std::string out = o.out;
  if (out.empty()) {
    out = o.file;
    const std::string ext = ".schedule";
    if (out.size() > ext.size() && out.compare(out.size() - ext.size(), ext.size(), ext) == 0)
      out.resize(out.size() - ext.size());
    out += "-min.schedule";
  }
  write_atomically(out, format_schedule(r.schedule));
  if (!o.trace_out.empty()) write_chrome_trace_of(r.schedule, o.trace_out);
  if (o.json) {
    nlohmann::json j{{"file", o.file},
                     {"out", out},
                     {"target", sched->target},
                     {"finding", finding_kind_name(sched->finding)},
                     {"before", counts_json(r.before)},
                     {"after", counts_json(r.after)},
                     {"runs", r.runs},
                     {"seconds", r.seconds},
                     {"budget_hit", r.budget_hit}};
    std::printf("%s\n", j.dump(2).c_str());
  } else {
    std::printf("%s: %s\n", sched->target.c_str(), finding_kind_name(sched->finding));
    std::printf("  before: %s\n", counts_line(r.before).c_str());
    std::printf("  after:  %s\n", counts_line(r.after).c_str());
    std::printf("  %d runs in %.1f s%s\n", r.runs, r.seconds, r.budget_hit ? " (budget reached)" : "");
    std::printf("  wrote %s\n  replay: ipcrace replay %s\n", out.c_str(), out.c_str());
  }
  return kExitOk;
}

void minimize_campaign_finding(CampaignResult& r, const std::string& out_dir) {
  if (!r.first || r.first->mode == ActorMode::free) return;
  try {
    MinimizeOptions mo;
    // The run budget decides where minimisation stops, so the minimised
    // schedule (and the finding signature merge computes from it) is the same
    // on a fast machine and a loaded one, sharded or not. The wall cap is only
    // a safety net for targets whose runs are slow (hangs), far above what
    // 300 ordinary runs take even under a sanitizer on a loaded machine.
    mo.max_runs = 300;
    mo.max_seconds = 300;
    MinimizeResult m = minimize_schedule(*r.first, mo);
    r.original_preemptions = m.before.preemptions;
    r.minimized_preemptions = m.after.preemptions;
    if (!out_dir.empty()) r.minimized_file = save_schedule(m.schedule, out_dir);
    r.minimized = std::move(m.schedule);
  } catch (const std::exception&) {
    rethrow_if_resource_error();  // out of descriptors or space: say so, do not hide it
    // Otherwise left unminimised: the original schedule file stands.
  }
}

}  // namespace ipcrace::cli
