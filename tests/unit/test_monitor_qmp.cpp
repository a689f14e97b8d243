// QMP (monitor/qmp/) against a fake machine: the greeting, negotiation,
// every command and its argument checks, events, and broken input, with
// QEMU 7.2's texts (taken from qemu-system-mipsel -qmp stdio).
#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "monitor/event_mailbox.h"
#include "monitor/qmp/json_streamer.h"
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

class QmpTest : public ::testing::Test {
 protected:
  QmpTest() {
    ctx.control = &fake;
    listener = fake.addListener([this](const mimic::hw::MachineEvent& ev) { mailbox->post(mimic::monitor::stampNow(ev)); });
    fake.poke(0x1000, {1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0});
  }
  ~QmpTest() override { fake.removeListener(listener); }

  // Sends bytes; returns what came back (whole lines).
  std::string send(const std::string& bytes) {
    StringOutput out;
    session.receive(bytes, out);
    return out.text;
  }
  void negotiate() { ASSERT_EQ(send(R"({"execute": "qmp_capabilities"})"), "{\"return\": {}}\r\n"); }
  // The replies as JSON, one per line.
  static std::vector<Json> lines(const std::string& text) {
    std::vector<Json> out;
    size_t start = 0;
    for (size_t nl; (nl = text.find("\r\n", start)) != std::string::npos; start = nl + 2)
      out.push_back(Json::parse(text.substr(start, nl - start)));
    EXPECT_EQ(start, text.size()) << "every message ends with \\r\\n";
    return out;
  }
  static std::string error(const std::string& desc, const std::string& cls = "GenericError") {
    return "{\"error\": {\"class\": \"" + cls + "\", \"desc\": \"" + desc + "\"}}\r\n";
  }
  static std::string readFile(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), {});
  }

  FakeMachineControl fake;
  mimic::monitor::MonitorContext ctx;
  std::shared_ptr<mimic::monitor::EventMailbox> mailbox = std::make_shared<mimic::monitor::EventMailbox>();
  mimic::qmp::QmpSession session{ctx, mailbox};
  int listener = 0;
};

TEST_F(QmpTest, Greeting) {
  StringOutput out;
  session.open(out);
  EXPECT_EQ(out.text,
            "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, \"package\": \"mimic " +
                std::string(Json::parse(out.text)["QMP"]["version"]["package"]).substr(6) + "\"}, \"capabilities\": []}}\r\n");
}

TEST_F(QmpTest, CapabilitiesNegotiation) {
  EXPECT_EQ(send(R"({"execute": "query-status"})"),
            error("Expecting capabilities negotiation with 'qmp_capabilities'", "CommandNotFound"));
  EXPECT_EQ(send(R"({"execute": "nosuch", "id": 1})"),
            "{\"id\": 1, \"error\": {\"class\": \"CommandNotFound\", \"desc\": \"Expecting capabilities negotiation with 'qmp_capabilities'\"}}\r\n");
  EXPECT_EQ(send(R"({"execute": "qmp_capabilities", "arguments": {"enable": ["oob"]}})"),
            error("Capability 'oob' not available"));
  EXPECT_EQ(send(R"({"execute": "qmp_capabilities", "id": 1})"), "{\"return\": {}, \"id\": 1}\r\n");
  EXPECT_EQ(send(R"({"execute": "qmp_capabilities", "id": 2})"),
            "{\"id\": 2, \"error\": {\"class\": \"CommandNotFound\", \"desc\": \"Capabilities negotiation is already complete, command ignored\"}}\r\n");
}

TEST_F(QmpTest, QueryStatusAndIds) {
  negotiate();
  EXPECT_EQ(send(R"({"execute": "query-status"})"),
            "{\"return\": {\"status\": \"running\", \"singlestep\": false, \"running\": true}}\r\n");
  fake.setStatus("prelaunch");
  EXPECT_EQ(send(R"({"execute": "query-status", "id": "abc"})"),
            "{\"return\": {\"status\": \"prelaunch\", \"singlestep\": false, \"running\": false}, \"id\": \"abc\"}\r\n");
  // Any JSON value is an id, echoed as given.
  for (const char* id : {"null", "1.5", "[1, 2]", "{\"a\": [1]}", "-7", "true"}) {
    std::string reply = send(std::string("{\"execute\": \"query-status\", \"id\": ") + id + "}");
    EXPECT_EQ(lines(reply).at(0)["id"], Json::parse(id)) << reply;
  }
}

