// Every model, including kv with strings and appends, list-append and set:
// no generated linearizable history (with or without crashed, info ops) is
// ever reported non-linearizable; small generated histories, as generated and
// with one injected anomaly, get the brute-force checker's verdict; partitions
// checked in parallel give the same verdict as one by one. IPCRACE_SOAK=1
// makes the properties bigger (label soak runs them so).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <chrono>
#include <cstdlib>

#include "ipcrace/oracles.hpp"

namespace ipcrace {
namespace {

const auto kNoDeadline = std::chrono::steady_clock::time_point::max();

bool soak() { return std::getenv("IPCRACE_SOAK") != nullptr; }

const std::vector<std::string> kModels = {"register", "cas-register", "counter", "queue", "kv", "list-append", "set"};

bool takes_strings(const std::string& m) { return m != "counter"; }

// One injected anomaly: a read-like result changed to another value the
// history uses (or to one it never uses), or a list result reordered / cut.
History inject(const History& h, const Model& m) {
  std::vector<size_t> reads;
  std::vector<Value> seen;
  for (size_t i = 0; i < h.size(); ++i) {
    const auto& e = h.events()[i];
    if (e.type == EventType::ok && m.returns_value(e.op)) reads.push_back(i);
    if (!e.value.nil && e.value.items() == 1) seen.push_back(e.value);
  }
  if (reads.empty()) return h;
  const size_t at = reads[*rc::gen::inRange<size_t>(0, reads.size())];
  History b;
  for (size_t i = 0; i < h.size(); ++i) {
    HistoryEvent e = h.events()[i];
    if (i == at) {
      const int how = *rc::gen::inRange(0, 4);
      const bool list = m.name() == "list-append" || m.name() == "set";
      if (how == 0 && list && e.value.items() >= 2) {
        if (!e.value.v.empty()) std::swap(e.value.v.front(), e.value.v.back());
        if (!e.value.s.empty()) std::swap(e.value.s.front(), e.value.s.back());
      } else if (how == 1 && list && !e.value.nil && e.value.items() >= 1) {
        if (!e.value.v.empty()) e.value.v.pop_back();
        if (!e.value.s.empty()) e.value.s.pop_back();
      } else if (!seen.empty() && how != 3) {
        Value v = seen[*rc::gen::inRange<size_t>(0, seen.size())];
        if (list && !e.value.nil) {
          e.value.v.insert(e.value.v.end(), v.v.begin(), v.v.end());
          e.value.s.insert(e.value.s.end(), v.s.begin(), v.s.end());
        } else {
          e.value = v;
        }
      } else if (m.name() != "counter" && m.name() != "list-append" && m.name() != "set") {
        e.value = Value::none();
      } else if (!e.value.nil && !e.value.v.empty()) {
        e.value.v.back() += 1;
      }
      // Keep the value's type the history's.
      bool strings = false;
      for (const auto& x : h.events()) strings |= x.value.is_strings();
      if (strings && !e.value.v.empty()) e.value = Value::str1("never");
      if (!strings && !e.value.s.empty()) e.value = Value::of({-7});
    }
    b.add(std::move(e));
  }
  return b;
}

class EveryModel : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryModel, NoGeneratedLinearizableHistoryIsReportedNonLinearizable) {
  const std::string model = GetParam();
  auto m = make_model(model);
  ASSERT_TRUE(m);
  // A queue's search grows fastest with overlap: smaller sizes for it.
  const bool queue = model == "queue";
  const size_t max_ops = soak() ? (queue ? 80 : 400) : (queue ? 20 : 40);
  bool ok = rc::check("generated " + model + " histories are linearizable", [&] {
    const size_t ops = *rc::gen::inRange<size_t>(0, max_ops + 1);
    const int clients = *rc::gen::inRange(1, queue ? 4 : 9);
    const int keys = *rc::gen::inRange(1, 4);
    GenerateOptions g;
    g.strings = takes_strings(model) && *rc::gen::arbitrary<bool>();
    g.info_percent = *rc::gen::element(0, 0, 10, 30);
    const uint64_t seed = *rc::gen::arbitrary<uint64_t>();
    History h = generate_history(model, ops, clients, keys, seed, false, g);
    RC_ASSERT(validate_history(h, *m).empty());
    LinearizabilityOptions o;
    o.timeout_seconds = 20;
    o.jobs = *rc::gen::inRange(1, 3);
    LinearizabilityResult r = check_linearizable(h, *m, o);
    RC_ASSERT(r.verdict != Linearizable::no);
    // Through the text format too.
    History back;
    std::string err;
    RC_ASSERT(parse_history(format_history(h), &back, &err));
    RC_ASSERT(back.events() == h.events());
  });
  EXPECT_TRUE(ok);
}

TEST_P(EveryModel, SmallHistoriesWithOneAnomalyAgreeWithBruteForce) {
  const std::string model = GetParam();
  auto m = make_model(model);
  int yes = 0, no = 0;
  bool ok = rc::check("checker == brute force (" + model + ")", [&] {
    const size_t ops = *rc::gen::inRange<size_t>(1, 8);
    GenerateOptions g;
    g.strings = takes_strings(model) && *rc::gen::arbitrary<bool>();
    g.info_percent = *rc::gen::element(0, 0, 20);
    History h = generate_history(model, ops, *rc::gen::inRange(1, 5), 1, *rc::gen::arbitrary<uint64_t>(), false, g);
    if (*rc::gen::inRange(0, 4) != 0) h = inject(h, *m);
    RC_PRE(validate_history(h, *m).empty());
    std::vector<Operation> all;
    std::string err;
    RC_ASSERT(h.operations(&all, &err));
    const bool brute = brute_force_linearizable(all, *m);
    (brute ? yes : no)++;
    RC_ASSERT((check_operations(all, *m, kNoDeadline) == Linearizable::yes) == brute);
    LinearizabilityResult r = check_linearizable(h, *m);
    RC_ASSERT((r.verdict == Linearizable::yes) == brute);
    if (!brute) {
      // The conflict set is a witness: with every other op relaxed to
      // indeterminate, the brute force checker rejects it too.
      RC_ASSERT(!r.conflict.empty());
      std::vector<Operation> relaxed = all;
      for (auto& op : relaxed) {
        bool in = false;
        for (const auto& c : r.conflict) in |= c.call == op.call;
        if (!in) {
          op.outcome = EventType::info;
          op.ret = SIZE_MAX;
          op.output = Value::none();
        }
      }
      RC_ASSERT(!brute_force_linearizable(relaxed, *m));
    }
  });
  EXPECT_TRUE(ok);
  // Both verdicts occur, so the agreement means something. rapidcheck seeds
  // each run afresh: for cas-register an injected anomaly is often still
  // linearizable, and as few as 3 of 100 cases came out "no" (a tsan CI run).
  EXPECT_GT(yes, 0) << model;
  EXPECT_GT(no, 0) << model;
}

TEST_P(EveryModel, ParallelKeysAndVerdictOnlyGiveTheSameVerdict) {
  const std::string model = GetParam();
  auto m = make_model(model);
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    GenerateOptions g;
    g.strings = takes_strings(model) && seed % 2;
    const bool queue = model == "queue";
    History h = generate_history(model, queue ? 40 : 150, queue ? 3 : 8, 8, seed, /*break_last=*/seed > 3, g);
    LinearizabilityOptions one, two, fast;
    one.find_conflict = two.find_conflict = false;  // the verdicts and prefixes are compared here
    two.jobs = 2;
    fast.jobs = 2;
    fast.verdict_only = true;
    const auto a = check_linearizable(h, *m, one), b = check_linearizable(h, *m, two), c = check_linearizable(h, *m, fast);
    EXPECT_EQ(a.verdict, seed > 3 ? Linearizable::no : Linearizable::yes) << model << " seed " << seed;
    EXPECT_EQ(a.verdict, b.verdict) << model << " seed " << seed;
    EXPECT_EQ(a.verdict, c.verdict) << model << " seed " << seed;
    EXPECT_EQ(a.bad_key, b.bad_key);
    EXPECT_EQ(a.bad_prefix_events, b.bad_prefix_events);
  }
}

