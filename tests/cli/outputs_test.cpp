// The user's side of the ipcrace command: --jobs, --budget, JUnit, SARIF,
// HTML reports (rendered in headless Chromium) and the gate's self-tests.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "ipcrace/exit_codes.hpp"
#include "support/support.hpp"

namespace ipcrace {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

fs::path scratch(const std::string& name) {
  auto p = fs::temp_directory_path() / ("ipcrace-test-out-" + std::to_string(getpid()) + "-" + name);
  fs::remove_all(p);
  fs::create_directories(p);
  return p;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), {}};
}

int count(const std::string& s, const std::string& what) {
  int n = 0;
  for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
  return n;
}

std::string attr(const std::string& xml, const std::string& element, const std::string& name) {
  std::smatch m;
  std::regex re("<" + element + "\\b[^>]*\\b" + name + "=\"([^\"]*)\"");
  return std::regex_search(xml, m, re) ? m[1].str() : "";
}

TEST(Outputs, JobsOneAndTwoGiveIdenticalPerTargetResults) {
  json res[2];
  for (int j = 0; j < 2; ++j) {
    auto out = scratch("jobs" + std::to_string(j));
    auto r = test::run_cmd({"run", "shm.counter.racy", "shm.once.racy", "shm.counter.mutex", "--runs", "80", "--seed",
                            "11", "--json", "--jobs", std::to_string(j + 1), "--out", out.string()});
    ASSERT_EQ(r.code, kExitFinding) << r.err;
    res[j] = json::parse(r.out)["targets"];
    for (auto& t : res[j]) {
      for (auto& f : t["schedule_files"]) f = fs::path(f.get<std::string>()).filename().string();
      if (t.contains("races"))
        for (auto& f : t["races"]) f["schedule_file"] = fs::path(f["schedule_file"].get<std::string>()).filename().string();
      t.erase("seconds");
      if (t.contains("minimized"))
        t["minimized"]["schedule_file"] = fs::path(t["minimized"]["schedule_file"].get<std::string>()).filename().string();
    }
    fs::remove_all(out);
  }
  ASSERT_EQ(res[0].size(), 3u);
  EXPECT_GT(res[0][0]["findings"].get<int>(), 0);
  EXPECT_EQ(res[0], res[1]);
}

TEST(Outputs, BudgetTakesRunsAndSeconds) {
  auto r = test::run_cmd({"run", "shm.counter.mutex", "--budget", "40runs,60s", "--json", "--jobs", "2"});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_EQ(json::parse(r.out)["targets"][0]["runs"], 40);
  auto s = test::run_cmd({"run", "shm.counter.mutex", "--budget", "1s", "--json", "-q"});
  ASSERT_EQ(s.code, kExitOk) << s.err;
  EXPECT_GT(json::parse(s.out)["targets"][0]["runs"].get<int>(), 0);
  for (const char* bad : {"40", "runs", "12parsecs", "0runs", "1.5runs"}) {
    auto b = test::run_cmd({"run", "shm.counter.mutex", "--budget", bad});
    EXPECT_EQ(b.code, kExitUsage) << bad;
    EXPECT_EQ(count(b.err, "\n"), 1) << b.err;
  }
  EXPECT_EQ(test::run_cmd({"gate", "shm.counter.mutex", "--budget", "10runs"}).code, kExitUsage);
}

