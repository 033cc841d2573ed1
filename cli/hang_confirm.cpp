// A hang finding is replayed once before it is reported (issue 13, item 12):
// one whose replay does not hang again says so in its message ("not
// reproduced on replay"), so a loaded machine's stall is never reported as a
// plain bug of the program.
#include "commands.hpp"

#include "ipcrace/replay.hpp"

namespace ipcrace::cli {

void confirm_hang(CampaignResult& r) {
  if (!r.first || r.first->finding != FindingKind::hang || r.first->mode == ActorMode::free) return;
  const TargetInfo* t = find_target(r.first->target);
  if (!t) return;
  std::string got;
  try {
    Engine e(*t, resolve_params(*t, r.first->params), replay_config(*r.first));
    auto st = make_replay_strategy(*r.first);
    st->new_run(0);
    const RunResult rr = e.run(*st, r.first->run_seed);
    if (rr.kind == FindingKind::hang && !rr.diverged) return;  // reproduced
    got = rr.diverged ? "it diverged: " + rr.divergence : std::string("it gave ") + finding_kind_name(rr.kind);
  } catch (const std::exception& e) {
    got = std::string("it failed: ") + e.what();
  }
  const std::string note = " [not reproduced on replay (" + got + "): the machine may have been too loaded]";
  r.first->message += note;
  for (auto& k : r.kind_firsts)
    if (k.finding == FindingKind::hang && k.run == r.first->run) k.message += note;
}

}  // namespace ipcrace::cli
