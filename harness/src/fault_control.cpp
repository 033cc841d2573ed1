// See fault_control.hpp.
#include "fault_control.hpp"

#include <stdexcept>
#include <string>

namespace ipcrace {

FaultControl::FaultControl(const TargetInfo& t, const RunConfig& cfg) : budget_(cfg.fault_budget), may_die_(t.may_die) {
  if (cfg.faults) {
    enabled_ = *cfg.faults & kAllFaults;
  } else {
    std::string err;
    auto m = parse_fault_mask(t.faults, &err);
    if (!m) throw std::invalid_argument("target " + t.name + ": " + err);
    enabled_ = *m;
  }
  if (budget_ < 0) throw std::invalid_argument("the fault budget must not be negative");
}

void FaultControl::new_run(RunResult& r) {
  used_ = 0;
  forced_ = 0;
  r.faults_enabled = enabled_;
  r.fault_budget = enabled_ ? budget_ : 0;
}

void FaultControl::annotate(Op& op, int a) const {
  if (death_expected(a)) op.faults |= fault_bit(FaultKind::kill);
}

void FaultControl::fill(SchedView& v) const {
  v.faults_enabled = enabled_;
  v.faults_left = budget_ - used_;
}

int FaultControl::time_passes(int n, const bool alive[], bool blocked[], const Op pending[], int enabled[]) {
  int ne = 0;
  for (int i = 0; i < n; ++i)
    if (alive[i] && blocked[i] && (pending[i].faults & fault_bit(FaultKind::timeout))) {
      blocked[i] = false;
      forced_ |= uint64_t(1) << i;
      enabled[ne++] = i;
    }
  return ne;
}

int FaultControl::decide(Strategy& st, const SchedView& v, int a) {
  const bool forced = (forced_ >> a) & 1;
  forced_ = 0;
  last_forced_ = forced;
  const uint32_t possible =
      forced ? fault_bit(FaultKind::timeout) : (used_ < budget_ ? v.pending[a].faults & enabled_ : 0);
  const int f = st.next_fault(v, a, possible);
  if (f == kAbortRun) return f;
  if (forced) return int(FaultKind::timeout);  // time passed: not an injected fault, not counted
  if (f != 0) {
    if (!(possible & fault_bit(FaultKind(f))))
      throw std::logic_error("strategy " + st.name() + " chose fault " + fault_kind_name(FaultKind(f)) +
                             ", which the op cannot have");
    ++used_;
  }
  return f;
}

}  // namespace ipcrace
