// Reusable oracles: message conservation, per-sender FIFO, payload integrity,
// invariants, and a linearizability checker over histories (history.hpp).
#pragma once
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
OracleResult check_conservation(const std::vector<Message>& sent, const std::vector<Delivery>& received);
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

// A sequential specification. States are vectors of integers (hashable).
class Model {
 public:
  virtual ~Model() = default;
  virtual std::string name() const = 0;
  virtual std::vector<int64_t> init() const = 0;
  // Apply `op` (input, and output unless indeterminate) to `s`; false when the
  // op cannot return that output in state s.
  virtual bool step(const std::vector<int64_t>& s, const Operation& op, std::vector<int64_t>* next) const = 0;
  // Whether operations are partitioned by key (checked independently).
  virtual bool partition_by_key() const { return false; }
};

// register (read, write), cas-register (read, write, cas [old new]), counter
// (add d, read), queue (enqueue v, dequeue -> v | nil when empty), kv (get, put,
// cas per key; partitioned by key). nullptr for an unknown name.
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
  uint64_t states_explored = 0;
  double seconds = 0;
};

struct LinearizabilityOptions {
  double timeout_seconds = 10;  // <= 0: none
  bool find_shortest_prefix = true;
};

// Wing & Gong / Lowe's algorithm with memoisation (as Porcupine): a stack of
// linearized calls over an entry list, and a cache of (linearized set, state).
// Ops of crashed processes (info) may or may not be applied.
LinearizabilityResult check_linearizable(const History& h, const Model& m, const LinearizabilityOptions& o = {});
// The same over already paired operations of one partition.
Linearizable check_operations(const std::vector<Operation>& ops, const Model& m,
                              std::chrono::steady_clock::time_point deadline, uint64_t* explored = nullptr);
// Brute force (tests): every order of every subset of the info ops plus all
// completed ops, consistent with real time. Only for small histories.
bool brute_force_linearizable(const std::vector<Operation>& ops, const Model& m);

}  // namespace ipcrace

namespace ipcrace {

// A generated, linearizable history (benchmarks, tests): `clients` processes
// issue `ops` operations of `model` with random overlap; each takes effect at
// its completion. kv spreads ops over `keys` keys. With `break_last`, the last
// read-like result is made impossible, so the history is not linearizable.
History generate_history(const std::string& model, size_t ops, int clients, int keys, uint64_t seed,
                         bool break_last = false);

}  // namespace ipcrace