TEST_F(QmpTest, RunControlAndEvents) {
  negotiate();
  std::vector<Json> r = lines(send(R"({"execute": "stop", "id": 1})"));
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0]["event"], "STOP");  // the event comes before the reply, as QEMU sends it
  EXPECT_TRUE(r[0]["timestamp"]["seconds"].is_number_integer());
  EXPECT_TRUE(r[0]["timestamp"]["microseconds"].is_number_integer());
  EXPECT_FALSE(r[0].contains("data"));
  EXPECT_EQ(r[1], Json::parse(R"({"return": {}, "id": 1})"));
  EXPECT_EQ(fake.status(), "paused");
  EXPECT_EQ(send(R"({"execute": "stop"})"), "{\"return\": {}}\r\n");  // already stopped: no event

  r = lines(send(R"({"execute": "cont"})"));
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0]["event"], "RESUME");

  r = lines(send(R"({"execute": "system_reset"})"));
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0]["event"], "RESET");
  EXPECT_EQ(r[0]["data"], Json::parse(R"({"guest": false, "reason": "host-qmp-system-reset"})"));
  EXPECT_EQ(fake.resets, 1);

  r = lines(send(R"({"execute": "system_powerdown"})"));
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0]["event"], "POWERDOWN");

  r = lines(send(R"({"execute": "quit"})"));
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0]["event"], "SHUTDOWN");
  EXPECT_EQ(r[0]["data"], Json::parse(R"({"guest": false, "reason": "host-qmp-quit"})"));
  EXPECT_EQ(fake.quits, 1);
}

TEST_F(QmpTest, EventLayoutAndGuestReasons) {
  negotiate();
  fake.emit({mimic::hw::MachineEvent::Kind::Reset, "", true});
  fake.emit({mimic::hw::MachineEvent::Kind::Shutdown, "", true});
  fake.emit({mimic::hw::MachineEvent::Kind::Shutdown, "host-signal", false});
  StringOutput out;
  session.pollEvents(out);
  std::vector<Json> r = lines(out.text);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0]["data"], Json::parse(R"({"guest": true, "reason": "guest-reset"})"));
  EXPECT_EQ(r[1]["data"], Json::parse(R"({"guest": true, "reason": "guest-shutdown"})"));
  EXPECT_EQ(r[2]["data"], Json::parse(R"({"guest": false, "reason": "host-signal"})"));
  // Member order as QEMU: timestamp, event, data.
  EXPECT_EQ(out.text.rfind("{\"timestamp\": {\"seconds\": ", 0), 0u);
  EXPECT_NE(out.text.find("}, \"event\": \"RESET\", \"data\": {\"guest\": true, \"reason\": \"guest-reset\"}}\r\n"), std::string::npos);
}

TEST_F(QmpTest, NoEventsBeforeNegotiation) {
  fake.emit({mimic::hw::MachineEvent::Kind::Stop, "pause"});
  StringOutput out;
  session.pollEvents(out);
  EXPECT_EQ(out.text, "");
  negotiate();
  session.pollEvents(out);
  EXPECT_EQ(out.text, "");  // dropped, not delayed
}

