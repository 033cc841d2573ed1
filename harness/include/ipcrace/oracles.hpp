// Reusable oracles: message conservation, per-sender FIFO, payload integrity,
// invariants, and a linearizability checker over histories (history.hpp).
#pragma once
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ipcrace/history.hpp"

namespace ipcrace {

struct OracleResult {
  bool ok = true;
  std::string message;  // the first violation, one line
  static OracleResult pass() { return {}; }
  static OracleResult failure(std::string m) { return {false, std::move(m)}; }
  explicit operator bool() const { return ok; }
};

// ---- messages ---------------------------------------------------------------

struct Message {
  int sender = 0;
  uint64_t seq = 0;  // per-sender sequence number, 0, 1, 2, ...
  bool operator==(const Message&) const = default;
};
struct Delivery {
  int receiver = 0;
  Message msg;
};

// Every message sent is received exactly once, and none is invented.
// `may_be_lost` (issue 12, crash-aware): the messages the target says a dead
// sender left unfinished (killed inside the send); each may be received once
// or not at all, never twice, and must be among `sent`. Nothing else may go
// missing, so a target allows a loss only where it names one.
OracleResult check_conservation(const std::vector<Message>& sent, const std::vector<Delivery>& received,
                                const std::vector<Message>& may_be_lost = {});
// Each receiver sees each sender's messages in the order they were sent
// (increasing seq). Gaps are allowed (another receiver may take some).
OracleResult check_fifo(const std::vector<Delivery>& received);

// ---- payload integrity -------------------------------------------------------

uint32_t crc32(const void* data, size_t n, uint32_t crc = 0);
// A self-checking payload of `size` bytes (>= kPayloadHeader): sender, seq,
// length and a CRC-32 over everything else; the filler bytes derive from
// (sender, seq), so torn or interleaved bytes change the checksum.
inline constexpr size_t kPayloadHeader = 20;
std::string make_payload(int sender, uint64_t seq, size_t size);
// The message it carries, or a failure naming what is wrong (short, torn).
OracleResult verify_payload(std::string_view bytes, Message* out = nullptr);

// ---- invariants ---------------------------------------------------------------

// An invariant over shared state: a failure with `what` and the observed values.
OracleResult check_invariant(bool holds, std::string_view what, std::string_view observed = {});

// ---- linearizability --------------------------------------------------------

// A sequential specification (one file per model in harness/src/oracles/).
// A state is a byte string (hashable, any shape): values are stored as
// encoded items (an integer or a string each), so models compare bytes.
using ModelState = std::string;

// What an op takes (on invoke) or returns (on ok). `none`: no value (a
// completion may repeat the argument, as Jepsen writes it); `scalar`: one
// integer or one string; `pair`: two items (cas old new); `list`: any number.
enum class ArgKind : uint8_t { none, scalar, integer, string, pair, list, scalar_or_nil, list_or_nil, optional_integer };
const char* arg_kind_text(ArgKind k);
struct OpSpec {
  const char* name;
  ArgKind input;
  ArgKind output;
};

class Model {
 public:
  virtual ~Model() = default;
  virtual std::string name() const = 0;
  virtual ModelState init() const = 0;
  // The ops this model accepts, with their argument and result kinds.
  virtual std::vector<OpSpec> ops() const = 0;
  // Sequential execution of `op` (its input; in_enc filled by prepare) in
  // state `s`: the next state and, for ops with a result, that result. False
  // when the op cannot take effect in `s` (a cas whose compare fails).
  virtual bool run(const ModelState& s, const Operation& op, ModelState* next, Value* result) const = 0;
  // Apply `op` (input, and output unless indeterminate) to `s`; false when the
  // op cannot return that output in state s. Default: run, then compare the
  // encoded result with out_enc.
  virtual bool step(const ModelState& s, const Operation& op, ModelState* next) const;
  // Whether operations are partitioned by key (checked independently).
  virtual bool partition_by_key() const { return false; }
  // Fill op->in_enc / out_enc (the checker calls it once per op).
  virtual void prepare(Operation* op) const;
  // Input validation before any checking: "" when the op's name, argument
  // count and value types fit ops(); otherwise what is wrong. `at_completion`
  // tells whether the problem is on the completion's line.
  std::string validate(const Operation& op, bool* at_completion) const;
  // Whether `op` returns a value (its ok result kind is not none).
  bool returns_value(std::string_view op) const;
};

// Validate every op of a history against the model (op names, arity, value
// types, and one item type per partition): "" or "line N: what is wrong".
std::string validate_history(const History& h, const Model& m);

// register (read, write), cas-register (read, write, cas [old new]), counter
// (add d, incr, fetch_add d, read), queue (enqueue v, dequeue -> v | nil), kv
// (get, put, append, cas per key), list-append (append k v, r k -> [v...]),
// set (add v, read -> [v...]). nullptr for an unknown name.
std::unique_ptr<Model> make_model(std::string_view name);
std::vector<std::string> model_names();

enum class Linearizable { yes, no, unknown };
const char* linearizable_name(Linearizable l);

struct LinearizabilityResult {
  Linearizable verdict = Linearizable::yes;
  std::string message;
  // no: the shortest prefix (number of events) that is already not
  // linearizable, and the key of the failing partition.
  size_t bad_prefix_events = 0;
  std::string bad_key;
  // no: a set of operations of that key that cannot be ordered whatever the
  // others did (every other op relaxed to indeterminate); minimal when no op
  // of it can be relaxed too (false when the time ran out first).
  std::vector<Operation> conflict;
  bool conflict_minimal = false;
  size_t partitions = 0, partitions_checked = 0;
  uint64_t states_explored = 0;
  double seconds = 0;
};

struct LinearizabilityOptions {
  double timeout_seconds = 10;  // <= 0: none
  bool find_shortest_prefix = true;
  bool find_conflict = true;    // the smallest set of ops that cannot be ordered
  bool verdict_only = false;    // stop at the first non-linearizable partition; no prefix, no conflict
  int jobs = 1;                 // partitions checked in parallel
};

// Wing & Gong / Lowe's algorithm with memoisation (as Porcupine): a stack of
// linearized calls over an entry list, and a cache of (linearized set, state).
// Ops of crashed processes (info) may or may not be applied. The history must
// be valid for the model (validate_history); an invalid one gives unknown.
LinearizabilityResult check_linearizable(const History& h, const Model& m, const LinearizabilityOptions& o = {});
// The same over already paired operations of one partition. `cancel`, when
// set by another thread, stops the search (unknown).
Linearizable check_operations(const std::vector<Operation>& ops, const Model& m,
                              std::chrono::steady_clock::time_point deadline, uint64_t* explored = nullptr,
                              const std::atomic<bool>* cancel = nullptr);
// Brute force (tests): every order of every subset of the info ops plus all
// completed ops, consistent with real time. Only for small histories.
bool brute_force_linearizable(const std::vector<Operation>& ops, const Model& m);

}  // namespace ipcrace

namespace ipcrace {

// A generated, linearizable history (benchmarks, tests): `clients` processes
// issue `ops` operations of `model` with random overlap; each takes effect at
// its completion. Partitioned models spread ops over `keys` keys. With
// `break_last`, the last read-like result is made impossible, so the history
// is not linearizable. `strings`: string values (models that take them);
// `info_percent`: that share of ops crash (info; the process stops issuing),
// each having taken effect or not.
struct GenerateOptions {
  bool strings = false;
  int info_percent = 0;
};
History generate_history(const std::string& model, size_t ops, int clients, int keys, uint64_t seed,
                         bool break_last = false, const GenerateOptions& g = {});

}  // namespace ipcrace