INSTANTIATE_TEST_SUITE_P(Models, EveryModel, ::testing::ValuesIn(kModels), [](const auto& info) {
  std::string n = info.param;
  for (char& c : n)
    if (c == '-') c = '_';
  return n;
});

TEST(KvModel, AppendConcatenatesAndGetReturnsTheWholeValue) {
  auto m = make_model("kv");
  History h;
  h.invoke(0, "put", Value::str1("a"), "k");
  h.complete(0, EventType::ok);
  h.invoke(1, "append", Value::str1("b"), "k");
  h.complete(1, EventType::ok);
  h.invoke(0, "get", Value::none(), "k");
  h.complete(0, EventType::ok, Value::str1("ab"));
  h.invoke(0, "get", Value::none(), "never");
  h.complete(0, EventType::ok, Value::str1(""));  // Porcupine: a key never written reads as ""
  EXPECT_EQ(check_linearizable(h, *m).verdict, Linearizable::yes);
  History bad = h;
  bad.invoke(2, "get", Value::none(), "k");
  bad.complete(2, EventType::ok, Value::str1("ba"));
  LinearizabilityResult r = check_linearizable(bad, *m);
  EXPECT_EQ(r.verdict, Linearizable::no);
  EXPECT_EQ(r.bad_key, "k");
  // The conflict: "ba" is no order of "a" and "b" at all, so the get alone
  // cannot be ordered, whatever the put and the append did.
  ASSERT_EQ(r.conflict.size(), 1u) << r.message;
  EXPECT_EQ(r.conflict[0].output, Value::str1("ba"));
  // A stale read needs the writes: "a" read after the append completed.
  History stale = h;
  stale.invoke(2, "get", Value::none(), "k");
  stale.complete(2, EventType::ok, Value::str1("a"));
  r = check_linearizable(stale, *m);
  EXPECT_EQ(r.verdict, Linearizable::no);
  EXPECT_GE(r.conflict.size(), 2u) << r.message;  // the get and the append completed before it
}

