// dfs: exhaustive, stateless exploration by re-execution, bounded by the
// number of preemptions (Musuvathi & Qadeer, PLDI'07), with sleep sets
// (Godefroid) so that interleavings that only reorder independent ops are not
// run twice. Each run replays the prefix of the current branch, then takes the
// first unexplored choice; new_run() backtracks to the deepest node with an
// alternative left and returns false once the bounded space is exhausted.
//
// Shards: the tree above depth D (dfs_split_depth) is enumerated by every
// shard alike (so subtree k is the same subtree in each); below it, subtree k
// is explored only by shard k mod N. A schedule that ends above the cut
// belongs to shard 0. Runs another shard owns end at the cut ("skipped").
//
// Independence: ops on different resources, or two reads of one resource.
// An actor's exit wakes every blocked actor, which this relation does not
// model; sleep sets may then prune a few more schedules than strictly sound.
//
// Faults (--faults): a choice is an actor and a fault for its op (none, or
// one the op can have while the run's fault budget lasts), so each node's
// choices are every enabled actor's op plainly, then each of its fault
// variants, under the preemption bound like the plain choice. A faulted op
// depends on what its plain op depends on; a `kill` depends on everything (an
// exit wakes every peer). A timeout the controller forces (virtual time) is
// not a choice: a variant chosen there runs as the forced timeout.
#include <algorithm>
#include <stdexcept>

#include "ipcrace/fault_kind.hpp"
#include "strategies.hpp"

namespace ipcrace {
namespace {

bool has(const std::vector<int>& v, int x) { return std::find(v.begin(), v.end(), x) != v.end(); }

// One branch of a node: an actor, and the fault of its op (0: none).
struct Choice {
  int actor = -1;
  int fault = 0;
  bool operator==(const Choice&) const = default;
};
bool has(const std::vector<Choice>& v, Choice c) { return std::find(v.begin(), v.end(), c) != v.end(); }

class DfsStrategy final : public Strategy {
 public:
  DfsStrategy(int bound, uint64_t shard, uint64_t shards, int split)
      : bound_(bound), shard_(shard), shards_(shards), split_(size_t(std::max(1, split))) {}
  std::string name() const override { return "dfs"; }
  bool independent_runs() const override { return false; }

  bool new_run(uint64_t) override {
    depth_ = 0;
    if (!started_) {
      started_ = true;
      return true;
    }
    while (!stack_.empty()) {
      Node& nd = stack_.back();
      if (Choice c = first_open(nd); c.actor >= 0) return nd.done.push_back(c), true;
      stack_.pop_back();
    }
    complete_ = true;
    return false;
  }

  int next_actor(const SchedView& v) override {
    if (shards_ > 1 && depth_ == split_ && !mine()) {
      skipped_run_ = true;  // another shard explores this subtree
      return kAbortRun;
    }
    if (depth_ < stack_.size()) {  // replaying the prefix of this branch
      Node& nd = stack_[depth_];
      if (!std::equal(nd.enabled.begin(), nd.enabled.end(), v.enabled.begin(), v.enabled.end()))
        throw std::runtime_error("dfs: the target is not deterministic: the enabled set at step " +
                                 std::to_string(v.step) + " differs from an earlier run");
      ++depth_;
      return nd.done.back().actor;
    }
    Node nd;
    nd.enabled.assign(v.enabled.begin(), v.enabled.end());
    nd.ops.assign(v.pending.begin(), v.pending.end());
    nd.masks.assign(v.pending.size(), 0);
    if (v.faults_left > 0)
      for (int b : nd.enabled) nd.masks[size_t(b)] = v.pending[size_t(b)].faults & v.faults_enabled;
    nd.last = v.last;
    if (!stack_.empty()) {
      const Node& parent = stack_.back();
      const Choice chosen = parent.done.back();
      const Op& op = parent.ops[size_t(chosen.actor)];
      nd.preemptions = parent.preemptions + cost(parent, chosen.actor);
      nd.last_yielded = op.kind == OpKind::yield;  // a switch after a yield is free (preemption_steps)
      const int kill = int(FaultKind::kill);
      auto inherit = [&](Choice x) {
        if (x.actor != chosen.actor && !has(nd.sleep, x) && x.fault != kill && chosen.fault != kill &&
            !ops_dependent(parent.ops[size_t(x.actor)], op))
          nd.sleep.push_back(x);
      };
      for (Choice x : parent.sleep) inherit(x);
      for (size_t i = 0; i + 1 < parent.done.size(); ++i) inherit(parent.done[i]);
    }
    Choice choice;
    if (nd.last >= 0 && has(nd.enabled, nd.last) && !has(nd.sleep, Choice{nd.last, 0})) choice = {nd.last, 0};
    if (choice.actor < 0) choice = first_open(nd);
    if (choice.actor < 0) {
      aborted_ = true;  // every continuation is equivalent to one explored already
      return kAbortRun;
    }
    nd.done.push_back(choice);
    stack_.push_back(std::move(nd));
    ++depth_;
    return choice.actor;
  }

