// ipcrace check-history FILE --model M: is a recorded history linearizable?
// ipcrace bench-history: the checker on generated histories of growing size.
#include "check_history_cmd.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "commands.hpp"
#include "ipcrace/exit_codes.hpp"

namespace ipcrace::cli {
namespace {

using Clock = std::chrono::steady_clock;

// History files: regular files only (a directory, a FIFO or a device is
// refused at once), at most this many bytes.
constexpr off_t kMaxHistoryBytes = off_t(1) << 30;

std::string read_history_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) throw InputError("cannot open " + printable(path, 200) + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    const char* what = S_ISDIR(st.st_mode) ? "a directory" : S_ISFIFO(st.st_mode) ? "a FIFO" : "not a regular file";
    throw InputError(printable(path, 200) + ": " + what + ", not a history file");
  }
  if (st.st_size > kMaxHistoryBytes) {
    ::close(fd);
    throw InputError(printable(path, 200) + ": " + std::to_string(st.st_size) + " bytes, over the 1 GiB limit");
  }
  std::string text(size_t(st.st_size), '\0');
  size_t got = 0;
  while (got < text.size()) {
    ssize_t n = ::read(fd, text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += size_t(n);
  }
  ::close(fd);
  text.resize(got);
  return text;
}

std::string lines_of(const Operation& op) {
  if (!op.call_line) return "event " + std::to_string(op.call);
  std::string s = "line " + std::to_string(op.call_line);
  if (op.ret_line) s += "-" + std::to_string(op.ret_line);
  return s;
}

nlohmann::json value_json(const Value& v) {
  if (v.nil) return nullptr;
  nlohmann::json a = nlohmann::json::array();
  for (int64_t x : v.v) a.push_back(x);
  for (const auto& x : v.s) a.push_back(x);
  return v.items() == 1 ? a[0] : a;
}

struct Outcome {
  int code = kExitOk;
  std::string out;
};

Outcome check(const CheckHistoryOptions& o, const Model& model, HistoryFormat fmt, Clock::time_point t0) {
  const std::string text = read_history_file(o.file);
  if (fmt == HistoryFormat::automatic) {
    fmt = detect_history_format(text);
    if (fmt == HistoryFormat::automatic) {
      if (text.find('\0') != std::string::npos) throw InputError(printable(o.file, 200) + ": line 1: binary data (a NUL byte): not a history");
      throw InputError(printable(o.file, 200) +
                       ": cannot tell the format of the first event line; give --format ipcrace|jepsen-edn|porcupine-kv");
    }
  }
  History h;
  std::string err;
  if (!parse_history_as(text, fmt, &h, &err)) throw InputError(printable(o.file, 200) + ": " + err);
  if (std::string why = validate_history(h, model); !why.empty())
    throw InputError(printable(o.file, 200) + ": " + why);
  std::vector<Operation> ops;
  (void)h.operations(&ops, &err);
  LinearizabilityOptions lo;
  const double used = std::chrono::duration<double>(Clock::now() - t0).count();
  lo.timeout_seconds = o.timeout > 0 ? std::max(1e-3, o.timeout - used) : 0;
  lo.verdict_only = o.verdict_only;
  lo.jobs = o.jobs > 0 ? o.jobs : int(std::max(1u, std::thread::hardware_concurrency()));
  LinearizabilityResult r = check_linearizable(h, model, lo);
  Outcome res;
  res.code = r.verdict == Linearizable::yes ? kExitOk : r.verdict == Linearizable::no ? kExitFinding : kExitUndecided;
  if (!o.report.empty() && r.verdict == Linearizable::no) write_history_report(o.report, o.file, h, model, r);
  char buf[256];
  if (o.json) {
    nlohmann::json j{{"file", o.file},
                     {"model", o.model},
                     {"format", history_format_name(fmt)},
                     {"verdict", linearizable_name(r.verdict)},
                     {"events", h.size()},
                     {"operations", ops.size()},
                     {"keys", r.partitions},
                     {"keys_checked", r.partitions_checked},
                     {"jobs", lo.jobs},
                     {"seconds", r.seconds},
                     {"states_explored", r.states_explored},
                     {"exit_code", res.code}};
    if (r.verdict == Linearizable::unknown) j["message"] = r.message;
    if (r.verdict == Linearizable::no) {
      if (model.partition_by_key()) j["key"] = r.bad_key;
      if (!o.verdict_only) {
        j["bad_prefix_events"] = r.bad_prefix_events;
        j["conflict_minimal"] = r.conflict_minimal;
        nlohmann::json c = nlohmann::json::array();
        for (const auto& op : r.conflict) {
          nlohmann::json e{{"process", op.process},
                           {"op", op.op},
                           {"input", value_json(op.input)},
                           {"outcome", event_type_name(op.outcome)},
                           {"call_line", op.call_line},
                           {"text", describe_operation(op, model)}};
          if (!op.key.empty()) e["key"] = op.key;
          if (op.ret_line) e["ret_line"] = op.ret_line;
          if (op.outcome == EventType::ok && model.returns_value(op.op)) e["output"] = value_json(op.output);
          c.push_back(std::move(e));
        }
        j["conflict"] = std::move(c);
      }
    }
    res.out = j.dump(2) + "\n";
    return res;
  }
  std::string& out = res.out;
  if (r.verdict == Linearizable::no) {
    out += r.message + "\n";
    if (!o.verdict_only) {
      out += "operations that cannot be ordered" + std::string(r.bad_key.empty() ? "" : " (key " + printable(r.bad_key) + ")") +
             ", whatever the others did (" + std::to_string(r.conflict.size()) +
             (r.conflict_minimal ? ", none can be left out" : ", not minimal: out of time") + "):\n";
      for (const auto& op : r.conflict)
        out += "  " + lines_of(op) + ": process " + std::to_string(op.process) + ": " + describe_operation(op, model) + "\n";
      std::snprintf(buf, sizeof buf, "shortest bad prefix (%zu of %zu events%s):\n", r.bad_prefix_events, h.size(),
                    r.bad_key.empty() ? "" : ", that key's shown");
      out += buf;
      // Each event's key is its op's (a completion need not repeat it).
      std::vector<std::string> key_of(h.size());
      std::map<int, std::string> pending_key;
      for (size_t i = 0; i < h.size(); ++i) {
        const auto& e = h.events()[i];
        if (e.type == EventType::invoke) pending_key[e.process] = e.key;
        key_of[i] = e.type == EventType::invoke ? e.key : pending_key[e.process];
      }
      size_t shown = 0;
      for (size_t i = 0; i < r.bad_prefix_events && i < h.size(); ++i) {
        const auto& e = h.events()[i];
        if (model.partition_by_key() && key_of[i] != r.bad_key) continue;
        if (++shown > 60 && i + 20 < r.bad_prefix_events) {
          if (shown == 61) out += "  ...\n";
          continue;
        }
        out += "  " + (e.line ? "line " + std::to_string(e.line) + ": " : std::string()) + format_history_event(e) + "\n";
      }
    }
  } else {
    out += std::string(linearizable_name(r.verdict)) + "\n";
    if (r.verdict == Linearizable::unknown) out += r.message + "\n";
  }
  std::snprintf(buf, sizeof buf, "checked %zu operations (%zu events, %zu %s, %d jobs) in %.3f s\n", ops.size(), h.size(),
                r.partitions, model.partition_by_key() ? (r.partitions == 1 ? "key" : "keys") : "partition", lo.jobs, r.seconds);
  out += buf;
  if (!o.report.empty() && r.verdict == Linearizable::no) out += "report: " + o.report + "\n";
  return res;
}

}  // namespace