TEST(ListAppendModel, ReadsSeeAppendsInOrder) {
  auto m = make_model("list-append");
  History h;
  h.invoke(0, "append", Value::of({1}), "x");
  h.invoke(1, "append", Value::of({2}), "x");
  h.complete(0, EventType::ok);
  h.complete(1, EventType::ok);
  h.invoke(2, "r", Value::none(), "x");
  h.complete(2, EventType::ok, Value::of({2, 1}));  // concurrent appends: either order
  h.invoke(2, "r", Value::none(), "y");
  h.complete(2, EventType::ok, Value::empty_list());
  EXPECT_EQ(check_linearizable(h, *m).verdict, Linearizable::yes);
  h.invoke(3, "r", Value::none(), "x");
  h.complete(3, EventType::ok, Value::of({1, 2}));  // but then not the other order
  EXPECT_EQ(check_linearizable(h, *m).verdict, Linearizable::no);
}

TEST(SetModel, ReadsAreOrderInsensitiveButExact) {
  auto m = make_model("set");
  History h;
  h.invoke(0, "add", Value::of({1}));
  h.complete(0, EventType::ok);
  h.invoke(0, "add", Value::of({2}));
  h.complete(0, EventType::ok);
  h.invoke(1, "read", Value::none());
  h.complete(1, EventType::ok, Value::of({2, 1}));
  EXPECT_EQ(check_linearizable(h, *m).verdict, Linearizable::yes);
  History lost = h;
  lost.invoke(1, "read", Value::none());
  lost.complete(1, EventType::ok, Value::of({2}));  // 1 vanished
  EXPECT_EQ(check_linearizable(lost, *m).verdict, Linearizable::no);
  History dup = h;
  dup.invoke(1, "read", Value::none());
  dup.complete(1, EventType::ok, Value::of({1, 2, 2}));
  EXPECT_EQ(check_linearizable(dup, *m).verdict, Linearizable::no);
}

