// --param on several targets (run --all --param actors=3, gate 'mqueue.*'
// --param ...): before any campaign starts, one run of every selected target
// with the parameters; a target whose scenario rejects them (an
// invalid_argument from its setup or an actor: "producers must be in
// 1..actors-1") is a usage error that names it, not an internal error after
// the targets before it have run.
#include "commands.hpp"

#include <string>

#include "ipcrace/engine.hpp"
#include "ipcrace/strategy.hpp"

namespace ipcrace::cli {

void check_params_accepted(const Common& c, const std::vector<const TargetInfo*>& targets) {
  if (c.params.empty()) return;
  std::string given;
  for (const auto& kv : c.params) given += (given.empty() ? "" : " ") + std::string("--param ") + kv;
  for (const TargetInfo* t : targets) {
    if (!t->exec.empty()) continue;  // a program's parameters are its command line
    CampaignOptions o = campaign_options(c, *t);
    RunConfig cfg = o.run;
    if (cfg.mode == ActorMode::free) cfg.mode = ActorMode::processes;
    cfg.race = false;
    std::string why;
    try {
      Engine e(*t, o.overrides, cfg);
      auto st = make_strategy(StrategyOptions{.name = "random", .seed = 1});
      st->new_run(0);
      const RunResult r = e.run(*st, 1);
      // An actor that cannot play its role throws too ("too few actors").
      const size_t at = r.message.find("uncaught exception: ");
      if (at != std::string::npos) why = r.message.substr(at + 20);
    } catch (const std::invalid_argument& e) {
      why = e.what();
    } catch (const std::length_error& e) {
      why = e.what();
    }
    if (!why.empty()) throw UsageError("target " + t->name + " rejects " + given + ": " + why);
  }
}

}  // namespace ipcrace::cli