std::string describe_operation(const Operation& op, const Model& m) {
  std::string s = op.op;
  if (!op.key.empty()) s += " key=" + printable(op.key);
  if (!op.input.nil) s += " " + printable(op.input.str(), 200);
  switch (op.outcome) {
    case EventType::ok:
      s += " -> ok";
      if (m.returns_value(op.op)) s += " " + printable(op.output.str(), 200);
      break;
    case EventType::info: s += " -> info (indeterminate)"; break;
    case EventType::fail: s += " -> fail"; break;
    case EventType::invoke: break;
  }
  return s;
}

int cmd_check_history(const CheckHistoryOptions& o) {
  const auto t0 = Clock::now();
  auto model = make_model(o.model);
  if (!model) {
    std::string names;
    for (const auto& n : model_names()) names += (names.empty() ? "" : ", ") + n;
    throw UsageError("unknown model '" + printable(o.model) + "' (" + names + ")");
  }
  auto fmt = history_format_from_name(o.format);
  if (!fmt) throw UsageError("unknown format '" + printable(o.format) + "' (auto, ipcrace, jepsen-edn, porcupine-kv)");
  if (!std::isfinite(o.timeout) || o.timeout < 0 || o.timeout > 1e9)
    throw UsageError("--timeout must be a number of seconds from 0 (none) to 1e9");
  if (o.jobs < 0 || o.jobs > 1024) throw UsageError("--jobs must be 0 (the CPUs) to 1024");
  if (o.timeout <= 0) {
    Outcome r = check(o, *model, *fmt, t0);
    std::fputs(r.out.c_str(), stdout);
    return r.code;
  }
  // --timeout bounds the whole command: the checker stops at the deadline,
  // and should anything overrun it (a huge cache to free), the answer is
  // 'unknown' at the deadline plus a quarter of a second, not later.
  struct Shared {
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    Outcome r;
    std::exception_ptr error;
  };
  auto sh = std::make_shared<Shared>();
  std::thread worker([sh, &o, &model, f = *fmt, t0] {
    Outcome r;
    std::exception_ptr e;
    try {
      r = check(o, *model, f, t0);
    } catch (...) {
      e = std::current_exception();
    }
    std::lock_guard<std::mutex> g(sh->mu);
    sh->r = std::move(r);
    sh->error = e;
    sh->done = true;
    sh->cv.notify_all();
  });
  std::unique_lock<std::mutex> lk(sh->mu);
  const auto hard = t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.timeout + 0.25));
  if (!sh->cv.wait_until(lk, hard, [&] { return sh->done; })) {
    std::printf("%s\ncould not decide within %g s\n", linearizable_name(Linearizable::unknown), o.timeout);
    std::fflush(stdout);
    std::fflush(stderr);
    std::_Exit(kExitUndecided);  // the worker may still be running: do not wait for it
  }
  lk.unlock();
  worker.join();
  if (sh->error) std::rethrow_exception(sh->error);
  std::fputs(sh->r.out.c_str(), stdout);
  return sh->r.code;
}

