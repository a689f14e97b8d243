#include "hw/char/chardev.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using mimic::hw::BufferChardev;
using mimic::hw::CharFrontend;
using mimic::hw::Chardev;
using mimic::hw::ChardevContext;
using mimic::hw::createChardev;
using mimic::hw::PtyChardev;
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
  EXPECT_EQ(createChardev("tcp:localhost:4444", ctx, err), nullptr);
  EXPECT_EQ(err, "-serial 'tcp:localhost:4444' is not supported (use stdio, mon:stdio, file:PATH, pty, null or none)");
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

// ---------------------------------------------------------------------------
// -serial pty

using namespace std::chrono_literals;

bool havePtys() {
  int m = posix_openpt(O_RDWR | O_NOCTTY);
  if (m < 0) return false;
  close(m);
  return true;
}

int openSlave(const std::string& path) { return open(path.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK); }

// What arrives on `fd` until `want` bytes came or nothing came for `ms`.
std::string readFor(int fd, size_t want, int ms) {
  std::string got;
  while (got.size() < want) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, ms) <= 0 || !(p.revents & POLLIN)) break;
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
  }
  return got;
}

// Pumps `c` into `s` until `s` holds `want` bytes or 5 s passed.
void waitInput(Chardev& c, Sink& s, size_t want) {
  auto end = std::chrono::steady_clock::now() + 5s;
  while (s.got.size() < want && std::chrono::steady_clock::now() < end) {
    c.pump();
    std::this_thread::sleep_for(1ms);
  }
}

// Writes all of `s` to the (non-blocking) slave; false on an error.
bool writeAll(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = write(fd, s.data() + off, s.size() - off);
    if (n < 0 && errno == EAGAIN) {
      pollfd p{fd, POLLOUT, 0};
      if (poll(&p, 1, 5000) <= 0) return false;
      continue;
    }
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

TEST(Chardev, PtyAnnouncesItsSlave) {
  if (!havePtys()) GTEST_SKIP() << "no pseudo-terminals here";
  ChardevContext ctx;
  ctx.label = "serial2";
  std::string err;
  testing::internal::CaptureStderr();
  std::unique_ptr<Chardev> c = createChardev("pty", ctx, err);
  std::string msg = testing::internal::GetCapturedStderr();
  ASSERT_NE(c, nullptr) << err;
  auto* pty = dynamic_cast<PtyChardev*>(c.get());
  ASSERT_NE(pty, nullptr);
  EXPECT_EQ(c->spec(), "pty");
  EXPECT_EQ(pty->slavePath().rfind("/dev/pts/", 0), 0u) << pty->slavePath();
  EXPECT_EQ(msg, "char device redirected to " + pty->slavePath() + " (label serial2)\n");
  EXPECT_FALSE(pty->connected());
}

TEST(Chardev, PtyInputFromTheSlave) {
  if (!havePtys()) GTEST_SKIP() << "no pseudo-terminals here";
  std::string err;
  std::unique_ptr<PtyChardev> pty = PtyChardev::open("serial0", err, /*announce=*/false);
  ASSERT_NE(pty, nullptr) << err;
  Sink s;
  s.room = 100000;
  pty->attach(&s);
  std::atomic<int> kicks{0};
  pty->startInput([&] { kicks++; });

  int fd = openSlave(pty->slavePath());
  ASSERT_GE(fd, 0);
  EXPECT_TRUE(pty->connected());
  // Raw: CR, Ctrl-C, Ctrl-D, DEL, NUL and 0xff arrive unchanged.
  const std::string in("hello\r\n\x03\x04\x7f\x00\xff!", 13);
  ASSERT_TRUE(writeAll(fd, in));
  waitInput(*pty, s, in.size());
  EXPECT_EQ(s.got, in);
  EXPECT_GT(kicks.load(), 0);
  // No echo back to the slave.
  EXPECT_EQ(readFor(fd, 1, 100), "");

  // The reader goes away; a new one comes.
  close(fd);
  std::this_thread::sleep_for(100ms);
  EXPECT_FALSE(pty->connected());
  fd = openSlave(pty->slavePath());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(writeAll(fd, "again"));
  waitInput(*pty, s, in.size() + 5);
  EXPECT_EQ(s.got, in + "again");

  // A lot of input, in order.
  std::string big;
  for (int i = 0; i < 20000; i++) big += static_cast<char>('a' + i % 26);
  bool wrote = false;
  std::thread writer([&] { wrote = writeAll(fd, big); });
  waitInput(*pty, s, in.size() + 5 + big.size());
  writer.join();
  EXPECT_TRUE(wrote);
  EXPECT_EQ(s.got.size(), in.size() + 5 + big.size());
  EXPECT_TRUE(s.got == in + "again" + big);  // not EXPECT_EQ: no 20 KB message
  close(fd);
}

TEST(Chardev, PtyOutputToTheSlave) {
  if (!havePtys()) GTEST_SKIP() << "no pseudo-terminals here";
  std::string err;
  std::unique_ptr<PtyChardev> pty = PtyChardev::open("serial0", err, /*announce=*/false);
  ASSERT_NE(pty, nullptr) << err;
  pty->startInput([] {});
  int fd = openSlave(pty->slavePath());
  ASSERT_GE(fd, 0);
  // Raw: no CR added to LF, control bytes and 0xff unchanged.
  const std::string out("guest\n\r\x00\xff\x04\x03 done", 15);
  pty->writeStr(out);
  EXPECT_EQ(readFor(fd, out.size(), 2000), out);
  close(fd);
}

TEST(Chardev, PtyDropsOutputWithoutAReader) {
  if (!havePtys()) GTEST_SKIP() << "no pseudo-terminals here";
  std::string err;
  std::unique_ptr<PtyChardev> pty = PtyChardev::open("serial0", err, /*announce=*/false);
  ASSERT_NE(pty, nullptr) << err;

  // No reader yet: output goes nowhere, without blocking.
  auto t0 = std::chrono::steady_clock::now();
  const std::string chunk(100000, 'x');
  for (int i = 0; i < 3; i++) pty->writeStr(chunk);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
  int fd = openSlave(pty->slavePath());
  ASSERT_GE(fd, 0);
  EXPECT_EQ(readFor(fd, 1, 100), "");  // nothing stale for the new reader
  pty->writeStr("live");
  EXPECT_EQ(readFor(fd, 4, 2000), "live");

  // A reader that does not read: writes stop waiting soon.
  t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 100; i++) pty->writeStr(std::string(4096, 'y'));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
  std::string backlog = readFor(fd, SIZE_MAX, 200);
  EXPECT_GT(backlog.size(), 0u);
  EXPECT_LT(backlog.size(), 100u * 4096);
  EXPECT_EQ(backlog.find_first_not_of('y'), std::string::npos);
  // Once it reads again, output flows again.
  pty->writeStr("after");
  EXPECT_EQ(readFor(fd, 5, 2000), "after");

  // The reader leaves: output is dropped again.
  close(fd);
  pty->writeStr("gone");
  fd = openSlave(pty->slavePath());
  ASSERT_GE(fd, 0);
  EXPECT_EQ(readFor(fd, 1, 100), "");
  close(fd);
}

}  // namespace
