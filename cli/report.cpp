// HTML reports: a self-contained page per finding with an SVG swimlane
// timeline of its schedule, and an index page for the campaign. No network
// assets: styles and the small check script are inline.
#include <algorithm>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>

#include "exec/symbolize.hpp"
#include "race_outputs.hpp"
#include "ux_outputs.hpp"

#include "ipcrace/atomic_file.hpp"

namespace ipcrace::cli {

namespace fs = std::filesystem;

namespace {

std::string esc(const std::string& s) {
  std::string o;
  for (char ch : s) {
    switch (ch) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      default: o += ch;
    }
  }
  return o;
}

// Op kinds by family, for colours and the legend.
const char* kind_class(OpKind k) {
  switch (k) {
    case OpKind::send: case OpKind::write: case OpKind::call: case OpKind::reply: return "k-send";
    case OpKind::recv: case OpKind::read: return "k-recv";
    case OpKind::lock: case OpKind::rdlock: return "k-lock";
    case OpKind::unlock: case OpKind::rdunlock: return "k-unlock";
    case OpKind::shm_load: return "k-load";
    case OpKind::shm_store: case OpKind::shm_rmw: return "k-store";
    case OpKind::sem_wait: case OpKind::sem_post: case OpKind::cv_wait: case OpKind::cv_notify: return "k-signal";
    default: return "k-other";
  }
}

bool is_producer(OpKind k) {
  return k == OpKind::send || k == OpKind::write || k == OpKind::call || k == OpKind::reply;
}
bool is_consumer(OpKind k) { return k == OpKind::recv || k == OpKind::read; }
bool is_release(OpKind k) { return k == OpKind::unlock || k == OpKind::rdunlock; }
bool is_acquire(OpKind k) { return k == OpKind::lock || k == OpKind::rdlock; }

}  // namespace

std::vector<Handoff> handoffs_of(const Schedule& s) {
  std::vector<Handoff> out;
  std::map<int, std::deque<size_t>> sent;   // resource -> unmatched sends, in order
  std::map<int, size_t> released;           // resource -> last unlock not yet handed off
  for (size_t i = 0; i < s.steps.size(); ++i) {
    const auto& st = s.steps[i];
    if (st.end == StepEnd::would_block) continue;  // the try did nothing
    if (is_producer(st.kind)) sent[st.resource].push_back(i);
    if (is_consumer(st.kind)) {
      auto& q = sent[st.resource];
      auto it = std::find_if(q.begin(), q.end(), [&](size_t j) { return s.steps[j].actor != st.actor; });
      if (it != q.end()) {
        out.push_back({*it, i, true});
        q.erase(it);
      }
    }
    if (is_release(st.kind)) released[st.resource] = i;
    if (is_acquire(st.kind)) {
      auto it = released.find(st.resource);
      if (it != released.end()) {
        if (s.steps[it->second].actor != st.actor) out.push_back({it->second, i, false});
        released.erase(it);
      }
    }
  }
  return out;
}