int cmd_bench_history(const BenchHistoryOptions& o) {
  auto m = make_model(o.model);
  if (!m) throw UsageError("unknown model '" + printable(o.model) + "'");
  GenerateOptions g;
  g.strings = o.strings;
  LinearizabilityOptions lo;
  lo.timeout_seconds = o.limit;
  lo.find_shortest_prefix = false;
  lo.find_conflict = false;
  lo.jobs = o.jobs;
  lo.verdict_only = o.verdict_only;
  std::printf("model %s, %d clients, %d keys, %s values, %d jobs%s, limit %.0f s\n", o.model.c_str(), o.clients, o.keys,
              o.strings ? "string" : "integer", o.jobs, o.verdict_only ? ", verdict only" : "", o.limit);
  if (o.fixed_ops) {
    // One size, repeated: ops/s on linearizable and on broken histories, as
    // check-history runs (prefix and conflict search unless --verdict-only).
    lo.find_shortest_prefix = lo.find_conflict = !o.verdict_only;
    std::printf("%10s %8s %12s %12s %12s %12s\n", "OPS", "RUNS", "OK OPS/S", "OK VERDICTS", "BAD OPS/S", "BAD VERDICTS");
    double ok_s = 0, bad_s = 0;
    int ok_yes = 0, bad_no = 0;
    for (int rep = 0; rep < o.repeat; ++rep) {
      History h = generate_history(o.model, o.fixed_ops, o.clients, o.keys, 1000 + uint64_t(rep), false, g);
      History b = generate_history(o.model, o.fixed_ops, o.clients, o.keys, 1000 + uint64_t(rep), true, g);
      LinearizabilityResult r = check_linearizable(h, *m, lo);
      LinearizabilityResult rb = check_linearizable(b, *m, lo);
      ok_s += r.seconds;
      bad_s += rb.seconds;
      ok_yes += r.verdict == Linearizable::yes;
      bad_no += rb.verdict == Linearizable::no;
    }
    const double total = double(o.fixed_ops) * o.repeat;
    std::printf("%10zu %8d %12.0f %9d/%-2d %12.0f %9d/%-2d\n", o.fixed_ops, o.repeat, ok_s > 0 ? total / ok_s : 0.0,
                ok_yes, o.repeat, bad_s > 0 ? total / bad_s : 0.0, bad_no, o.repeat);
    return ok_yes == o.repeat && bad_no == o.repeat ? kExitOk : kExitFinding;
  }
  std::printf("%10s %12s %10s %12s %s\n", "OPS", "VERDICT", "SECONDS", "OPS/S", "BROKEN COPY");
  size_t undecided_at = 0;
  for (size_t n = o.start; n <= o.max_ops; n *= 2) {
    History h = generate_history(o.model, n, o.clients, o.keys, n, false, g);
    LinearizabilityResult r = check_linearizable(h, *m, lo);
    // The same history with its last read made impossible must be rejected.
    History b = generate_history(o.model, n, o.clients, o.keys, n, true, g);
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
