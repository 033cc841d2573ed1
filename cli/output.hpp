// Human and machine output of the CLI: tables, progress, JSON.
#pragma once
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ipcrace/campaign.hpp"

namespace ipcrace::cli {

struct GateLine {
  const TargetInfo* target;
  std::string strategy = "auto";  // racy: the strategy each seed ran
  bool pass = false;
  std::vector<int64_t> runs_to_find;  // racy: per seed, -1 = not found within budget
  uint64_t total_runs = 0;
  std::vector<CampaignResult> unexpected;  // synchronised: campaigns that found something
};

nlohmann::json target_json(const TargetInfo& t);
nlohmann::json campaign_json(const CampaignResult& r);
nlohmann::json gate_json(const GateLine& g);

void print_target_table(const std::vector<TargetInfo>& targets);
void print_summary(const std::vector<CampaignResult>& results);
void print_finding_lines(const CampaignResult& r);
void print_gate_line(const GateLine& g, int seeds, uint64_t clean_runs, const std::vector<std::string>& strategies);

// Progress: a live line on a terminal, plain periodic lines otherwise.
class Progress {
 public:
  explicit Progress(bool enabled);
  std::function<void(const CampaignProgress&)> callback();
  void done(const CampaignResult& r);

 private:
  bool enabled_;
  bool tty_;
  double last_plain_ = -10;
};

}  // namespace ipcrace::cli
