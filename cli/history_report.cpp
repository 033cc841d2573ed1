// check-history --report FILE.html: the operations of the non-linearizable
// key as intervals on a time axis (event order), one lane per process (as in
// Porcupine's visualisation), the ops that cannot be ordered highlighted.
// Self-contained: inline CSS and SVG.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>

#include "check_history_cmd.hpp"
#include "commands.hpp"

namespace ipcrace::cli {
namespace {

std::string esc(const std::string& s) {
  std::string o;
  for (char c : printable(s, 400)) {
    switch (c) {
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '&': o += "&amp;"; break;
      case '"': o += "&quot;"; break;
      default: o += c;
    }
  }
  return o;
}

// Exclusive temp file in the target folder, then rename: never writes
// through a planted symlink.
void write_file_atomically(const std::string& path, const std::string& text) {
  std::string tmpl = path + ".tmp.XXXXXX";
  int fd = ::mkstemp(tmpl.data());
  if (fd < 0) throw UsageError("cannot write " + printable(path, 200) + ": " + std::strerror(errno));
  size_t off = 0;
  while (off < text.size()) {
    ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int e = errno;
      ::close(fd);
      ::unlink(tmpl.c_str());
      throw UsageError("cannot write " + printable(path, 200) + ": " + std::strerror(e));
    }
    off += size_t(n);
  }
  ::fchmod(fd, 0644);
  ::close(fd);
  if (::rename(tmpl.c_str(), path.c_str()) != 0) {
    int e = errno;
    ::unlink(tmpl.c_str());
    throw UsageError("cannot write " + printable(path, 200) + ": " + std::strerror(e));
  }
}

}  // namespace

