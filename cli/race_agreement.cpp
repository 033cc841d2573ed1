// ipcrace's detector against ThreadSanitizer: see ipcrace/race_agreement.hpp.
#include "race_agreement.hpp"

#include "ipcrace/campaign.hpp"
#include "tsan_hooks.hpp"  // harness/src

namespace ipcrace {

std::vector<const TargetInfo*> shared_memory_targets() {
  std::vector<const TargetInfo*> out;
  for (const TargetInfo& t : all_targets())
    if (t.family == "shm" || t.family == "sync" || t.name.rfind("mqueue.ring.", 0) == 0 ||
        t.name.rfind("test.race.", 0) == 0)
      out.push_back(&t);
  return out;
}

AgreementRow race_agreement(const TargetInfo& t, uint64_t runs, int cpu) {
  AgreementRow row;
  row.target = t.name;
  row.data_race = t.expect() == Expect::finding && t.data_race;
  row.runs = runs;
  row.tsan_build = detail::tsan_enabled();
  auto campaign = [&](ActorMode mode, bool race) {
    CampaignOptions o;
    o.strategy.name = "random";
    o.strategy.seed = 1;
    o.runs = runs;
    o.run.mode = mode;
    o.run.race = race;
    o.run.cpu = cpu;
    return run_campaign(t, o);
  };
  if (row.tsan_build) row.tsan_threads = campaign(ActorMode::threads, false).by_kind[size_t(FindingKind::tsan)];
  const CampaignResult th = campaign(ActorMode::threads, true), pr = campaign(ActorMode::processes, true);
  row.race_threads = th.by_kind[size_t(FindingKind::race)];
  row.race_processes = pr.by_kind[size_t(FindingKind::race)];
  for (const auto& f : th.race_findings) row.pairs_threads.insert(f.pair);
  for (const auto& f : pr.race_findings) row.pairs_processes.insert(f.pair);
  return row;
}

std::string agreement_table(const std::vector<AgreementRow>& rows) {
  auto frac = [](uint64_t n, uint64_t of) { return std::to_string(n) + "/" + std::to_string(of); };
  std::string o =
      "| target | data race | TSan, threads | ipcrace, threads | ipcrace, processes | racing pairs | agree |\n"
      "|---|---|---|---|---|---|---|\n";
  size_t ok = 0;
  for (const auto& r : rows) {
    ok += r.agree();
    std::string pairs;
    for (const auto& p : r.pairs_threads) pairs += (pairs.empty() ? "" : "; ") + p;
    if (r.pairs_processes != r.pairs_threads) {
      pairs += " (processes:";
      for (const auto& p : r.pairs_processes) pairs += " " + p;
      pairs += ")";
    }
    for (size_t at = 0; (at = pairs.find('|', at)) != std::string::npos; at += 2) pairs.insert(at, "\\");
    o += "| " + r.target + " | " + (r.data_race ? "yes" : "no") + " | " +
         (r.tsan_build ? frac(r.tsan_threads, r.runs) : std::string("(not a tsan build)")) + " | " +
         frac(r.race_threads, r.runs) + " | " + frac(r.race_processes, r.runs) + " | " +
         (pairs.empty() ? "-" : "`" + pairs + "`") + " | " + (r.agree() ? "yes" : "**NO**") + " |\n";
  }
  o += "\n" + std::to_string(ok) + " of " + std::to_string(rows.size()) + " targets agree";
  if (!rows.empty()) o += " (" + std::to_string(rows[0].runs) + " random runs per column, seed 1)";
  o += "\n";
  return o;
}

}  // namespace ipcrace
