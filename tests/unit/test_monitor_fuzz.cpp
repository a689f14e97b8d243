// Fuzzing the monitors' parsers: thousands of random, mutated and truncated
// inputs (fixed seeds, so failures repeat) into QMP sessions, HMP sessions
// and the expression evaluator. Nothing may crash, every QMP reply must be
// valid JSON, and afterwards the session must still answer a good request.
// memsave/pmemsave write to /dev/null here, whatever path the fuzzer makes.
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "monitor/event_mailbox.h"
#include "monitor/hmp/hmp_expr.h"
#include "monitor/hmp/hmp_session.h"
#include "monitor/qmp/qmp_json.h"
#include "monitor/qmp/qmp_session.h"
#include "tests/unit/fake_machine_control.h"

namespace {

using mimic::qmp::Json;
using mimic::testing::FakeMachineControl;

class StringOutput : public mimic::monitor::Output {
 public:
  void write(std::string_view t) override { text += t; }
  std::string text;
};

const std::vector<std::string> kQmpSeeds = {
    R"({"execute": "qmp_capabilities"})",
    R"({"execute": "qmp_capabilities", "arguments": {"enable": ["oob"]}, "id": 1})",
    R"({"execute": "query-status", "id": "x"})",
    R"({"execute": "stop"})",
    R"({"execute": "cont", "id": [1, {"a": null}]})",
    R"({"execute": "system_reset"})",
    R"({"execute": "system_powerdown"})",
    R"({"execute": "quit"})",
    R"({"execute": "human-monitor-command", "arguments": {"command-line": "x /4xw 0x80001000"}})",
    R"({"execute": "human-monitor-command", "arguments": {"command-line": "info status", "cpu-index": 0}})",
    R"({"execute": "human-monitor-command", "arguments": {"command-line": "help"}})",
    R"({"execute": "memsave", "arguments": {"val": 2147487744, "size": 64, "filename": "/fuzz/m"}})",
    R"({"execute": "pmemsave", "arguments": {"val": 4096, "size": 64, "filename": "/fuzz/p"}})",
    R"({"execute": "query-version"})",
    R"({"execute": "query-commands"})",
    R"({"execute": "screendump", "arguments": {"filename": "s.ppm", "head": 0}})",
    R"({"execute": "query-status", "arguments": {"x": [1.5e300, -0, true, "\u00e9\ud83d\ude00"]}})",
    R"([{"execute": "query-status"}, "\\\"", 12345678901234567890123])",
};

const std::vector<std::string> kHmpSeeds = {
    "help", "help info", "help x", "info", "info status", "info version", "info registers", "info tlb", "info mtree",
    "info qtree", "stop", "cont", "c", "s", "system_reset", "system_powerdown", "quit", "q",
    "x /4xw 0x80001000", "x /20cb 0x80001000+8*(2-1)", "xp /3dg 0x1000", "x/2i 0", "x /4ow ~0x7fffefff",
    "memsave 0x80001000 16 /fuzz/m", "pmemsave 0x1000 16 \"/fuzz/with space\"", "screendump /fuzz/s.ppm",
    "x /4xw 'a'", "x /4xw $pc", "xp /16xb (0x1000 | 0x10) % 7 ^ 3", "memsave 0 0x100000000 f",
};

// A random edit of `s`: the kinds of damage a broken client or a bad
// connection does (bit flips, stray bytes, lost and repeated pieces, cuts).
std::string mutate(std::string s, std::mt19937& rng, const std::vector<std::string>& seeds) {
  static const std::string alphabet = std::string("{}[]\":,\\ \t\r\n0123456789abcdefxwgbhioduc/+-*%&|^~()'$.eE") +
                                      std::string("\x00\x01\x1b\x7f\xc3\xa9\xff\xfe", 8);
  auto pick = [&](size_t n) { return n ? std::uniform_int_distribution<size_t>(0, n - 1)(rng) : 0; };
  int edits = 1 + static_cast<int>(pick(4));
  for (int e = 0; e < edits; ++e) {
    switch (pick(8)) {
      case 0:
        if (!s.empty()) s[pick(s.size())] ^= static_cast<char>(1 << pick(8));
        break;
      case 1:
        if (!s.empty()) s[pick(s.size())] = alphabet[pick(alphabet.size())];
        break;
      case 2: {
        size_t at = pick(s.size() + 1);
        std::string ins;
        for (size_t n = 1 + pick(6); n; --n) ins += alphabet[pick(alphabet.size())];
        s.insert(at, ins);
        break;
      }
      case 3:
        if (!s.empty()) {
          size_t at = pick(s.size());
          s.erase(at, 1 + pick(std::min<size_t>(8, s.size() - at)));
        }
        break;
      case 4:
        s.resize(pick(s.size() + 1));  // truncated
        break;
      case 5:
        if (!s.empty()) {
          size_t at = pick(s.size());
          s.insert(pick(s.size() + 1), s.substr(at, 1 + pick(16)));
        }
        break;
      case 6: {
        const std::string& other = seeds[pick(seeds.size())];
        s = s.substr(0, pick(s.size() + 1)) + other.substr(pick(other.size() + 1));
        break;
      }
      default: {
        std::string r;
        for (size_t n = pick(40); n; --n) r += static_cast<char>(pick(256));
        s = r;
        break;
      }
    }
  }
  return s;
}

