// The words of the vocabulary: op kinds, finding kinds, modes, variants.
#include <array>
#include <cstring>
#include <utility>

#include "ipcrace/finding.hpp"
#include "ipcrace/op.hpp"
#include "ipcrace/target.hpp"

namespace ipcrace {
namespace {

constexpr std::array<const char*, static_cast<size_t>(OpKind::count_)> kOpNames = {
    "send",   "recv",   "read",     "write",     "connect",   "accept",   "close",    "lock",
    "unlock", "rdlock", "rdunlock", "shm_load",  "shm_store", "shm_rmw",  "sem_wait", "sem_post",
    "cv_wait", "cv_notify", "call", "reply",     "yield",
    "fork",   "wait",   "exit",     "spawn",     "join",      "kill",     "start",    "sleep",
    "poll"};

constexpr std::array<const char*, kFindingKinds> kFindingNames = {"none", "assertion", "deadlock", "crash",
                                                                  "step_limit", "hang", "tsan", "race"};
constexpr std::array<const char*, 6> kOrderNames = {"plain", "relaxed", "acquire", "release", "acq_rel", "seq_cst"};
constexpr std::array<const char*, 3> kModeNames = {"processes", "threads", "free"};

template <class E, size_t N>
std::optional<E> lookup(const std::array<const char*, N>& names, std::string_view name) {
  for (size_t i = 0; i < N; ++i)
    if (name == names[i]) return static_cast<E>(i);
  return std::nullopt;
}

}  // namespace

const char* op_kind_name(OpKind k) {
  auto i = static_cast<size_t>(k);
  return i < kOpNames.size() ? kOpNames[i] : "?";
}
std::optional<OpKind> op_kind_from_name(std::string_view name) { return lookup<OpKind>(kOpNames, name); }
const char* mem_order_name(MemOrder m) {
  auto i = static_cast<size_t>(m);
  return i < kOrderNames.size() ? kOrderNames[i] : "?";
}
std::optional<MemOrder> mem_order_from_name(std::string_view name) { return lookup<MemOrder>(kOrderNames, name); }

bool op_kind_read_only(OpKind k) { return k == OpKind::shm_load; }

const char* finding_kind_name(FindingKind k) { return kFindingNames[static_cast<size_t>(k)]; }
std::optional<FindingKind> finding_kind_from_name(std::string_view name) {
  return lookup<FindingKind>(kFindingNames, name);
}

const char* actor_mode_name(ActorMode m) { return kModeNames[static_cast<size_t>(m)]; }
std::optional<ActorMode> actor_mode_from_name(std::string_view name) { return lookup<ActorMode>(kModeNames, name); }

const char* variant_name(Variant v) { return v == Variant::racy ? "racy" : "synchronised"; }
const char* expect_name(Expect e) { return e == Expect::finding ? "finding" : "clean"; }

namespace {
constexpr std::pair<StepEnd, const char*> kStepEndNames[] = {
    {StepEnd::point, "point"}, {StepEnd::would_block, "would-block"}, {StepEnd::parked, "parked"},
    {StepEnd::exited, "exited"}};
}  // namespace

const char* step_end_name(StepEnd e) {
  for (const auto& [k, n] : kStepEndNames)
    if (k == e) return n;
  return "?";
}
std::optional<StepEnd> step_end_from_name(std::string_view name) {
  for (const auto& [k, n] : kStepEndNames)
    if (name == n) return k;
  return std::nullopt;
}

std::vector<size_t> preemption_steps(const std::vector<Step>& t) {
  return preemption_steps(t.size(), [&](size_t i) { return t[i].actor; }, [&](size_t i) { return t[i].end; },
                          [&](size_t i) { return t[i].op.kind == OpKind::yield; });
}

bool Step::operator==(const Step& o) const {
  return actor == o.actor && op.kind == o.op.kind && op.resource == o.op.resource &&
         fault == o.fault && std::strcmp(op.label ? op.label : "", o.op.label ? o.op.label : "") == 0;
}

uint64_t RunResult::trace_hash() const {
  uint64_t h = 0xcbf29ce484222325ULL;
  auto mix = [&h](const void* data, size_t len) {
    auto* p = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < len; ++i) h = (h ^ p[i]) * 0x100000001b3ULL;
  };
  for (const auto& s : trace) {
    mix(&s.actor, sizeof s.actor);
    mix(&s.op.kind, sizeof s.op.kind);
    mix(&s.op.resource, sizeof s.op.resource);
    if (s.op.label) mix(s.op.label, std::strlen(s.op.label));
    if (s.fault != FaultKind::none) mix(&s.fault, sizeof s.fault);  // traces without faults hash as before
  }
  mix(&kind, sizeof kind);
  mix(message.data(), message.size());
  return h;
}

}  // namespace ipcrace
