// check-history: every bad input is an input error (exit 21) with its line,
// never a verdict; other systems' files (tests/cli/histories, written for
// these tests from Jepsen's and Porcupine's format descriptions) parse and
// check; the same history in all three formats gets the same verdict.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "support/support.hpp"

namespace ipcrace::test {
namespace {

const std::string kDir = IPCRACE_HISTORIES;

class CheckHistoryInput : public testing::Test {
 protected:
  void SetUp() override {
    char d[] = "/tmp/ipcrace-check-input-XXXXXX";
    ASSERT_NE(mkdtemp(d), nullptr);
    dir_ = d;
  }
  void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }
  std::string write(const std::string& name, const std::string& text) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  Cmd check(const std::string& text, const std::string& model) {
    return run_cmd({"check-history", write("h.hist", text), "--model", model});
  }
  std::string dir_;
};

void expect_input_error(const Cmd& c, const std::string& want) {
  EXPECT_EQ(c.code, 21) << c.out << c.err;
  EXPECT_NE(c.err.find(want), std::string::npos) << c.err;
  EXPECT_EQ(c.out.find("linearizable"), std::string::npos) << c.out;  // no verdict at all
}

TEST_F(CheckHistoryInput, UnknownOpIsAnErrorWithItsLine) {
  expect_input_error(check("0 invoke write 1\n0 ok -\n1 invoke frobnicate 2\n1 ok -\n", "register"),
                     "line 3: unknown op 'frobnicate'");
  // The case: append on a model that has none.
  expect_input_error(check("0 invoke append 1\n0 ok -\n", "cas-register"), "line 1: unknown op 'append'");
}

TEST_F(CheckHistoryInput, WrongArityIsAnErrorWithItsLine) {
  expect_input_error(check("# c\n0 invoke write 1 2 3\n0 ok -\n", "register"), "line 2: 'write' takes one value");
  expect_input_error(check("0 invoke cas 1\n0 fail -\n", "cas-register"), "line 1: 'cas' takes two values");
  expect_input_error(check("0 invoke write\n0 ok -\n", "register"), "line 1: 'write' takes one value");
  expect_input_error(check("0 invoke put key=k \"a\" \"b\"\n0 ok -\n", "kv"), "line 1: 'put' takes one value");
}

TEST_F(CheckHistoryInput, WrongValueTypeIsAnErrorWithItsLine) {
  expect_input_error(check("0 invoke add \"x\"\n0 ok -\n", "counter"), "line 1: 'add' takes one integer");
  expect_input_error(check("0 invoke append key=k 5\n0 ok -\n", "kv"), "line 1: 'append' takes one string");
  expect_input_error(check("0 invoke put key=k 1\n0 ok -\n0 invoke append key=k \"x\"\n0 ok -\n", "kv"),
                     "line 3: a string where integers were used before (line 1)");
}

TEST_F(CheckHistoryInput, ADirectoryAFifoAndABinaryFileAreRefused) {
  expect_input_error(run_cmd({"check-history", dir_, "--model", "queue"}), "a directory");
  const std::string fifo = dir_ + "/fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  expect_input_error(run_cmd({"check-history", fifo, "--model", "queue"}), "a FIFO");  // at once, no writer needed
  std::string bin = "0 invoke write 1\n";
  bin += std::string("\x7f" "ELF\x02\x01\x01\0\0\xff\xfe", 12);
  const Cmd c = run_cmd({"check-history", write("b.bin", bin), "--model", "register"});
  expect_input_error(c, "line 2: binary data");
  for (unsigned char ch : c.err) EXPECT_TRUE(ch == '\n' || (ch >= 0x20 && ch < 0x7f)) << "raw byte in: " << c.err;
  // Non-ASCII without NUL: escaped in the message.
  const Cmd e = check("0 invoke wr\xc3\xa9te 1\n", "register");
  EXPECT_EQ(e.code, 21);
  EXPECT_NE(e.err.find("\\xc3"), std::string::npos) << e.err;
}

TEST_F(CheckHistoryInput, PairingErrorsNameTheFilesLine) {
  expect_input_error(check("# header\n\n0 invoke read\n0 invoke read\n", "register"), "line 4: process 0 invokes");
  expect_input_error(check("# header\n0 ok - 3\n", "register"), "line 2: process 0 completes");
}

TEST_F(CheckHistoryInput, TimeoutRejectsNanInfNegative) {
  const std::string f = write("q.hist", "0 invoke enqueue 1\n0 ok -\n");
  for (const char* t : {"nan", "inf", "-1", "-inf"})
    EXPECT_EQ(run_cmd({"check-history", f, "--model", "queue", "--timeout", t}).code, 20) << t;
  EXPECT_EQ(run_cmd({"check-history", f, "--model", "queue", "--format", "xml"}).code, 20);
}

TEST_F(CheckHistoryInput, OtherSystemsFilesParseAndCheck) {
  struct Case {
    const char* file;
    const char* model;
  };
  for (const Case& c : {Case{"kv-append.hist", "kv"}, Case{"kv-append.porcupine.log", "kv"}, Case{"kv-append.edn", "kv"},
                        Case{"cas-register.jepsen.log", "cas-register"}, Case{"list-append.edn", "list-append"},
                        Case{"set.edn", "set"}}) {
    const Cmd r = run_cmd({"check-history", kDir + "/" + c.file, "--model", c.model});
    EXPECT_EQ(r.code, 0) << c.file << "\n" << r.out << r.err;
  }
}

TEST_F(CheckHistoryInput, TheSameHistoryInThreeFormatsGetsTheSameVerdict) {
  auto slurp = [](const std::string& p) {
    std::ifstream in(p);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  auto replace = [](std::string s, const std::string& from, const std::string& to) {
    size_t i = s.find(from);
    EXPECT_NE(i, std::string::npos) << from;
    return s.replace(i, from.size(), to);
  };
  // Broken: client 2's get sees "yx", no order of a put of "x" and an append of "y".
  const std::string ipc = replace(slurp(kDir + "/kv-append.hist"), "2 ok - \"xy\"", "2 ok - \"yx\"");
  const std::string por = replace(slurp(kDir + "/kv-append.porcupine.log"), ":f :get, :key \"k\", :value \"xy\"}\n{:process 0",
                                  ":f :get, :key \"k\", :value \"yx\"}\n{:process 0");
  const std::string edn = replace(slurp(kDir + "/kv-append.edn"), ":value \"xy\", :key \"k\", :process 2",
                                  ":value \"yx\", :key \"k\", :process 2");
  struct F {
    std::string name, text, format;
  };
  for (const bool broken : {false, true}) {
    for (const F& f : {F{"a.hist", broken ? ipc : slurp(kDir + "/kv-append.hist"), "ipcrace"},
                       F{"b.log", broken ? por : slurp(kDir + "/kv-append.porcupine.log"), "porcupine-kv"},
                       F{"c.edn", broken ? edn : slurp(kDir + "/kv-append.edn"), "jepsen-edn"}}) {
      const std::string p = write(f.name, f.text);
      for (const std::string& fmt : {std::string("auto"), f.format}) {
        const Cmd r = run_cmd({"check-history", p, "--model", "kv", "--format", fmt, "--json"});
        EXPECT_EQ(r.code, broken ? 10 : 0) << f.name << " " << fmt << "\n" << r.out << r.err;
        if (broken) EXPECT_NE(r.out.find("\"key\": \"k\""), std::string::npos) << r.out;
      }
    }
  }
}

TEST_F(CheckHistoryInput, ConflictSetReportAndVerdictOnly) {
  const std::string f = write("s.hist",
                              "0 invoke write 1\n0 ok -\n1 invoke write 2\n1 ok -\n2 invoke read\n2 ok - 1\n"
                              "3 invoke write 3\n3 ok -\n");
  const std::string html = dir_ + "/r.html";
  const Cmd c = run_cmd({"check-history", f, "--model", "register", "--report", html});
  EXPECT_EQ(c.code, 10) << c.out << c.err;
  // The stale read needs both writes: three ops, with their lines.
  EXPECT_NE(c.out.find("cannot be ordered"), std::string::npos) << c.out;
  EXPECT_NE(c.out.find("line 1-2: process 0: write 1 -> ok\n"), std::string::npos) << c.out;
  EXPECT_NE(c.out.find("line 3-4: process 1: write 2 -> ok\n"), std::string::npos) << c.out;
  EXPECT_NE(c.out.find("line 5-6: process 2: read -> ok 1\n"), std::string::npos) << c.out;
  EXPECT_EQ(c.out.find("process 3"), std::string::npos) << c.out;  // not part of the conflict
  EXPECT_EQ(c.out.find(" nil"), std::string::npos) << c.out;      // no nil for writes' completions
  std::ifstream in(html);
  const std::string page((std::istreambuf_iterator<char>(in)), {});
  EXPECT_NE(page.find("<svg"), std::string::npos);
  EXPECT_NE(page.find("#f6b3b3"), std::string::npos);  // highlighted conflict
  const Cmd v = run_cmd({"check-history", f, "--model", "register", "--verdict-only"});
  EXPECT_EQ(v.code, 10);
  EXPECT_EQ(v.out.find("cannot be ordered"), std::string::npos) << v.out;
}

}  // namespace
}  // namespace ipcrace::test