TEST_F(QmpTest, HumanMonitorCommand) {
  negotiate();
  EXPECT_EQ(send(R"({"execute": "human-monitor-command", "arguments": {"command-line": "info status"}})"),
            "{\"return\": \"VM status: running\\r\\n\"}\r\n");
  EXPECT_EQ(send(R"({"execute": "human-monitor-command", "arguments": {"command-line": "x /2xw 0x80001000"}})"),
            "{\"return\": \"80001000: 0x00000001 0x00000002\\r\\n\"}\r\n");
  EXPECT_EQ(send(R"({"execute": "human-monitor-command", "arguments": {"command-line": "foo"}})"),
            "{\"return\": \"unknown command: 'foo'\\r\\n\"}\r\n");
  EXPECT_EQ(send(R"({"execute": "human-monitor-command", "arguments": {"command-line": ""}})"), "{\"return\": \"\"}\r\n");
  EXPECT_EQ(send(R"({"execute": "human-monitor-command", "arguments": {"command-line": "memsave 0 10"}})"),
            "{\"return\": \"memsave: string expected\\r\\nTry \\\"help memsave\\\" for more information\\r\\n\"}\r\n");
  EXPECT_EQ(send(R"({"execute": "human-monitor-command", "arguments": {"command-line": "info registers"}})"),
            "{\"return\": \"pc=0x80100000 HI=0x00000000 LO=0x00000000\\r\\nGPR00: r0 00000000\\r\\n\"}\r\n");
  // The x/xp format is remembered between calls, as in one HMP session.
  send(R"({"execute": "human-monitor-command", "arguments": {"command-line": "x /1xb 0x80001000"}})");
  EXPECT_EQ(send(R"({"execute": "human-monitor-command", "arguments": {"command-line": "x 0x80001004"}})"),
            "{\"return\": \"80001004: 0x02\\r\\n\"}\r\n");
  // HMP's stop emits STOP on QMP too.
  std::vector<Json> r = lines(send(R"({"execute": "human-monitor-command", "arguments": {"command-line": "stop"}})"));
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0]["event"], "STOP");
  EXPECT_EQ(r[1]["return"], "");

  EXPECT_EQ(send(R"({"execute": "human-monitor-command", "arguments": {}})"), error("Parameter 'command-line' is missing"));
  EXPECT_EQ(send(R"({"execute": "human-monitor-command", "arguments": {"command-line": 5}})"),
            error("Invalid parameter type for 'command-line', expected: string"));
  EXPECT_EQ(send(R"({"execute": "human-monitor-command", "arguments": {"command-line": "info status", "cpu-index": 0}})"),
            "{\"return\": \"VM status: paused\\r\\n\"}\r\n");
  EXPECT_EQ(send(R"({"execute": "human-monitor-command", "arguments": {"command-line": "info status", "cpu-index": 3}})"),
            error("Parameter 'cpu-index' expects a CPU number"));
}

TEST_F(QmpTest, MemsaveAndPmemsave) {
  negotiate();
  char tmpl[] = "/tmp/mimic-qmp-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  EXPECT_EQ(send(R"({"execute": "memsave", "arguments": {"val": 2147487744, "size": 16, "filename": ")" + dir + R"(/v"}})"),
            "{\"return\": {}}\r\n");
  EXPECT_EQ(readFile(dir + "/v"), std::string("\1\0\0\0\2\0\0\0\3\0\0\0\4\0\0\0", 16));
  EXPECT_EQ(send(R"({"execute": "pmemsave", "arguments": {"val": 4100, "size": 4, "filename": ")" + dir + R"(/p"}, "id": 9})"),
            "{\"return\": {}, \"id\": 9}\r\n");
  EXPECT_EQ(readFile(dir + "/p"), std::string("\2\0\0\0", 4));
  EXPECT_EQ(send(R"({"execute": "memsave", "arguments": {"val": 2147487744, "size": 4, "filename": ")" + dir + R"(/c", "cpu-index": 0}})"),
            "{\"return\": {}}\r\n");

  // Arguments: missing, wrong types, unknown; in QEMU's order.
  EXPECT_EQ(send(R"({"execute": "memsave", "arguments": {"val": 0, "size": 16}})"), error("Parameter 'filename' is missing"));
  EXPECT_EQ(send(R"({"execute": "pmemsave", "arguments": {"size": 16, "filename": "f"}})"), error("Parameter 'val' is missing"));
  EXPECT_EQ(send(R"({"execute": "memsave", "arguments": {"val": "0", "size": 16, "filename": "f"}})"),
            error("Invalid parameter type for 'val', expected: integer"));
  EXPECT_EQ(send(R"({"execute": "memsave", "arguments": {"val": 0, "size": 1.5, "filename": "f"}})"),
            error("Invalid parameter type for 'size', expected: integer"));
  EXPECT_EQ(send(R"({"execute": "memsave", "arguments": {"val": 0, "size": 16.0, "filename": "f"}})"),
            error("Invalid parameter type for 'size', expected: integer"));
  EXPECT_EQ(send(R"({"execute": "memsave", "arguments": {"val": 0, "size": true, "filename": "f"}})"),
            error("Invalid parameter type for 'size', expected: integer"));
  EXPECT_EQ(send(R"({"execute": "memsave", "arguments": {"val": 0, "size": 16, "filename": null}})"),
            error("Invalid parameter type for 'filename', expected: string"));
  EXPECT_EQ(send(R"({"execute": "memsave", "arguments": {"val": 18446744073709551615, "size": 16, "filename": "f"}})"),
            error("Invalid parameter type for 'val', expected: integer"));
  EXPECT_EQ(send(R"({"execute": "memsave", "arguments": {"val": 0, "size": 16, "filename": "f", "foo": 1}})"),
            error("Parameter 'foo' is unexpected"));
  EXPECT_EQ(send(R"({"execute": "pmemsave", "arguments": {"val": 0, "size": 16, "filename": "f", "cpu-index": 0}})"),
            error("Parameter 'cpu-index' is unexpected"));  // pmemsave has none, as in QEMU
  EXPECT_EQ(send(R"({"execute": "memsave", "arguments": {"val": 0, "size": 16, "filename": "f", "cpu-index": 9}})"),
            error("Parameter 'cpu-index' expects a CPU number"));

  // Failures of the operation itself.
  EXPECT_EQ(send(R"({"execute": "memsave", "arguments": {"val": 0, "size": 16, "filename": "/nonexistent-dir/m"}})"),
            error("Could not open '/nonexistent-dir/m': No such file or directory"));
  EXPECT_EQ(send(R"({"execute": "memsave", "arguments": {"val": 0, "size": 16, "filename": ")" + dir + R"("}})"),
            error("Could not open '" + dir + "': Is a directory"));
  EXPECT_EQ(send(R"({"execute": "memsave", "arguments": {"val": -1, "size": 16, "filename": ")" + dir + R"(/m"}})"),
            error("Invalid addr 0xffffffffffffffff/size 16 specified"));
  EXPECT_EQ(send(R"({"execute": "memsave", "arguments": {"val": 2147483632, "size": 16, "filename": ")" + dir + R"(/m"}})"),
            error("Invalid addr 0x000000007ffffff0/size 16 specified"));
  EXPECT_EQ(send(R"({"execute": "memsave", "arguments": {"val": 0, "size": -1, "filename": ")" + dir + R"(/m"}})"),
            error("Invalid addr 0x0000000000000000/size -1 specified"));
  EXPECT_EQ(send(R"({"execute": "pmemsave", "arguments": {"val": 549755813872, "size": 16, "filename": ")" + dir + R"(/m"}})"),
            error("Invalid addr 0x0000007ffffffff0/size 16 specified"));
  std::system(("rm -rf " + dir).c_str());
}