namespace {

const char* kStyle = R"(
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#1d2330;background:#fff}
h1{font-size:20px;margin:0 0 4px} .msg{font-size:16px;background:#fff3f0;border-left:4px solid #d9412b;padding:8px 12px;margin:12px 0}
code,pre{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:13px} pre.cmd{background:#f3f5f8;padding:8px 12px;border-radius:4px}
.meta td{padding:1px 12px 1px 0;color:#444} .scroll{overflow-x:auto;border:1px solid #dde2ea;border-radius:4px;padding:8px 0}
table.idx{border-collapse:collapse} table.idx td,table.idx th{border-bottom:1px solid #e3e7ee;padding:4px 10px;text-align:left}
.bad{color:#c0261a;font-weight:600} .ok{color:#1f7a3a}
svg text{font-family:ui-monospace,"DejaVu Sans Mono",monospace}
.lane-bg{fill:#f7f8fb} .lane-name{font-size:13px;font-weight:600;fill:#1d2330}
.op rect{stroke:#1d2330;stroke-width:.6} .op text{font-size:9px;fill:#111}
.k-send rect{fill:#6aa6ff} .k-recv rect{fill:#b7d4ff} .k-lock rect{fill:#ffb454} .k-unlock rect{fill:#ffe0a8}
.k-load rect{fill:#9fe0a8} .k-store rect{fill:#3fbf5a} .k-signal rect{fill:#c9a7ff} .k-other rect{fill:#d7dbe2}
.arrow{fill:none;stroke-width:1.6} .arrow.msg{stroke:#1f5fd1} .arrow.lock{stroke:#d98200;stroke-dasharray:5 3}
.op.fault rect{stroke:#b00020;stroke-width:3} .fault-name{fill:#b00020;font-size:10px;font-weight:bold}
.preemption line{stroke:#d9412b;stroke-width:1.5;stroke-dasharray:3 3} .preemption text{fill:#d9412b;font-size:10px}
.race-link{fill:none;stroke:#e00000;stroke-width:2.4} .race-access{fill:none;stroke:#e00000;stroke-width:2.4}
.legend span{display:inline-block;margin-right:12px} .legend i{display:inline-block;width:12px;height:12px;border:1px solid #1d2330;vertical-align:-2px;margin-right:4px}
)";

// Runs in the browser: counts what was laid out, so a headless check (or a
// curious reader) sees the timeline was rendered, not only serialised.
const char* kCheck = R"(<script>
(function(){var s=document.querySelector('svg.timeline');if(!s)return;
var a=s.querySelectorAll('path.arrow'),n=0;for(var i=0;i<a.length;i++)if(a[i].getTotalLength()>0)n++;
var b=document.body.dataset;b.lanes=s.querySelectorAll('g.lane').length;b.ops=s.querySelectorAll('g.op').length;
b.arrows=a.length;b.drawnArrows=n;b.raceLinks=s.querySelectorAll('path.race-link').length;b.preemptions=s.querySelectorAll('g.preemption').length;b.width=Math.round(s.getBBox().width);})();
</script>)";

struct Arrow {
  size_t from, to;
  const char* cls;  // "arrow msg" or "arrow lock"
};

std::string svg_timeline(const Schedule& s) {
  int actors = int(s.params.has("actors") ? s.params.get("actors") : 0);
  for (const auto& st : s.steps) actors = std::max(actors, st.actor + 1);
  // Boxes as wide as the longest resource name (9px monospace, ~5.5px a
  // character): names are shown whole, and in full again on hover.
  size_t longest = 10;
  for (const auto& st : s.steps)
    if (st.resource < int(s.resources.size())) longest = std::max(longest, s.resources[size_t(st.resource)].size());
  const int left = 92, top = 22, lane_h = 56, box_h = 30, gap = 8;
  const int box_w = std::max(58, int(longest * 11 / 2) + 8);
  const int step_w = box_w + gap;
  const int width = left + int(s.steps.size()) * step_w + 20;
  const int height = top + actors * lane_h + 10;
  auto box_x = [&](size_t i) { return left + int(i) * step_w; };
  auto lane_y = [&](int a) { return top + a * lane_h + (lane_h - box_h) / 2; };
  std::string o;
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"schedule timeline\">\n",
                width, height, width, height);
  o += buf;
  o += "<defs><marker id=\"ah-msg\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" "
       "orient=\"auto-start-reverse\"><path d=\"M0,0L10,5L0,10z\" fill=\"#1f5fd1\"/></marker>"
       "<marker id=\"ah-lock\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" "
       "orient=\"auto-start-reverse\"><path d=\"M0,0L10,5L0,10z\" fill=\"#d98200\"/></marker>"
       "<marker id=\"ah-race\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" "
       "orient=\"auto-start-reverse\"><path d=\"M0,0L10,5L0,10z\" fill=\"#e00000\"/></marker></defs>\n";
  // Step numbers.
  for (size_t i = 0; i < s.steps.size(); ++i) {
    std::snprintf(buf, sizeof buf, "<text x=\"%d\" y=\"14\" font-size=\"9\" fill=\"#888\" text-anchor=\"middle\">%zu</text>",
                  box_x(i) + box_w / 2, i);
    o += buf;
  }
  o += "\n";
  // Lanes with their ops.
  for (int a = 0; a < actors; ++a) {
    std::snprintf(buf, sizeof buf,
                  "<g class=\"lane\" data-actor=\"%d\"><rect class=\"lane-bg\" x=\"0\" y=\"%d\" width=\"%d\" "
                  "height=\"%d\"/><text class=\"lane-name\" x=\"8\" y=\"%d\">actor %d</text>\n",
                  a, top + a * lane_h + 2, width, lane_h - 4, top + a * lane_h + lane_h / 2 + 4, a);
    o += buf;
    for (size_t i = 0; i < s.steps.size(); ++i) {
      const auto& st = s.steps[i];
      if (st.actor != a) continue;
      std::string res = st.resource < int(s.resources.size()) ? s.resources[size_t(st.resource)] : std::to_string(st.resource);
      std::string kind = op_kind_name(st.kind);
      // A fault (issue 12): the op failed that way instead of its normal outcome.
      const std::string fault = st.fault == FaultKind::none ? "" : fault_kind_name(st.fault);
      const std::string fault_title = fault.empty() ? "" : " &#8212; fault: " + fault;
      std::snprintf(buf, sizeof buf,
                    "<g class=\"op %s%s\" data-step=\"%zu\" data-kind=\"%s\"%s%s%s><title>step %zu: actor %d %s %s (%s)%s</title>"
                    "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"3\"/>",
                    kind_class(st.kind), fault.empty() ? "" : " fault", i, esc(kind).c_str(),
                    fault.empty() ? "" : " data-fault=\"", fault.c_str(), fault.empty() ? "" : "\"", i, a,
                    esc(kind).c_str(), esc(res).c_str(), esc(st.label).c_str(), fault_title.c_str(), box_x(i),
                    lane_y(a), box_w, box_h);
      o += buf;
      if (!fault.empty()) {
        std::snprintf(buf, sizeof buf, "<text class=\"fault-name\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>",
                      box_x(i) + box_w / 2, lane_y(a) - 2, fault.c_str());
        o += buf;
      }
      const std::string& short_res = res;  // whole: the boxes are wide enough
      const std::string& short_kind = kind;
      std::snprintf(buf, sizeof buf,
                    "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text><text class=\"res\" x=\"%d\" y=\"%d\" "
                    "text-anchor=\"middle\" fill=\"#333\">%s</text></g>\n",
                    box_x(i) + box_w / 2, lane_y(a) + 12, esc(short_kind).c_str(), box_x(i) + box_w / 2,
                    lane_y(a) + 24, esc(short_res).c_str());
      o += buf;
    }
    o += "</g>\n";
  }
  // Preemption points: a dashed line before the step that preempted.
  for (size_t i : preemption_steps(s)) {  // the one definition (finding.hpp)
    int x = box_x(i) - gap / 2;
    std::snprintf(buf, sizeof buf,
                  "<g class=\"preemption\" data-step=\"%zu\"><title>preemption before step %zu: actor %d was switched "
                  "away from</title><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/><path d=\"M%d,%dl5,-8h-10z\" fill=\"#d9412b\"/></g>\n",
                  i, i, s.steps[i - 1].actor, x, top - 2, x, height - 4, x, top + 2);
    o += buf;
  }
  // Arrows: message send -> receive, lock handoff unlock -> lock.
  for (const auto& h : handoffs_of(s)) {
    const Arrow ar{h.from, h.to, h.message ? "arrow msg" : "arrow lock"};
    const auto& f = s.steps[ar.from];
    const auto& t = s.steps[ar.to];
    int x1 = box_x(ar.from) + box_w / 2, x2 = box_x(ar.to) + box_w / 2;
    bool down = t.actor > f.actor;
    int y1 = lane_y(f.actor) + (down ? box_h : 0), y2 = lane_y(t.actor) + (down ? 0 : box_h);
    int mid = (y1 + y2) / 2;
    bool msg = std::string(ar.cls) == "arrow msg";
    std::snprintf(buf, sizeof buf,
                  "<path class=\"%s\" data-from=\"%zu\" data-to=\"%zu\" d=\"M%d,%d C%d,%d %d,%d %d,%d\" "
                  "marker-end=\"url(#%s)\"><title>%s: step %zu (actor %d) -&gt; step %zu (actor %d)</title></path>\n",
                  ar.cls, ar.from, ar.to, x1, y1, x1, mid, x2, mid, x2, y2, msg ? "ah-msg" : "ah-lock",
                  msg ? "message" : "lock handoff", ar.from, f.actor, ar.to, t.actor);
    o += buf;
  }
  // A data race: a red link between its two accesses.
  if (s.race_first >= 0 && s.race_second > s.race_first && size_t(s.race_second) < s.steps.size()) {
    const auto& f = s.steps[size_t(s.race_first)];
    const auto& t = s.steps[size_t(s.race_second)];
    int x1 = box_x(size_t(s.race_first)) + box_w / 2, x2 = box_x(size_t(s.race_second)) + box_w / 2;
    bool down = t.actor >= f.actor;
    int y1 = lane_y(f.actor) + (down ? box_h : 0), y2 = lane_y(t.actor) + (down ? 0 : box_h);
    if (t.actor == f.actor) y2 = y1;
    const int bend = t.actor == f.actor ? y1 + lane_h / 2 : (y1 + y2) / 2;
    std::snprintf(buf, sizeof buf,
                  "<path class=\"race-link\" data-from=\"%d\" data-to=\"%d\" d=\"M%d,%d C%d,%d %d,%d %d,%d\" "
                  "marker-end=\"url(#ah-race)\"><title>data race: step %d (actor %d %s %s) and step %d (actor %d %s %s) "
                  "are not ordered</title></path>\n",
                  s.race_first, s.race_second, x1, y1, x1, bend, x2, bend, x2, y2, s.race_first, f.actor,
                  op_kind_name(f.kind), esc(f.label).c_str(), s.race_second, t.actor, op_kind_name(t.kind),
                  esc(t.label).c_str());
    o += buf;
    for (int step : {s.race_first, s.race_second}) {
      const auto& st = s.steps[size_t(step)];
      std::snprintf(buf, sizeof buf,
                    "<rect class=\"race-access\" data-step=\"%d\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"4\"/>\n",
                    step, box_x(size_t(step)) - 2, lane_y(st.actor) - 2, box_w + 4, box_h + 4);
      o += buf;
    }
  }
  o += "</svg>\n";
  return o;
}

std::string page_name(const Schedule& s, const std::string& file, size_t n) {
  if (!file.empty()) return fs::path(file).stem().string() + ".html";
  return s.target + "-" + std::to_string(n) + ".html";
}

}  // namespace

std::string finding_page(const Schedule& found, const std::string& file) {
  const Schedule s = symbolized(found);  // exec-mode labels as file:line
  std::string replay = file.empty() ? "(schedule not saved: run with --out DIR to get a replayable file)"
                                    : "ipcrace replay " + file;
  std::string params;
  for (const auto& [k, v] : s.params.all()) params += (params.empty() ? "" : ", ") + k + "=" + std::to_string(v);
  std::string o = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>" + esc(s.target) + ": " +
                  finding_kind_name(s.finding) + "</title>\n<style>" + kStyle + "</style></head>\n<body>\n";
  o += "<p><a href=\"index.html\">&larr; campaign</a></p>\n";
  o += "<h1>" + esc(s.target) + " &mdash; " + finding_kind_name(s.finding) + "</h1>\n";
  o += "<div class=\"msg\" id=\"oracle\">" + esc(s.message) + "</div>\n";
  o += "<pre class=\"cmd\" id=\"replay\">" + esc(replay) + "</pre>\n";
  char meta[512];
  std::snprintf(meta, sizeof meta,
                "<table class=\"meta\"><tr><td>strategy</td><td>%s, seed %llu, run %llu</td></tr>"
                "<tr><td>actors</td><td>%s</td></tr><tr><td>steps</td><td>%zu, %d preemptions, %d faults</td></tr>",
                esc(s.strategy).c_str(), static_cast<unsigned long long>(s.seed),
                static_cast<unsigned long long>(s.run + 1), actor_mode_name(s.mode), s.steps.size(), s.preemptions(), s.fault_steps());
  o += meta;
  o += "<tr><td>parameters</td><td>" + esc(params) + "</td></tr></table>\n";
  o += "<p class=\"legend\"><span><i style=\"background:#6aa6ff\"></i>send/write</span><span><i "
       "style=\"background:#b7d4ff\"></i>recv/read</span><span><i style=\"background:#ffb454\"></i>lock</span><span><i "
       "style=\"background:#ffe0a8\"></i>unlock</span><span><i style=\"background:#9fe0a8\"></i>shm load</span><span><i "
       "style=\"background:#3fbf5a\"></i>shm store/rmw</span><span><i style=\"background:#c9a7ff\"></i>sem/cv</span>"
       "<span style=\"color:#1f5fd1\">&rarr; message</span><span style=\"color:#d98200\">&#8674; lock handoff</span>"
       "<span style=\"color:#d9412b\">&#9660; preemption</span>"
       "<span style=\"color:#b00020\">&#9633; fault (short, eintr, kill, ...)</span>"
       "<span style=\"color:#e00000\">&#10231; data race</span></p>\n";
  o += "<div class=\"scroll\">\n" + svg_timeline(s) + "</div>\n";
  o += kCheck;
  o += "\n</body></html>\n";
  return o;
}

void write_report(const std::string& dir, const std::vector<CampaignResult>& results) {
  fs::create_directories(dir);
  auto write = [&](const std::string& name, const std::string& text) {
    write_file_atomic((fs::path(dir) / name).string(), text);  // never through a planted symlink
  };
  std::string rows;
  size_t n = 0;
  for (const auto& r : results) {
    std::string links;
    // The minimised schedule of the first finding leads, then each schedule as found.
    std::vector<std::pair<Schedule, std::string>> pages;
    if (r.minimized) pages.emplace_back(*r.minimized, r.minimized_file);
    for (auto& p : finding_schedules(r)) pages.push_back(std::move(p));
    for (auto& p : more_race_schedules(r, pages)) pages.push_back(std::move(p));  // one per racing pair
    for (size_t i = 0; i < pages.size(); ++i) {
      const auto& [s, file] = pages[i];
      std::string name = page_name(s, file, n++);
      write(name, finding_page(s, file));
      const char* how = r.minimized ? (i == 0 ? " (minimised)" : " (as found)") : "";
      links += "<a class=\"finding\" href=\"" + esc(name) + "\">" + finding_kind_name(s.finding) + how + "</a> ";
    }
    char row[1024];
    std::snprintf(row, sizeof row,
                  "<tr><td>%s</td><td>%s</td><td class=\"%s\">%s</td><td>%llu</td><td>%llu</td><td>%s</td><td>%s</td></tr>\n",
                  esc(r.target).c_str(), expect_name(r.expect), r.verdict_ok() ? "ok" : "bad",
                  r.findings ? "finding" : "clean", static_cast<unsigned long long>(r.runs),
                  static_cast<unsigned long long>(r.findings),
                  r.first_finding_run < 0 ? "-" : std::to_string(r.first_finding_run + 1).c_str(),
                  links.empty() ? "-" : links.c_str());
    rows += row;
  }
  int ok = int(std::count_if(results.begin(), results.end(), [](const CampaignResult& r) { return r.verdict_ok(); }));
  std::string idx = std::string("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>ipcrace campaign</title>\n<style>") +
                    kStyle + "</style></head>\n<body>\n<h1>ipcrace campaign</h1>\n<p>" + std::to_string(ok) + " of " +
                    std::to_string(results.size()) +
                    " targets as expected.</p>\n<table class=\"idx\"><tr><th>target</th><th>expected</th><th>verdict</th>"
                    "<th>runs</th><th>findings</th><th>first at run</th><th>timelines</th></tr>\n" +
                    rows + "</table>\n</body></html>\n";
  write("index.html", idx);
}

}  // namespace ipcrace::cli
