// ipcrace check-history FILE --model M: is a recorded history linearizable?
// ipcrace bench-history: the checker on generated histories of growing size.
#include "check_history_cmd.hpp"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "commands.hpp"
#include "ipcrace/exit_codes.hpp"
#include "ipcrace/oracles.hpp"

namespace ipcrace::cli {

int cmd_check_history(const CheckHistoryOptions& o) {
  auto model = make_model(o.model);
  if (!model) {
    std::string names;
    for (const auto& n : model_names()) names += (names.empty() ? "" : ", ") + n;
    throw UsageError("unknown model '" + o.model + "' (" + names + ")");
  }
  std::ifstream in(o.file, std::ios::binary);
  if (!in) throw InputError("cannot open " + o.file + ": " + std::strerror(errno));
  std::ostringstream buf;
  buf << in.rdbuf();
  History h;
  std::string err;
  if (!parse_history(buf.str(), &h, &err)) throw InputError(o.file + ": " + err);
  std::vector<Operation> ops;
  (void)h.operations(&ops, &err);
  LinearizabilityOptions lo;
  lo.timeout_seconds = o.timeout;
  LinearizabilityResult r = check_linearizable(h, *model, lo);
  int code = r.verdict == Linearizable::yes ? kExitOk : r.verdict == Linearizable::no ? kExitFinding : kExitUndecided;
  if (o.json) {
    nlohmann::json j{{"file", o.file},
                     {"model", o.model},
                     {"verdict", linearizable_name(r.verdict)},
                     {"events", h.size()},
                     {"operations", ops.size()},
                     {"seconds", r.seconds},
                     {"states_explored", r.states_explored},
                     {"exit_code", code}};
    if (r.verdict == Linearizable::no) {
      j["bad_prefix_events"] = r.bad_prefix_events;
      if (!r.bad_key.empty()) j["key"] = r.bad_key;
    }
    std::printf("%s\n", j.dump(2).c_str());
    return code;
  }
  if (r.verdict == Linearizable::no) {
    std::printf("%s\n", r.message.c_str());
    std::printf("shortest bad prefix (%zu of %zu events%s):\n", r.bad_prefix_events, h.size(),
                r.bad_key.empty() ? "" : (", key " + r.bad_key + " shown").c_str());
    size_t shown = 0;
    for (size_t i = 0; i < r.bad_prefix_events && i < h.size(); ++i) {
      const auto& e = h.events()[i];
      if (!r.bad_key.empty() && e.key != r.bad_key) continue;
      if (++shown > 60 && i + 20 < r.bad_prefix_events) {
        if (shown == 61) std::printf("  ...\n");
        continue;
      }
      std::printf("  %s\n", format_history_event(e).c_str());
    }
  } else {
    std::printf("%s\n", linearizable_name(r.verdict));
    if (r.verdict == Linearizable::unknown) std::printf("%s\n", r.message.c_str());
  }
  std::printf("checked %zu operations (%zu events) in %.3f s\n", ops.size(), h.size(), r.seconds);
  return code;
}

int cmd_bench_history(const BenchHistoryOptions& o) {
  if (!make_model(o.model)) throw UsageError("unknown model '" + o.model + "'");
  std::printf("model %s, %d clients, %d keys, limit %.0f s\n", o.model.c_str(), o.clients, o.keys, o.limit);
  std::printf("%10s %12s %10s %12s %s\n", "OPS", "VERDICT", "SECONDS", "OPS/S", "BROKEN COPY");
  size_t undecided_at = 0;
  for (size_t n = o.start; n <= o.max_ops; n *= 2) {
    History h = generate_history(o.model, n, o.clients, o.keys, n);
    auto m = make_model(o.model);
    LinearizabilityOptions lo;
    lo.timeout_seconds = o.limit;
    lo.find_shortest_prefix = false;
    LinearizabilityResult r = check_linearizable(h, *m, lo);
    // The same history with its last read made impossible must be rejected.
    History b = generate_history(o.model, n, o.clients, o.keys, n, true);
    LinearizabilityResult rb = check_linearizable(b, *m, lo);
    std::printf("%10zu %12s %10.3f %12.0f %s\n", n,
                r.verdict == Linearizable::yes ? "yes" : r.verdict == Linearizable::no ? "NO (bug)" : "unknown",
                r.seconds, r.seconds > 0 ? double(n) / r.seconds : 0.0,
                rb.verdict == Linearizable::no ? "rejected" : linearizable_name(rb.verdict));
    std::fflush(stdout);
    if (r.verdict == Linearizable::unknown) {
      undecided_at = n;
      break;
    }
  }
  if (undecided_at)
    std::printf("stops deciding within %.0f s at %zu ops\n", o.limit, undecided_at);
  else
    std::printf("decided every size up to %zu ops within %.0f s\n", o.max_ops, o.limit);
  return kExitOk;
}

}  // namespace ipcrace::cli
