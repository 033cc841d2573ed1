// shm.record.*: actor 0 writes versions 1..writes of a multi-word record
// (every word set to the version); the other actors read it `reads` times.
// Oracle, in each reader: every snapshot holds one version in all its words
// (no torn read), and a reader never sees the versions go backwards; the
// history of writes and snapshots is linearizable (register model).
#include <stdexcept>
#include <string>

#include "shm/record.hpp"

namespace ipcrace::shm {
namespace {

class RecordScenario final : public Scenario {
 public:
  explicit RecordScenario(RecordSync sync) : sync_(sync) {}
  void setup(RunContext& ctx) override {
    const int64_t words = ctx.params().get("words");
    if (words < 1 || words > kRecordMaxWords)
      throw std::invalid_argument("words must be in 1.." + std::to_string(kRecordMaxWords));
    record_ = Record(ctx, sync_, int(words));
  }
  void actor(Actor& a) override {
    if (a.index() == 0) {
      for (int64_t v = 1; v <= a.params().get("writes"); ++v) {
        a.invoke("write", {v});
        record_.write(long(v));
        a.complete(EventType::ok);
      }
      return;
    }
    long last = 0;
    for (int64_t i = 0; i < a.params().get("reads"); ++i) {
      a.invoke("read");
      std::vector<long> snap = record_.read();
      std::string words;
      bool torn = false;
      for (long w : snap) {
        words += (words.empty() ? "" : ",") + std::to_string(w);
        torn |= w != snap[0];
      }
      // History: version 0 is the unset register (nil); a torn snapshot is
      // recorded as all its words, a value no write ever stored.
      if (torn) a.complete(EventType::ok, Value::of(std::vector<int64_t>(snap.begin(), snap.end())));
      else if (snap[0] == 0) a.complete(EventType::ok);
      else a.complete(EventType::ok, {snap[0]});
      if (torn) {
        a.fail("torn read: the record holds (" + words + "), words of different versions");
        return;
      }
      if (snap[0] < last) {
        a.fail("stale read: version " + std::to_string(snap[0]) + " after version " + std::to_string(last));
        return;
      }
      last = snap[0];
    }
  }
  void check(RunContext& ctx) override {
    const long want = long(ctx.params().get("writes"));
    for (int i = 0; i < int(ctx.params().get("words")); ++i)
      if (record_.word(i) != want)
        ctx.fail("word " + std::to_string(i) + " is " + std::to_string(record_.word(i)) + " after the last write, expected " +
                 std::to_string(want));
  }

 private:
  RecordSync sync_;
  Record record_;
};

TargetInfo record_target(const char* name, Variant v, RecordSync sync, const char* how) {
  return TargetInfo{
      .name = name,
      .family = "shm",
      .variant = v,
      .bug_class = "torn read (multi-word record)",
      .sync = how,
      .summary = "one writer updates a multi-word record in shared memory, readers snapshot it",
      .defaults = {{"actors", 2}, {"writes", 2}, {"reads", 2}, {"words", 3}},
      .make = [sync] { return std::make_unique<RecordScenario>(sync); },
      .budget_runs = 200,
      .source = __FILE__,
      .model = "register",
      .ranges = {{"actors", {2, 4}}, {"writes", {1, 3}}, {"reads", {1, 3}}, {"words", {2, 4}}},
  };
}

}  // namespace

static const bool registered = [] {
  register_target(record_target("shm.record.racy", Variant::racy, RecordSync::none, ""));
  register_target(record_target("shm.record.seqlock", Variant::synchronised, RecordSync::seqlock,
                                "seqlock (atomic sequence counter)"));
  register_target(record_target("shm.record.rwlock", Variant::synchronised, RecordSync::rwlock,
                                "interprocess_sharable_mutex (reader-writer lock)"));
  return true;
}();

}  // namespace ipcrace::shm
