// Internal: constructors of the built-in strategies (one file each).
#pragma once
#include "ipcrace/rng.hpp"
#include "ipcrace/strategy.hpp"

namespace ipcrace {
std::unique_ptr<Strategy> make_random(const StrategyOptions& o);
std::unique_ptr<Strategy> make_pct(const StrategyOptions& o);
std::unique_ptr<Strategy> make_pos(const StrategyOptions& o);
std::unique_ptr<Strategy> make_dfs(const StrategyOptions& o);
std::unique_ptr<Strategy> make_fuzz_bytes(const StrategyOptions& o);
}  // namespace ipcrace