TEST_F(QmpTest, VersionCommandsScreendump) {
  negotiate();
  std::vector<Json> r = lines(send(R"({"execute": "query-version"})"));
  EXPECT_EQ(r.at(0)["return"]["qemu"], Json::parse(R"({"micro": 0, "minor": 2, "major": 7})"));
  EXPECT_EQ(std::string(r[0]["return"]["package"]).rfind("mimic ", 0), 0u);

  r = lines(send(R"({"execute": "query-commands"})"));
  std::vector<std::string> names;
  for (const Json& c : r.at(0)["return"]) names.push_back(c["name"]);
  for (const char* want : {"qmp_capabilities", "query-status", "stop", "cont", "system_reset", "system_powerdown", "quit",
                           "human-monitor-command", "memsave", "pmemsave", "query-version", "query-commands", "screendump"})
    EXPECT_NE(std::find(names.begin(), names.end(), want), names.end()) << want;

  EXPECT_EQ(send(R"({"execute": "screendump", "arguments": {"filename": "/tmp/s.ppm"}})"),
            error("mimic has no display yet: there is no screen to dump"));
  EXPECT_EQ(send(R"({"execute": "query-version", "arguments": {"x": 1}})"), error("Parameter 'x' is unexpected"));
}

TEST_F(QmpTest, RequestShapeErrorsAsQemu) {
  negotiate();
  EXPECT_EQ(send(R"({"execute": "foo", "id": [1, 2]})"),
            "{\"id\": [1, 2], \"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The command foo has not been found\"}}\r\n");
  EXPECT_EQ(send(R"({"exec": "query-status"})"), error("QMP input member 'exec' is unexpected"));
  EXPECT_EQ(send(R"([1, 2])"), error("QMP input must be a JSON object"));
  EXPECT_EQ(send(R"("hello")"), error("QMP input must be a JSON object"));
  EXPECT_EQ(send("42\n"), error("QMP input must be a JSON object"));
  EXPECT_EQ(send(R"({"execute": 1})"), error("QMP input member 'execute' must be a string"));
  EXPECT_EQ(send(R"({"execute": "query-status", "arguments": []})"), error("QMP input member 'arguments' must be an object"));
  EXPECT_EQ(send(R"({"execute": "query-status", "arguments": null})"), error("QMP input member 'arguments' must be an object"));
  EXPECT_EQ(send(R"({})"), error("QMP input lacks member 'execute'"));
  EXPECT_EQ(send(R"({"id": 10})"),
            "{\"id\": 10, \"error\": {\"class\": \"GenericError\", \"desc\": \"QMP input lacks member 'execute'\"}}\r\n");
  EXPECT_EQ(send(R"({"execute": "query-status", "id": 12, "id": 13})"), error("JSON parse error, duplicate key"));
}

