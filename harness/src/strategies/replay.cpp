// replay: follow a schedule's decisions, checking at each step that the
// chosen actor is enabled and is about to do the recorded op. Any difference
// is a divergence naming the step. Lenient replay (used by the minimiser)
// skips decisions that no longer apply and, past the end, keeps the running
// actor running.
#include "ipcrace/replay.hpp"

#include <cstring>

namespace ipcrace {
namespace {

class ReplayStrategy final : public Strategy {
 public:
  ReplayStrategy(const Schedule& s, bool lenient)
      : steps_(s.steps), resources_(s.resources), lenient_(lenient), cleaned_(s.cleaned_labels) {}
  std::string name() const override { return lenient_ ? "replay-lenient" : "replay"; }
  bool new_run(uint64_t) override {
    pos_ = 0;
    fault_ = FaultKind::none;
    divergence_.clear();
    return true;
  }

  // The recorded fault of the step just taken. A fault the op cannot have
  // there (a hand-edited line, another build) is a divergence in strict
  // replay; lenient replay (the minimiser) drops it.
  int next_fault(const SchedView& v, int actor, uint32_t possible) override {
    const FaultKind f = fault_;
    fault_ = FaultKind::none;
    if (f == FaultKind::none || (possible & fault_bit(f))) return int(f);
    if (lenient_) return 0;
    divergence_ = "step " + std::to_string(v.step) + ": the schedule injects fault '" + fault_kind_name(f) +
                  "' into actor " + std::to_string(actor) + "'s " + describe(v.pending[actor]) +
                  ", which cannot fail that way here (possible: " + fault_mask_str(possible) + ")";
    return kAbortRun;
  }

  int next_actor(const SchedView& v) override {
    if (lenient_) return lenient_next(v);
    if (pos_ >= steps_.size()) {
      divergence_ = "step " + std::to_string(v.step) + ": the schedule has ended but actor " +
                    std::to_string(v.enabled[0]) + " still has a pending op (" + describe(v.pending[v.enabled[0]]) + ")";
      return kAbortRun;
    }
    const ScheduleStep& want = steps_[pos_];
    bool enabled = false;
    for (int e : v.enabled) enabled |= e == want.actor;
    if (!enabled) {
      divergence_ = "step " + std::to_string(v.step) + ": actor " + std::to_string(want.actor) +
                    " is not enabled (blocked or finished) but the schedule runs it (" + describe(want) + ")";
      return kAbortRun;
    }
    const Op& got = v.pending[want.actor];
    if (!same(got, want)) {
      divergence_ = "step " + std::to_string(v.step) + ": actor " + std::to_string(want.actor) + " reached " +
                    describe(got) + " but the schedule recorded " + describe(want);
      return kAbortRun;
    }
    ++pos_;
    fault_ = want.fault;
    return want.actor;
  }

  void end_run(RunResult& r) override {
    if (lenient_) return;
    if (divergence_.empty() && pos_ < steps_.size())
      divergence_ = "the run ended after " + std::to_string(pos_) + " steps but the schedule has " +
                    std::to_string(steps_.size());
    if (!divergence_.empty()) {
      r.diverged = true;
      r.divergence = divergence_;
    }
  }

  uint64_t next_value(uint64_t) override { return 0; }

 private:
  int lenient_next(const SchedView& v) {
    while (pos_ < steps_.size()) {
      const ScheduleStep& s = steps_[pos_++];
      for (int e : v.enabled)
        if (e == s.actor) {
          fault_ = s.fault;
          return s.actor;
        }
    }
    for (int e : v.enabled)
      if (e == v.last) return e;
    return v.enabled[0];
  }
  // A file written before labels were escaped has whitespace as '_' in them.
  bool same(const Op& got, const ScheduleStep& want) const {
    if (got.kind != want.kind || got.resource != want.resource) return false;
    const char* label = got.label ? got.label : "";
    return cleaned_ ? legacy_clean_label(label) == want.label : want.label == label;
  }
  std::string res_name(int id) const {
    return id >= 0 && size_t(id) < resources_.size() ? resources_[id] : "#" + std::to_string(id);
  }
  std::string describe(const Op& op) const {
    return std::string(op_kind_name(op.kind)) + " " + res_name(op.resource) + " " + (op.label ? op.label : "");
  }
  std::string describe(const ScheduleStep& s) const {
    return std::string(op_kind_name(s.kind)) + " " + res_name(s.resource) + " " + s.label;
  }

  std::vector<ScheduleStep> steps_;
  std::vector<std::string> resources_;
  bool lenient_;
  bool cleaned_;
  size_t pos_ = 0;
  FaultKind fault_ = FaultKind::none;
  std::string divergence_;
};

}  // namespace

std::unique_ptr<Strategy> make_replay_strategy(const Schedule& s, bool lenient) {
  return std::make_unique<ReplayStrategy>(s, lenient);
}

}  // namespace ipcrace