void write_history_report(const std::string& path, const std::string& file, const History& h, const Model& m,
                          const LinearizabilityResult& r) {
  std::vector<Operation> all;
  std::string err;
  (void)h.operations(&all, &err, SIZE_MAX, /*keep_failed=*/true);
  std::vector<Operation> ops;
  for (auto& op : all)
    if (!m.partition_by_key() || op.key == r.bad_key) ops.push_back(std::move(op));
  std::set<std::pair<size_t, int>> conflict;  // (call event, process)
  for (const auto& c : r.conflict) conflict.insert({c.call, c.process});
  std::map<int, int> lane;  // process -> lane
  for (const auto& op : ops) lane.emplace(op.process, 0);
  int n = 0;
  for (auto& [p, l] : lane) l = n++;
  // Time axis: the key's events, in order, one column each.
  std::vector<size_t> times;
  for (const auto& op : ops) {
    times.push_back(op.call);
    if (op.ret != SIZE_MAX) times.push_back(op.ret);
  }
  std::sort(times.begin(), times.end());
  times.erase(std::unique(times.begin(), times.end()), times.end());
  auto col = [&](size_t t) { return size_t(std::lower_bound(times.begin(), times.end(), t) - times.begin()); };
  const int cw = 28, lh = 34, left = 110, top = 30;
  const size_t ncols = times.size() + 2;
  const int width = left + int(ncols) * cw + 20, height = top + n * lh + 30;
  std::string svg = "<svg xmlns='http://www.w3.org/2000/svg' width='" + std::to_string(width) + "' height='" +
                    std::to_string(height) + "' font-family='monospace' font-size='11'>\n";
  for (const auto& [p, l] : lane) {
    const int y = top + l * lh;
    svg += "<text x='4' y='" + std::to_string(y + 20) + "'>process " + std::to_string(p) + "</text>\n";
    svg += "<line x1='" + std::to_string(left) + "' y1='" + std::to_string(y + 16) + "' x2='" + std::to_string(width - 10) +
           "' y2='" + std::to_string(y + 16) + "' stroke='#ddd'/>\n";
  }
  if (r.bad_prefix_events && r.bad_prefix_events <= h.size() && !times.empty()) {
    // The end of the shortest bad prefix.
    size_t c = col(r.bad_prefix_events - 1);
    const int x = left + int(c) * cw + cw - 2;
    svg += "<line x1='" + std::to_string(x) + "' y1='" + std::to_string(top - 10) + "' x2='" + std::to_string(x) +
           "' y2='" + std::to_string(height - 20) + "' stroke='#c00' stroke-dasharray='4 3'/>\n";
    svg += "<text x='" + std::to_string(x + 3) + "' y='" + std::to_string(top - 14) +
           "' fill='#c00'>end of the shortest bad prefix</text>\n";
  }
  for (const auto& op : ops) {
    const bool bad = conflict.count({op.call, op.process}) != 0;
    const int y = top + lane[op.process] * lh + 4;
    const int x1 = left + int(col(op.call)) * cw + 2;
    const int x2 = op.ret != SIZE_MAX ? left + int(col(op.ret)) * cw + cw - 4 : width - 12;
    const char* fill = bad ? "#f6b3b3" : op.outcome == EventType::info ? "#eee" : op.outcome == EventType::fail ? "#f4f4f4" : "#cfe3f7";
    const char* stroke = bad ? "#c00" : "#789";
    std::string label = describe_operation(op, m);
    svg += "<g><title>" + esc((op.call_line ? "line " + std::to_string(op.call_line) : std::string("")) +
                              (op.ret_line ? "-" + std::to_string(op.ret_line) : std::string("")) + ": process " +
                              std::to_string(op.process) + ": " + label) +
           "</title><rect x='" + std::to_string(x1) + "' y='" + std::to_string(y) + "' width='" +
           std::to_string(std::max(6, x2 - x1)) + "' height='24' rx='3' fill='" + fill + "' stroke='" + stroke +
           "'" + (op.outcome == EventType::info ? " stroke-dasharray='3 2'" : "") + (bad ? " stroke-width='2'" : "") +
           "/><text x='" + std::to_string(x1 + 3) + "' y='" + std::to_string(y + 16) + "'>" +
           esc(label.size() > size_t(std::max(4, (x2 - x1) / 7)) ? label.substr(0, size_t(std::max(4, (x2 - x1) / 7))) : label) +
           "</text></g>\n";
  }
  svg += "</svg>\n";
  std::string conflicts;
  for (const auto& c : r.conflict)
    conflicts += "<li>" + esc((c.call_line ? "line " + std::to_string(c.call_line) : "event " + std::to_string(c.call)) +
                              (c.ret_line ? "-" + std::to_string(c.ret_line) : std::string()) + ": process " +
                              std::to_string(c.process) + ": " + describe_operation(c, m)) +
                 "</li>\n";
  std::string html =
      "<!doctype html>\n<html><head><meta charset='utf-8'><title>ipcrace check-history: " + esc(file) +
      "</title>\n<style>body{font-family:sans-serif;margin:20px} .bad{color:#c00} .wrap{overflow-x:auto;border:1px solid #ccc}"
      " code{background:#f4f4f4;padding:1px 3px}</style></head><body>\n<h1>" +
      esc(linearizable_name(r.verdict)) + "</h1>\n<p>file <code>" + esc(file) + "</code>, model <code>" + esc(m.name()) +
      "</code>" + (m.partition_by_key() ? ", key <code>" + esc(r.bad_key) + "</code>" : std::string()) + "</p>\n<p>" +
      esc(r.message) + "</p>\n<h2 class='bad'>Operations that cannot be ordered (" + std::to_string(r.conflict.size()) +
      (r.conflict_minimal ? ", minimal" : ", not minimal: out of time") + ")</h2>\n<ul>\n" + conflicts +
      "</ul>\n<h2>Operations of this key over time</h2>\n<p>One lane per process; each box spans its call to its "
      "completion (columns are the key's events in order; an indeterminate op, dashed, runs to the end). Red: the "
      "conflicting ops. Hover a box for its lines.</p>\n<div class='wrap'>\n" +
      svg + "</div>\n</body></html>\n";
  write_file_atomically(path, html);
}

}  // namespace ipcrace::cli