TEST_F(QmpTest, BrokenJsonIsAnsweredAndTheSessionGoesOn) {
  negotiate();
  const std::string ok = "{\"return\": {\"status\": \"running\", \"singlestep\": false, \"running\": true}}\r\n";
  for (const char* bad : {"{\"execute\" \"query-status\"}", "}", "]", "{\"execute\": tru}", "{\"execute\": \"query-status\",}",
                          "{\"a\": 1]", "[}", "nul", "-", "{\"a\": \"\\x\"}", "\"\\uD800\"", "{\"a\": \"\xc3\x28\"}"}) {
    std::string reply = send(std::string(bad) + "\n");
    std::vector<Json> r = lines(reply);
    ASSERT_EQ(r.size(), 1u) << bad;
    EXPECT_EQ(r[0]["error"]["class"], "GenericError") << bad;
    EXPECT_EQ(std::string(r[0]["error"]["desc"]).rfind("JSON parse error, ", 0), 0u) << bad << " -> " << reply;
    EXPECT_EQ(send(R"({"execute": "query-status"})"), ok) << "after " << bad;
  }
}

TEST_F(QmpTest, ControlCharacterResetsTheParser) {
  negotiate();
  // A request cut short, then a control character (the QMP spec's way back
  // to a known state), then a good request.
  std::string reply = send("{\"execute\": \"query-st");
  EXPECT_EQ(reply, "");
  reply = send("\x01{\"execute\": \"query-status\", \"id\": 2}");
  std::vector<Json> r = lines(reply);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0]["error"]["desc"], "JSON parse error, stray '\x01'");
  EXPECT_EQ(r[1]["id"], 2);
  // 0xFF too, outside strings and in them.
  r = lines(send("{\"a\": [1, \xff{\"execute\": \"query-status\", \"id\": 3}"));
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[1]["id"], 3);
  EXPECT_NE(send("\xff").find("\\ufffd"), std::string::npos);  // the stray byte, escaped as QEMU does
}

TEST_F(QmpTest, IncrementalParsing) {
  negotiate();
  // Several requests in one read.
  std::vector<Json> r = lines(send(R"({"execute": "query-status", "id": 9}{"execute": "query-status", "id": 10}  {"execute": "query-version", "id": 11})"));
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0]["id"], 9);
  EXPECT_EQ(r[1]["id"], 10);
  EXPECT_EQ(r[2]["id"], 11);
  // One request cut at every byte.
  const std::string req = R"({"execute": "human-monitor-command", "arguments": {"command-line": "x /1xw 0x80001000 \"}{["}, "id": "a\"b"})";
  for (size_t cut = 0; cut <= req.size(); ++cut) {
    std::string reply = send(req.substr(0, cut));
    reply += send(req.substr(cut));
    r = lines(reply);
    ASSERT_EQ(r.size(), 1u) << cut;
    EXPECT_EQ(r[0]["id"], "a\"b");
  }
  // Byte by byte.
  std::string reply;
  for (char c : req) reply += send(std::string(1, c));
  EXPECT_EQ(lines(reply).size(), 1u);
}

TEST_F(QmpTest, Limits) {
  negotiate();
  std::string deep(2000, '[');
  std::vector<Json> r = lines(send(deep));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0]["error"]["desc"], "JSON nesting depth limit exceeded");
  // Depth 1024 is allowed (and 1024 closers end it).
  r = lines(send("\x01" + std::string(1023, '[') + std::string(1023, ']')));
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[1]["error"]["desc"], "QMP input must be a JSON object");
  std::string big = "\x01{\"execute\": \"" + std::string(mimic::qmp::JsonStreamer::kMaxText, 'a');
  r = lines(send(big));
  ASSERT_GE(r.size(), 2u);
  EXPECT_EQ(r[1]["error"]["desc"], "JSON token size limit exceeded");
  send("\x01");
  EXPECT_EQ(lines(send(R"({"execute": "query-status", "id": 1})")).at(0)["id"], 1);
}

}  // namespace