// Sends `input` in random pieces.
template <typename Session>
void feedInPieces(Session& session, const std::string& input, std::mt19937& rng, StringOutput& out) {
  size_t at = 0;
  while (at < input.size()) {
    size_t n = 1 + std::uniform_int_distribution<size_t>(0, 24)(rng);
    session.receive(std::string_view(input).substr(at, n), out);
    at += n;
  }
}

mimic::monitor::MonitorContext fuzzContext(FakeMachineControl& fake) {
  mimic::monitor::MonitorContext ctx;
  ctx.control = &fake;
  ctx.open_file = [](const std::string&) { return std::fopen("/dev/null", "wb"); };
  return ctx;
}

TEST(MonitorFuzz, QmpSessionSurvivesAnythingAndStillAnswers) {
  FakeMachineControl fake;
  fake.poke(0x1000, {1, 2, 3, 4, 5, 6, 7, 8});
  auto ctx = fuzzContext(fake);
  auto mailbox = std::make_shared<mimic::monitor::EventMailbox>();
  int id = fake.addListener([&](const mimic::hw::MachineEvent& ev) { mailbox->post(mimic::monitor::stampNow(ev)); });
  std::mt19937 rng(20240611);
  int answered = 0;
  std::unique_ptr<mimic::qmp::QmpSession> session;
  for (int i = 0; i < 5000; ++i) {
    // Sometimes a fresh client, mostly one session through many inputs.
    if (!session || i % 50 == 0) session = std::make_unique<mimic::qmp::QmpSession>(ctx, mailbox);
    std::string input;
    for (int k = 1 + i % 3; k; --k) input += mutate(kQmpSeeds[rng() % kQmpSeeds.size()], rng, kQmpSeeds);
    StringOutput out;
    feedInPieces(*session, input, rng, out);
    // Back to a known state (the QMP spec's control character), then a
    // good request must be answered.
    session->receive("\x01{\"execute\": \"qmp_capabilities\"}{\"execute\": \"query-status\", \"id\": \"probe\"}", out);
    session->pollEvents(out);
    // Every message is one line of valid JSON.
    size_t start = 0;
    Json last;
    for (size_t nl; (nl = out.text.find("\r\n", start)) != std::string::npos; start = nl + 2) {
      std::string line = out.text.substr(start, nl - start);
      ASSERT_TRUE(Json::accept(line)) << "case " << i << ": not JSON: " << line;
      Json j = Json::parse(line);
      if (j.contains("id") && j["id"] == "probe") last = j;
    }
    ASSERT_EQ(start, out.text.size()) << "case " << i;
    ASSERT_TRUE(last.contains("return")) << "case " << i << ": no answer to the probe; input: " << Json(input).dump(-1, ' ', true, Json::error_handler_t::replace);
    ++answered;
  }
  EXPECT_EQ(answered, 5000);
  fake.removeListener(id);
}

TEST(MonitorFuzz, HmpSessionSurvivesAnythingAndStillAnswers) {
  FakeMachineControl fake;
  auto ctx = fuzzContext(fake);
  std::mt19937 rng(777);
  mimic::hmp::HmpSession session(ctx);
  StringOutput greeting;
  session.open(greeting);
  for (int i = 0; i < 5000; ++i) {
    std::string input;
    for (int k = 1 + i % 4; k; --k) input += mutate(kHmpSeeds[rng() % kHmpSeeds.size()], rng, kHmpSeeds) + (rng() % 4 ? "\n" : "");
    if (i % 500 == 0) input += std::string(6000, 'x');  // an overlong line now and then
    StringOutput out;
    feedInPieces(session, input, rng, out);
    session.receive("\ninfo status\n", out);
    ASSERT_NE(out.text.find("VM status: "), std::string::npos) << "case " << i;
  }
}

TEST(MonitorFuzz, ExpressionsNeverCrash) {
  std::mt19937 rng(99);
  const std::string alphabet = "0123456789xXabcdefABCDEF+-*/%&|^~() '$\t_.\\\"";
  int64_t v;
  std::string err;
  for (int i = 0; i < 20000; ++i) {
    std::string s;
    for (size_t n = rng() % 48; n; --n) s += alphabet[rng() % alphabet.size()];
    std::string_view p = s;
    bool ok = mimic::hmp::parseExpr(p, v, err, i % 2 == 0);
    if (!ok) {
      EXPECT_FALSE(err.empty());
    }
    EXPECT_LE(p.size(), s.size());
  }
}

}  // namespace
