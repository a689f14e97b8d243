#include "hw/char/chardev.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using mimic::hw::BufferChardev;
using mimic::hw::CharFrontend;
using mimic::hw::Chardev;
using mimic::hw::ChardevContext;
using mimic::hw::createChardev;
using mimic::hw::StdioChardev;

namespace {

// A device taking at most `room` bytes at a time.
class Sink : public CharFrontend {
 public:
  size_t canReceive() override { return room; }
  void receive(const uint8_t* buf, size_t n) override {
    got.append(reinterpret_cast<const char*>(buf), n);
    room -= n;
  }
  void receiveBreak() override { got += "<BREAK>"; }
  size_t room = 0;
  std::string got;
};

TEST(Chardev, PumpDeliversOnlyWhatTheDeviceTakes) {
  BufferChardev c;
  Sink s;
  c.attach(&s);
  int kicks = 0;
  c.startInput([&] { kicks++; });  // no input thread for a buffer: notify unused
  c.inject("hello");
  c.pump();
  EXPECT_EQ(s.got, "");
  EXPECT_EQ(c.pending(), 5u);
  s.room = 2;
  c.pump();
  EXPECT_EQ(s.got, "he");
  s.room = 100;
  c.injectBreak();
  c.inject("!");
  c.pump();
  EXPECT_EQ(s.got, "hello<BREAK>!");
  EXPECT_EQ(c.pending(), 0u);
}

TEST(Chardev, PumpWithoutADeviceKeepsInput) {
  BufferChardev c;
  c.inject("x");
  c.pump();
  EXPECT_EQ(c.pending(), 1u);
}

TEST(Chardev, CreateFromSpec) {
  ChardevContext ctx;
  std::string err;
  EXPECT_NE(createChardev("null", ctx, err), nullptr);
  EXPECT_NE(createChardev("none", ctx, err), nullptr);
  EXPECT_EQ(createChardev("pty", ctx, err), nullptr);
  EXPECT_EQ(err, "-serial 'pty' is not supported (use stdio, mon:stdio, file:PATH, null or none)");
  EXPECT_EQ(createChardev("file:", ctx, err), nullptr);
  EXPECT_EQ(err, "-serial file: needs a path (file:PATH)");
  EXPECT_EQ(createChardev("file:/nonexistent/dir/out", ctx, err), nullptr);
  EXPECT_EQ(err, "-serial file:/nonexistent/dir/out: cannot open: No such file or directory");
}

TEST(Chardev, FileBackendWritesEverything) {
  char path[] = "/tmp/mimic_test_chardev_XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  {
    ChardevContext ctx;
    std::string err;
    auto c = createChardev(std::string("file:") + path, ctx, err);
    ASSERT_NE(c, nullptr) << err;
    EXPECT_EQ(c->spec(), std::string("file:") + path);
    c->writeStr("line 1\n");
    const uint8_t bytes[3] = {0, 0xff, '\n'};
    c->write(bytes, 3);
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), std::string("line 1\n\0\xff\n", 10));
  std::remove(path);
}

TEST(Chardev, StdioEscapes) {
  int quits = 0;
  StdioChardev c(/*escapes=*/true, [&] { quits++; });
  Sink s;
  s.room = 1000;
  c.attach(&s);
  auto feed = [&](const std::string& in) {
    c.processInput(reinterpret_cast<const uint8_t*>(in.data()), in.size());
    c.pump();
  };
  feed("ab\x01\x01" "c");  // Ctrl-A Ctrl-A sends one Ctrl-A
  EXPECT_EQ(s.got, "ab\x01" "c");
  feed("\x01z" "d");  // unknown escapes are dropped
  EXPECT_EQ(s.got, "ab\x01" "cd");
  feed("\x01");  // an escape split across reads
  feed("b");
  EXPECT_EQ(s.got, "ab\x01" "cd<BREAK>");
  feed("\x03");  // Ctrl-C is the guest's
  EXPECT_EQ(s.got, "ab\x01" "cd<BREAK>\x03");
  EXPECT_EQ(quits, 0);
  feed("q\x01x");
  EXPECT_EQ(quits, 1);
  EXPECT_EQ(s.got, "ab\x01" "cd<BREAK>\x03q");
}

TEST(Chardev, StdioWithoutEscapesPassesEverything) {
  int quits = 0;
  StdioChardev c(/*escapes=*/false, [&] { quits++; });
  Sink s;
  s.room = 1000;
  c.attach(&s);
  std::string in = "\x01x\x01\x01";
  c.processInput(reinterpret_cast<const uint8_t*>(in.data()), in.size());
  c.pump();
  EXPECT_EQ(s.got, in);
  EXPECT_EQ(quits, 0);
}

}  // namespace
