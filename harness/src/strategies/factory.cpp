#include <stdexcept>

#include "strategies.hpp"

namespace ipcrace {

std::vector<std::string> strategy_names() { return {"auto", "surw", "random", "pct", "pos", "dfs", "fuzz-bytes"}; }

std::unique_ptr<Strategy> make_strategy(const StrategyOptions& o) {
  if (o.name == "auto") return make_auto(o);
  if (o.name == "surw") return make_surw(o);
  if (o.name == "random") return make_random(o);
  if (o.name == "pct") return make_pct(o);
  if (o.name == "pos") return make_pos(o);
  if (o.name == "dfs") return make_dfs(o);
  if (o.name == "fuzz-bytes") return make_fuzz_bytes(o);
  std::string known;
  for (const auto& n : strategy_names()) known += (known.empty() ? "" : ", ") + n;
  throw std::invalid_argument("unknown strategy '" + o.name + "' (known: " + known + "; replay takes a file)");
}

}  // namespace ipcrace