TEST(Outputs, SarifAndJunitOfARun) {
  auto dir = scratch("sarif");
  auto r = test::run_cmd({"run", "shm.counter.racy", "shm.counter.mutex", "--runs", "200", "-q", "--out",
                          (dir / "f").string(), "--sarif", (dir / "r.sarif").string(), "--junit",
                          (dir / "r.xml").string()});
  ASSERT_EQ(r.code, kExitFinding) << r.err;
  json s = json::parse(slurp(dir / "r.sarif"));
  EXPECT_EQ(s["version"], "2.1.0");
  const json& run = s["runs"][0];
  EXPECT_EQ(run["tool"]["driver"]["name"], "ipcrace");
  std::set<std::string> ids;
  for (const auto& rule : run["tool"]["driver"]["rules"]) ids.insert(rule["id"]);
  for (const char* id : {"IPCRACE-ASSERTION", "IPCRACE-DEADLOCK", "IPCRACE-CRASH", "IPCRACE-HANG", "IPCRACE-RACE",
                         "IPCRACE-NOT-FOUND"})
    EXPECT_TRUE(ids.count(id)) << id;
  ASSERT_FALSE(run["results"].empty());
  std::set<std::string> races;
  for (const auto& res : run["results"]) {
    EXPECT_EQ(res["properties"]["target"], "shm.counter.racy");
    const json& rule = run["tool"]["driver"]["rules"][res["ruleIndex"].get<size_t>()];
    EXPECT_EQ(rule["id"], res["ruleId"]);
    EXPECT_NE(res["message"]["text"].get<std::string>().find("ipcrace replay "), std::string::npos);
    if (res["ruleId"] != "IPCRACE-RACE") {
      EXPECT_EQ(res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "targets/shm/counter.cpp");
      continue;
    }
    // A data race is located at both accesses: the lines that name their
    // labels (the counter's load and store, in its mechanism), one result per
    // racing pair of sites.
    ASSERT_EQ(res["locations"].size(), 2u) << res.dump();
    EXPECT_EQ(res["relatedLocations"].size(), 1u);
    for (const auto& loc : res["locations"]) {
      EXPECT_EQ(loc["physicalLocation"]["artifactLocation"]["uri"], "mechanisms/shm/counter.hpp") << loc.dump();
      EXPECT_GT(loc["physicalLocation"]["region"]["startLine"].get<int>(), 1);
      const std::string label = loc["logicalLocations"][0]["name"];
      EXPECT_TRUE(label == "counter.load" || label == "counter.store") << label;
      EXPECT_NE(loc["message"]["text"].get<std::string>().find(" access: actor "), std::string::npos);
    }
    races.insert(res["properties"]["race_pair"].get<std::string>());
  }
  EXPECT_EQ(races, (std::set<std::string>{"shm_load:counter.load | shm_store:counter.store",
                                          "shm_store:counter.store | shm_store:counter.store"}));
  // The racy counter's first finding is its data race (race detection is on by default).
  EXPECT_EQ(run["results"][0]["ruleId"], "IPCRACE-RACE");
  std::string x = slurp(dir / "r.xml");
  EXPECT_EQ(x.rfind("<?xml", 0), 0u);
  EXPECT_EQ(attr(x, "testsuites", "tests"), "2");
  EXPECT_EQ(attr(x, "testsuite", "tests"), "2");
  EXPECT_EQ(attr(x, "testsuite", "failures"), "0");  // both verdicts as expected
  EXPECT_EQ(count(x, "<testcase "), 2);
  EXPECT_EQ(count(x, "</testcase>"), 2);
  EXPECT_EQ(count(x, "<failure "), 0);
  EXPECT_NE(x.find("name=\"shm.counter.racy\" classname=\"ipcrace.shm\""), std::string::npos);
  fs::remove_all(dir);
}

// The gate's self-tests: removing the locks of synchronised variants, and a
// racy target whose race cannot happen (one actor), must both fail the gate.
TEST(Outputs, GateFailsWhenLocksAreRemoved) {
  auto dir = scratch("gate-nolock");
  auto r = test::run_cmd({"gate", "shm.counter.mutex", "shm.record.rwlock", "--clean-runs", "300", "--jobs", "2",
                          "--out", (dir / "f").string(), "--junit", (dir / "g.xml").string(), "--sarif",
                          (dir / "g.sarif").string()},
                         "IPCRACE_INJECT=no-lock");
  EXPECT_EQ(r.code, kExitGateMismatch) << r.out << r.err;
  std::string x = slurp(dir / "g.xml");
  EXPECT_EQ(attr(x, "testsuites", "failures"), "2");
  EXPECT_EQ(count(x, "<failure "), 2);
  json s = json::parse(slurp(dir / "g.sarif"));
  ASSERT_FALSE(s["runs"][0]["results"].empty());
  EXPECT_EQ(s["runs"][0]["results"][0]["level"], "error");
  // The same gate without the injected fault passes.
  auto ok = test::run_cmd({"gate", "shm.counter.mutex", "shm.record.rwlock", "--clean-runs", "300", "--jobs", "2",
                           "--out", (dir / "f").string()});
  EXPECT_EQ(ok.code, kExitOk) << ok.out << ok.err;
  fs::remove_all(dir);
}

TEST(Outputs, GateFailsWhenARacyTargetIsNotFound) {
  auto dir = scratch("gate-missed");
  auto r = test::run_cmd({"gate", "shm.counter.racy", "--seeds", "2", "--param", "actors=1", "--junit",
                          (dir / "g.xml").string(), "--sarif", (dir / "g.sarif").string()});
  EXPECT_EQ(r.code, kExitGateMismatch) << r.out << r.err;
  EXPECT_EQ(attr(slurp(dir / "g.xml"), "testsuite", "failures"), "1");
  json s = json::parse(slurp(dir / "g.sarif"));
  EXPECT_EQ(s["runs"][0]["results"][0]["ruleId"], "IPCRACE-NOT-FOUND");
  auto ok = test::run_cmd({"gate", "shm.counter.racy", "--seeds", "2"});
  EXPECT_EQ(ok.code, kExitOk) << ok.out << ok.err;
  fs::remove_all(dir);
}