TEST(Validation, EveryWrongOpArityOrTypeIsAnErrorNotAVerdict) {
  struct Case {
    const char* model;
    const char* text;
    const char* want;  // in the error
  };
  const Case cases[] = {
      {"register", "0 invoke frobnicate 1\n0 ok -\n", "line 1: unknown op 'frobnicate'"},
      {"register", "0 invoke write 1 2 3\n0 ok -\n", "line 1: 'write' takes one value"},
      {"register", "0 invoke write\n0 ok -\n", "line 1: 'write' takes one value"},
      {"cas-register", "0 invoke cas 1\n0 ok -\n", "line 1: 'cas' takes two values"},
      {"kv", "0 invoke get key=k\n0 ok - 1 2\n", "line 2: 'get' returns one value or nil"},
      {"counter", "0 invoke add \"x\"\n0 ok -\n", "line 1: 'add' takes one integer"},
      {"counter", "0 invoke read\n0 ok - nil\n", "line 2: 'read' returns one integer"},
      {"kv", "0 invoke append key=k 3\n0 ok -\n", "line 1: 'append' takes one string"},
      {"kv", "0 invoke put key=k 1\n0 ok -\n0 invoke get key=k\n0 ok - \"1\"\n", "line 4: a string where integers"},
      {"queue", "0 invoke append 1\n0 ok -\n", "unknown op 'append' for model queue"},
      {"list-append", "0 invoke r key=x 1\n0 ok - [1]\n", "line 1: 'r' takes no value"},
      {"set", "0 invoke add [1 2]\n0 ok -\n", "line 1: 'add' takes one value"},
  };
  for (const auto& c : cases) {
    History h;
    std::string err;
    ASSERT_TRUE(parse_history(c.text, &h, &err)) << c.text << err;
    auto m = make_model(c.model);
    const std::string why = validate_history(h, *m);
    EXPECT_NE(why.find(c.want), std::string::npos) << c.model << ": " << c.text << " -> " << why;
    // And the checker itself never turns it into a verdict.
    EXPECT_EQ(check_linearizable(h, *m).verdict, Linearizable::unknown) << c.text;
  }
}

TEST(HistoryText, StringsWithEscapesListsAndQuotedKeysRoundTrip) {
  History h;
  h.invoke(0, "put", Value::str1("a \"b\"\\\n\t\x01\xff"), "key with space");
  h.complete(0, EventType::ok);
  h.invoke(1, "r", Value::none(), "x");
  h.complete(1, EventType::ok, Value::of({1, 2, 3}));
  h.invoke(1, "r", Value::none(), "x");
  h.complete(1, EventType::ok, Value::empty_list());
  h.invoke(2, "write", Value::of({5}));
  h.complete(2, EventType::ok);
  const std::string text = format_history(h);
  EXPECT_EQ(text.find('\x01'), std::string::npos) << text;  // escaped
  EXPECT_NE(text.find("2 ok write\n"), std::string::npos) << text;  // no nil for a write's completion
  History back;
  std::string err;
  ASSERT_TRUE(parse_history(text, &back, &err)) << err << "\n" << text;
  EXPECT_EQ(back.events(), h.events()) << text;
  ASSERT_TRUE(parse_history("0 invoke put key=k [\"a\" \"b\"]\n0 ok -\n", &back, &err)) << err;
  EXPECT_EQ(back.events()[0].value, Value::strings({"a", "b"}));
  for (const char* bad : {"0 invoke put \"unterminated\n", "0 invoke put \"bad \\q escape\"\n", "0 invoke put [1 [2]]\n",
                          "0 invoke put 1 \"a\"\n", "0 invoke put nil 1\n", "0 invoke put [1\n"}) {
    EXPECT_FALSE(parse_history(bad, &back, &err)) << bad;
    EXPECT_EQ(err.rfind("line 1: ", 0), 0u) << err;
  }
}

}  // namespace
}  // namespace ipcrace