  // The fault of this depth's branch.
  int next_fault(const SchedView& v, int actor, uint32_t possible) override {
    if (depth_ == 0 || depth_ > stack_.size()) return 0;
    const Choice c = stack_[depth_ - 1].done.back();
    if (c.actor != actor || c.fault == 0) return 0;
    if (!(possible & fault_bit(FaultKind(c.fault)))) {
      if (possible == fault_bit(FaultKind::timeout)) return 0;  // a forced timeout: the controller's
      throw std::runtime_error("dfs: the target is not deterministic: at step " + std::to_string(v.step) +
                               " actor " + std::to_string(actor) + "'s op cannot fail as in an earlier run");
    }
    run_faulted_ = true;
    return c.fault;
  }

  void end_run(RunResult& r) override {
    if (!skipped_run_ && shards_ > 1 && depth_ < split_ && shard_ != 0) skipped_run_ = true;  // ended above the cut
    if (skipped_run_) {
      r.kind = FindingKind::none;  // not this shard's schedule: not its finding either
      r.aborted = true;
      r.pruned = true;
      ++skipped_;
      skipped_run_ = false;
      aborted_ = false;
      run_faulted_ = false;
      return;
    }
    if (aborted_) {
      r.pruned = true;
      ++pruned_;
    } else {
      ++explored_;
      faulted_ += run_faulted_;
    }
    aborted_ = false;
    run_faulted_ = false;
  }

  uint64_t next_value(uint64_t) override { return 0; }
  bool exhausted() const override { return complete_; }

  std::string summary() const override {
    return "dfs: " + std::to_string(explored_) + " schedules explored" +
           (faulted_ ? " (" + std::to_string(faulted_) + " with a fault)" : "") + ", " + std::to_string(pruned_) +
           " pruned by sleep sets, preemption bound " + std::to_string(bound_) +
           (shards_ > 1 ? ", shard " + std::to_string(shard_) + "/" + std::to_string(shards_) + " (" +
                              std::to_string(skipped_) + " runs left to other shards at depth " +
                              std::to_string(split_) + ")"
                        : "") +
           ": " +
           (complete_ ? "complete (the whole bounded space)" : "incomplete (budget ran out)");
  }

 private:
  struct Node {
    std::vector<int> enabled;
    std::vector<Op> ops;
    int last = -1;
    bool last_yielded = false;  // the last actor's step was a yield: switching away is no preemption
    int preemptions = 0;
    std::vector<uint32_t> masks;  // per actor: how its op can fail here (FaultMask)
    std::vector<Choice> sleep;
    std::vector<Choice> done;  // explored choices; the last is the current branch
  };
  // Whether the subtree entered now (the branch's first d = split_ choices)
  // is this shard's: subtrees are numbered in dfs order as they are entered.
  bool mine() {
    std::vector<int> prefix;
    for (size_t i = 0; i < split_; ++i) prefix.push_back(stack_[i].done.back().actor * 64 + stack_[i].done.back().fault);
    if (prefix != last_prefix_) {
      last_prefix_ = prefix;
      ++subtrees_;
    }
    return (subtrees_ - 1) % shards_ == shard_;
  }
  // The node's first choice neither explored nor asleep within the bound:
  // the plain ops in actor order, then their fault variants.
  Choice first_open(const Node& nd) const {
    auto open = [&](Choice c) {
      return !has(nd.done, c) && !has(nd.sleep, c) && nd.preemptions + cost(nd, c.actor) <= bound_;
    };
    for (int b : nd.enabled)
      if (open({b, 0})) return {b, 0};
    for (int b : nd.enabled)
      for (int i = 0, n = fault_count(nd.masks[size_t(b)]); i < n; ++i)
        if (Choice c{b, int(nth_fault(nd.masks[size_t(b)], i))}; open(c)) return c;
    return {};
  }
  static int cost(const Node& nd, int b) {
    return nd.last >= 0 && b != nd.last && has(nd.enabled, nd.last) && !nd.last_yielded ? 1 : 0;
  }

  int bound_;
  std::vector<Node> stack_;
  size_t depth_ = 0;
  bool started_ = false;
  bool complete_ = false;
  bool aborted_ = false;
  uint64_t explored_ = 0;
  uint64_t pruned_ = 0;
  uint64_t faulted_ = 0;  // explored schedules with a fault
  bool run_faulted_ = false;
  uint64_t shard_, shards_;
  size_t split_;
  std::vector<int> last_prefix_;
  uint64_t subtrees_ = 0;
  uint64_t skipped_ = 0;
  bool skipped_run_ = false;
};

}  // namespace

std::unique_ptr<Strategy> make_dfs(const StrategyOptions& o) {
  if (o.dfs_shard_count == 0 || o.dfs_shard_index >= o.dfs_shard_count)
    throw std::invalid_argument("dfs: shard index must be below the shard count");
  return std::make_unique<DfsStrategy>(o.preemption_bound, o.dfs_shard_index, o.dfs_shard_count, o.dfs_split_depth);
}

}  // namespace ipcrace
