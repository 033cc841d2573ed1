// replay --trace / --report / --trace-out, and `ipcrace show FILE`.
#include "trace_cmd.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "commands.hpp"
#include "ipcrace/exit_codes.hpp"
#include "trace_view.hpp"
#include "ux_outputs.hpp"

namespace ipcrace::cli {

namespace fs = std::filesystem;

namespace {

void write_file(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) throw InputError("cannot write '" + p.string() + "'");
}

// --report DIR for one schedule: its timeline page (as `run --report` writes
// it) and an index.html that links to it.
void write_replay_report(const std::string& dir, const Schedule& s, const std::string& file) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw InputError("cannot create the report directory " + dir + ": " + ec.message());
  const std::string page = fs::path(file).stem().string() + ".html";
  write_file(fs::path(dir) / page, finding_page(s, file));
  write_file(fs::path(dir) / "index.html",
             "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>ipcrace replay</title></head>\n"
             "<body><h1>ipcrace replay</h1><p><a class=\"finding\" href=\"" + page + "\">" + s.target + ": " +
                 finding_kind_name(s.finding) + "</a></p></body></html>\n");
}

}  // namespace

void replay_outputs(const ReplayExtras& x, const Schedule& s, const RunResult& r, bool json) {
  const TraceView v = trace_view(s, r);
  if (x.trace) {
    if (json) {
      for (const auto& e : trace_events(v)) std::printf("%s\n", e.dump().c_str());
    } else {
      std::fputs(trace_text(v).c_str(), stdout);
    }
  }
  if (!x.report.empty()) write_replay_report(x.report, v.schedule, x.file);
  if (!x.trace_out.empty()) write_chrome_trace(v, x.trace_out);
}

int cmd_show(const std::string& file) {
  std::string err;
  auto s = load_schedule(file, &err);
  if (!s) throw InputError(err);
  std::fputs(swimlane(trace_view(*s)).c_str(), stdout);
  return kExitOk;
}

}  // namespace ipcrace::cli
