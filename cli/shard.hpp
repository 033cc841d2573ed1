// Shards: one campaign split over machines (a CI matrix, a Kubernetes Indexed
// Job), each shard writing a result file that `ipcrace merge` combines into
// the result one machine would have had. See README "Past one machine".
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "commands.hpp"
#include "output.hpp"

namespace ipcrace::cli {

struct ShardSpec {
  uint64_t index = 0;
  uint64_t count = 1;
  bool sharded() const { return count > 1; }
  std::string str() const { return std::to_string(index) + "/" + std::to_string(count); }
};

// From --shard I/N (I may be "auto": $JOB_COMPLETION_INDEX, then
// $IPCRACE_SHARD_INDEX) and --shards-from-env ($IPCRACE_SHARD_INDEX or
// $JOB_COMPLETION_INDEX, and $IPCRACE_SHARD_COUNT). UsageError on bad input.
ShardSpec shard_spec(const Common& c);

// The result file of one shard (`--results FILE`, or a directory: then
// FILE/shard-<I>-of-<N>.json): what the shard ran, per target, with the
// schedules of its first finding of each kind, so that a merge needs no
// other file. `what` is "run" or "gate".
nlohmann::json shard_result_json(const std::string& what, const Common& c, const ShardSpec& shard,
                                 const std::vector<CampaignResult>& runs, const std::vector<GateLine>& gate);
// Writes it atomically; returns the path.
std::string write_shard_result(const Common& c, const ShardSpec& shard, const nlohmann::json& result);
// A shard whose campaign failed: status "failed" with the error; never throws.
void write_failed_shard_result(const Common& c, const ShardSpec& shard, const std::string& what,
                               const std::string& error);

// The stable signature of a finding: target, kind, message with numbers
// normalised, and the hash of its minimised schedule ("-" if none).
std::string finding_signature(const std::string& target, const Schedule& s, const Schedule* minimized);
std::string normalised_message(const std::string& message);

struct MergeOptions {
  std::vector<std::string> files;
  std::string out;  // merged JSON
  Common c;         // --report, --junit, --sarif, --out (schedule files), --json
};
int cmd_merge(const MergeOptions& o);

}  // namespace ipcrace::cli