// Render a finding page in headless Chromium; the page's own script counts
// what the browser laid out (lanes, ops, arrows with a non-zero length).
std::string chromium_dom(const fs::path& page, const fs::path& profile) {
  std::string cmd = "/usr/bin/chromium --headless --no-sandbox --disable-gpu --no-first-run "
                    "--disable-background-networking --disable-component-update --disable-sync --user-data-dir=" +
                    profile.string() + " --dump-dom 'file://" + page.string() + "' 2>/dev/null";
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

// A race's page links its two accesses in red (path.race-link between the
// steps of the schedule's race-steps line); every racing pair gets a page.
TEST(Outputs, ReportMarksEachRaceWithARedLinkBetweenItsAccesses) {
  auto dir = scratch("race-report");
  auto r = test::run_cmd({"run", "shm.counter.racy", "--runs", "30", "-q", "--out", (dir / "f").string(), "--report",
                          (dir / "html").string()});
  ASSERT_EQ(r.code, kExitFinding) << r.err;
  int pages = 0;
  std::set<std::string> pairs;
  for (const auto& e : fs::directory_iterator(dir / "html")) {
    if (e.path().filename() == "index.html") continue;
    const std::string html = slurp(e.path());
    if (html.find("&mdash; race</h1>") == std::string::npos) continue;
    ++pages;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(html, m, std::regex("<path class=\"race-link\" data-from=\"([0-9]+)\" data-to=\"([0-9]+)\"")))
        << e.path();
    EXPECT_LT(std::stoi(m[1]), std::stoi(m[2]));
    EXPECT_EQ(count(html, "class=\"race-link\""), 1);
    EXPECT_EQ(count(html, "<rect class=\"race-access\""), 2);
    EXPECT_NE(html.find("data-step=\"" + m[1].str() + "\" x="), std::string::npos);
    std::smatch t;
    ASSERT_TRUE(std::regex_search(html, t, std::regex("<title>data race: step [0-9]+ \\(actor ([0-9]) [^<]*step [0-9]+ \\(actor ([0-9])")));
    EXPECT_NE(t[1].str(), t[2].str());
  }
  EXPECT_GE(pages, 2);  // the load/store pair and the store/store pair (and the minimised one)
  fs::remove_all(dir);
}

TEST(Outputs, ReportPagesRenderInChromium) {
  ASSERT_TRUE(fs::exists("/usr/bin/chromium")) << "install chromium (ci/setup does)";
  auto dir = scratch("report");
  auto r = test::run_cmd({"run", "rpc.mux.racy", "shm.counter.mutex", "--runs", "60", "-q", "--out",
                          (dir / "f").string(), "--report", (dir / "html").string()});
  ASSERT_EQ(r.code, kExitFinding) << r.err;
  std::string index = slurp(dir / "html" / "index.html");
  ASSERT_NE(index.find("rpc.mux.racy"), std::string::npos);
  EXPECT_NE(index.find("assertion (minimised)"), std::string::npos) << index;  // the first link: the minimised run
  std::smatch m;
  ASSERT_TRUE(std::regex_search(index, m, std::regex("href=\"([^\"]+\\.html)\""))) << index;
  fs::path page = dir / "html" / m[1].str();
  std::string html = slurp(page);
  EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org/2000/svg"));  // no network assets
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_NE(html.find("ipcrace replay " + (dir / "f").string()), std::string::npos);
  std::string dom = chromium_dom(page, dir / "profile");
  ASSERT_NE(dom.find("<svg"), std::string::npos) << dom.substr(0, 400);
  auto num = [&](const char* a) {
    std::smatch mm;
    return std::regex_search(dom, mm, std::regex(std::string(a) + "=\"([0-9]+)\"")) ? std::stoi(mm[1]) : -1;
  };
  EXPECT_GE(num("data-lanes"), 2);
  EXPECT_EQ(num("data-lanes"), count(dom, "<g class=\"lane\""));
  EXPECT_GT(num("data-ops"), 0);
  EXPECT_GT(num("data-arrows"), 0);
  EXPECT_EQ(num("data-drawn-arrows"), num("data-arrows"));
  EXPECT_GT(count(dom, "class=\"arrow msg\""), 0);
  EXPECT_NE(dom.find("id=\"oracle\""), std::string::npos);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace ipcrace
