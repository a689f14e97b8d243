// -monitor/-qmp channels (monitor/): the device syntax, the errors main
// turns into "mimic: error:" lines, and real sockets served by the channel
// threads: one client at a time, clients that leave mid-message, events,
// stop() with a client attached.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <future>
#include <string>
#include <thread>

#include "monitor/channel_spec.h"
#include "monitor/monitors.h"
#include "tests/unit/fake_machine_control.h"

namespace {

using mimic::monitor::ChannelSpec;
using mimic::monitor::parseChannelSpec;
using mimic::testing::FakeMachineControl;

std::string specError(const std::string& text, const std::string& option = "-qmp") {
  ChannelSpec s;
  std::string err;
  EXPECT_FALSE(parseChannelSpec(option, text, s, err)) << text;
  return err;
}

TEST(ChannelSpec, Accepted) {
  ChannelSpec s;
  std::string err;
  ASSERT_TRUE(parseChannelSpec("-qmp", "stdio", s, err));
  EXPECT_EQ(s.kind, ChannelSpec::Kind::Stdio);
  ASSERT_TRUE(parseChannelSpec("-qmp", "unix:/tmp/q.sock,server,nowait", s, err));
  EXPECT_EQ(s.kind, ChannelSpec::Kind::Unix);
  EXPECT_EQ(s.path, "/tmp/q.sock");
  EXPECT_FALSE(s.wait);
  ASSERT_TRUE(parseChannelSpec("-qmp", "unix:/tmp/a,,b,server=on,wait=off", s, err));
  EXPECT_EQ(s.path, "/tmp/a,b");  // ",," is a comma
  EXPECT_FALSE(s.wait);
  ASSERT_TRUE(parseChannelSpec("-monitor", "unix:/tmp/m,server", s, err));
  EXPECT_TRUE(s.wait);  // QEMU's default
  ASSERT_TRUE(parseChannelSpec("-monitor", "tcp::4444,server,nowait", s, err));
  EXPECT_EQ(s.kind, ChannelSpec::Kind::Tcp);
  EXPECT_EQ(s.host, "");
  EXPECT_EQ(s.port, 4444);
  ASSERT_TRUE(parseChannelSpec("-monitor", "tcp:127.0.0.1:5555,server=on,wait=off,nodelay", s, err));
  EXPECT_EQ(s.host, "127.0.0.1");
  ASSERT_TRUE(parseChannelSpec("-monitor", "tcp:[::1]:5555,server,nowait", s, err));
  EXPECT_EQ(s.host, "::1");
  ASSERT_TRUE(parseChannelSpec("-monitor", "none", s, err));
  EXPECT_EQ(s.kind, ChannelSpec::Kind::None);
}

TEST(ChannelSpec, Errors) {
  EXPECT_EQ(specError("tcp::99999,server,nowait"), "-qmp 'tcp::99999,server,nowait': bad port '99999' (expected 0 to 65535)");
  EXPECT_EQ(specError("tcp::http,server"), "-qmp 'tcp::http,server': bad port 'http' (expected 0 to 65535)");
  EXPECT_EQ(specError("tcp:localhost,server"), "-qmp 'tcp:localhost,server': expected tcp:[HOST]:PORT");
  EXPECT_EQ(specError("unix:/tmp/q"), "-qmp 'unix:/tmp/q': client mode (connecting out) is not supported; add ',server,nowait' to listen");
  EXPECT_EQ(specError("tcp:localhost:4444,server=off"),
            "-qmp 'tcp:localhost:4444,server=off': client mode (connecting out) is not supported; add ',server,nowait' to listen");
  EXPECT_EQ(specError("unix:,server"), "-qmp 'unix:,server': no socket path after 'unix:'");
  EXPECT_NE(specError("unix:/" + std::string(200, 'a') + ",server").find("socket path too long (201 bytes, at most 107)"), std::string::npos);
  EXPECT_EQ(specError("pty"), "-qmp 'pty': the 'pty' backend is not supported (use stdio, unix:PATH,server,nowait or tcp:[HOST]:PORT,server,nowait)");
  EXPECT_EQ(specError("telnet::4444,server", "-monitor"),
            "-monitor 'telnet::4444,server': the 'telnet' backend is not supported (use stdio, unix:PATH,server,nowait or tcp:[HOST]:PORT,server,nowait)");
  EXPECT_EQ(specError("unix:/tmp/q,server,bogus"), "-qmp 'unix:/tmp/q,server,bogus': unknown option 'bogus' (mimic knows server, nowait and wait=on|off)");
  EXPECT_EQ(specError("unix:/tmp/q,server,wait=maybe"), "-qmp 'unix:/tmp/q,server,wait=maybe': bad value 'maybe' for 'wait' (expected on or off)");
  EXPECT_EQ(specError("stdio,signal=off"), "-qmp 'stdio,signal=off': stdio takes no options");
  EXPECT_EQ(specError(""), "-qmp needs a device (use stdio, unix:PATH,server,nowait or tcp:[HOST]:PORT,server,nowait)");
}

// ---- startMonitors: errors ----

class MonitorsTest : public ::testing::Test {
 protected:
  MonitorsTest() {
    char tmpl[] = "/tmp/mimic-mon-XXXXXX";
    dir = mkdtemp(tmpl);
    machine.display = "none";  // the serial console is not on stdio
    machine.serial = {"null"};
  }
  ~MonitorsTest() override { std::system(("rm -rf " + dir).c_str()); }

  std::string startError(const std::vector<std::string>& mon, const std::vector<std::string>& qmp) {
    std::string err;
    auto m = mimic::monitor::startMonitors(mon, qmp, machine, fake, err);
    EXPECT_EQ(m, nullptr);
    return err;
  }
  std::unique_ptr<mimic::monitor::Monitors> start(const std::vector<std::string>& mon, const std::vector<std::string>& qmp) {
    std::string err;
    auto m = mimic::monitor::startMonitors(mon, qmp, machine, fake, err);
    EXPECT_NE(m, nullptr) << err;
    return m;
  }

  FakeMachineControl fake;
  mimic::hw::MachineOptions machine;
  std::string dir;
};

TEST_F(MonitorsTest, StdioConflicts) {
  machine.serial.clear();
  machine.display.clear();
  machine.nographic = true;
  EXPECT_EQ(startError({"stdio"}, {}),
            "-monitor stdio: with -nographic the terminal is the serial console; sharing it with the monitor "
            "(QEMU's Ctrl-A c) is not supported: use a socket (-monitor unix:PATH,server,nowait) or -serial null");
  EXPECT_EQ(startError({}, {"stdio"}).rfind("-qmp stdio: with -nographic the terminal is the serial console", 0), 0u);
  machine.nographic = false;
  machine.serial = {"stdio"};
  EXPECT_EQ(startError({"stdio"}, {}), "-monitor stdio: stdio is already used by -serial stdio");
  machine.serial.clear();
  EXPECT_EQ(startError({"stdio"}, {}),
            "-monitor stdio: stdio is already used by the serial console (there is no display; add -display none or -serial null)");
  machine.display = "none";
  EXPECT_EQ(startError({"stdio"}, {"stdio"}), "-qmp stdio: stdio is already used by -monitor stdio");
}

TEST_F(MonitorsTest, SocketErrors) {
  EXPECT_EQ(startError({}, {"tcp::99999,server,nowait"}), "-qmp 'tcp::99999,server,nowait': bad port '99999' (expected 0 to 65535)");
  EXPECT_EQ(startError({"unix:/nonexistent-dir/sub/m.sock,server,nowait"}, {}),
            "-monitor 'unix:/nonexistent-dir/sub/m.sock,server,nowait': cannot listen on /nonexistent-dir/sub/m.sock: No such file or directory");
  // A regular file is not replaced.
  std::string file = dir + "/plain";
  std::fclose(std::fopen(file.c_str(), "w"));
  EXPECT_EQ(startError({}, {"unix:" + file + ",server,nowait"}),
            "-qmp 'unix:" + file + ",server,nowait': " + file + " exists and is not a socket");

  // A TCP port somebody listens on.
  int busy = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(busy, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
  ASSERT_EQ(listen(busy, 1), 0);
  socklen_t len = sizeof sa;
  getsockname(busy, reinterpret_cast<sockaddr*>(&sa), &len);
  std::string port = std::to_string(ntohs(sa.sin_port));
  EXPECT_EQ(startError({"tcp:127.0.0.1:" + port + ",server,nowait"}, {}),
            "-monitor 'tcp:127.0.0.1:" + port + ",server,nowait': cannot listen on port " + port + ": Address already in use");
  close(busy);

  // A unix socket another mimic serves.
  std::string sock = dir + "/q.sock";
  auto first = start({}, {"unix:" + sock + ",server,nowait"});
  EXPECT_EQ(startError({"unix:" + sock + ",server,nowait"}, {}),
            "-monitor 'unix:" + sock + ",server,nowait': address already in use (another program listens on " + sock + ")");
  // Nothing of a failed start stays: the first error stops everything.
  std::string ok = dir + "/ok.sock";
  EXPECT_NE(startError({"unix:" + ok + ",server,nowait"}, {"tcp::99999,server,nowait"}), "");
  struct stat st;
  EXPECT_NE(stat(ok.c_str(), &st), 0);
}

TEST_F(MonitorsTest, StaleSocketFileIsReplaced) {
  std::string sock = dir + "/stale.sock";
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  std::strcpy(sa.sun_path, sock.c_str());
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
  close(fd);  // bound, never listened: what a crashed run leaves
  auto m = start({}, {"unix:" + sock + ",server,nowait"});
  m->stop();
  struct stat st;
  EXPECT_NE(stat(sock.c_str(), &st), 0) << "removed at stop, as QEMU does";
}

// ---- live channels ----

class Client {
 public:
  static Client unixSocket(const std::string& path) {
    Client c;
    c.fd_ = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::strcpy(sa.sun_path, path.c_str());
    EXPECT_EQ(connect(c.fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0) << path;
    return c;
  }
  static Client tcp(int port) {
    Client c;
    c.fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(static_cast<uint16_t>(port));
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(connect(c.fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0) << port;
    return c;
  }
  Client() = default;
  Client(Client&& o) noexcept : fd_(o.fd_), buf_(std::move(o.buf_)) { o.fd_ = -1; }
  ~Client() { close(); }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  void send(const std::string& s) { ASSERT_EQ(::send(fd_, s.data(), s.size(), MSG_NOSIGNAL), static_cast<ssize_t>(s.size())); }
  // Reads until `until` appears (returns everything up to and including it)
  // or the timeout passes (returns "").
  std::string readUntil(const std::string& until, int timeout_ms = 5000) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
      size_t at = buf_.find(until);
      if (at != std::string::npos) {
        std::string out = buf_.substr(0, at + until.size());
        buf_.erase(0, at + until.size());
        return out;
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
      if (left <= 0) return "";
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left)) <= 0) return "";
      char b[4096];
      ssize_t n = read(fd_, b, sizeof b);
      if (n <= 0) return "";
      buf_.append(b, static_cast<size_t>(n));
    }
  }
  std::string line(int timeout_ms = 5000) { return readUntil("\r\n", timeout_ms); }
  // Whether the server closed the connection.
  bool closedByPeer(int timeout_ms = 2000) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0) return false;
    char b;
    return read(fd_, &b, 1) == 0;
  }

 private:
  int fd_ = -1;
  std::string buf_;
};

TEST_F(MonitorsTest, QmpAndHmpOverUnixSockets) {
  std::string q = dir + "/q.sock", h = dir + "/h.sock";
  auto m = start({"unix:" + h + ",server,nowait"}, {"unix:" + q + ",server,nowait"});
  EXPECT_EQ(fake.listenerCount(), 1u);  // for QMP's events

  Client qc = Client::unixSocket(q);
  EXPECT_NE(qc.line().find("{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}"), std::string::npos);
  qc.send("{\"execute\": \"qmp_capabilities\"}\n");
  EXPECT_EQ(qc.line(), "{\"return\": {}}\r\n");

  Client hc = Client::unixSocket(h);
  EXPECT_NE(hc.readUntil("(qemu) ").find("monitor - type 'help' for more information\r\n"), std::string::npos);
  hc.send("info status\n");
  EXPECT_EQ(hc.readUntil("(qemu) "), "VM status: running\r\n(qemu) ");
  // HMP's stop reaches QMP as an event.
  hc.send("stop\n");
  EXPECT_EQ(hc.readUntil("(qemu) "), "(qemu) ");
  EXPECT_NE(qc.line().find("\"event\": \"STOP\""), std::string::npos);
  hc.send("x /2xw 0x80000000\r\n");
  EXPECT_EQ(hc.readUntil("(qemu) "), "80000000: 0x00000000 0x00000000\r\n(qemu) ");

  // Events the machine emits on its own (the CPU thread, here the test's).
  fake.emit({mimic::hw::MachineEvent::Kind::Reset, "guest-reset", true});
  EXPECT_NE(qc.line().find("\"event\": \"RESET\", \"data\": {\"guest\": true, \"reason\": \"guest-reset\"}"), std::string::npos);

  m->stop();
  EXPECT_TRUE(qc.closedByPeer());
  EXPECT_TRUE(hc.closedByPeer());
  EXPECT_EQ(fake.listenerCount(), 0u);
  struct stat st;
  EXPECT_NE(stat(q.c_str(), &st), 0);
  EXPECT_NE(stat(h.c_str(), &st), 0);
}

TEST_F(MonitorsTest, TheLastEventsReachTheClientBeforeStop) {
  // The guest powers off: the machine emits SHUTDOWN and run() returns at
  // once, so main stops the monitors right after; the client must still
  // hear of it.
  std::string q = dir + "/q.sock";
  auto m = start({}, {"unix:" + q + ",server,nowait"});
  Client c = Client::unixSocket(q);
  ASSERT_NE(c.line(), "");
  c.send("{\"execute\": \"qmp_capabilities\"}\n");
  ASSERT_EQ(c.line(), "{\"return\": {}}\r\n");
  fake.emit({mimic::hw::MachineEvent::Kind::Shutdown, "guest-shutdown", true});
  m->stop();
  EXPECT_NE(c.line().find("\"event\": \"SHUTDOWN\", \"data\": {\"guest\": true, \"reason\": \"guest-shutdown\"}"),
            std::string::npos);
  EXPECT_TRUE(c.closedByPeer());
}

TEST_F(MonitorsTest, OneClientAtATimeAndClientsThatLeaveMidMessage) {
  std::string q = dir + "/q.sock";
  auto m = start({}, {"unix:" + q + ",server,nowait"});
  Client a = Client::unixSocket(q);
  ASSERT_NE(a.line(), "");
  // A second client waits: no greeting while the first is connected.
  Client b = Client::unixSocket(q);
  EXPECT_EQ(b.line(300), "");
  // The first leaves in the middle of a request.
  a.send("{\"execute\": \"qmp_capabilities\"}{\"execute\": \"query-sta");
  ASSERT_EQ(a.line(), "{\"return\": {}}\r\n");
  a.close();
  // The second is served now, with a fresh session (negotiation again).
  EXPECT_NE(b.line().find("\"QMP\""), std::string::npos);
  b.send("{\"execute\": \"query-status\"}\n");
  EXPECT_NE(b.line().find("Expecting capabilities negotiation"), std::string::npos);
  b.send("{\"execute\": \"qmp_capabilities\"}\n{\"execute\": \"query-status\", \"id\": 1}\n");
  EXPECT_EQ(b.line(), "{\"return\": {}}\r\n");
  EXPECT_EQ(b.line(), "{\"return\": {\"status\": \"running\", \"singlestep\": false, \"running\": true}, \"id\": 1}\r\n");
  b.close();
  // And a third after that.
  Client c = Client::unixSocket(q);
  EXPECT_NE(c.line().find("\"QMP\""), std::string::npos);
}

TEST_F(MonitorsTest, ClientThatNeverReadsDoesNotBlockStop) {
  std::string h = dir + "/h.sock";
  auto m = start({"unix:" + h + ",server,nowait"}, {});
  Client c = Client::unixSocket(h);
  // Ask for far more output than socket buffers hold, and never read it.
  for (int i = 0; i < 64; ++i) c.send("x /65536xg 0x80000000\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto t0 = std::chrono::steady_clock::now();
  m->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
}

TEST_F(MonitorsTest, TcpChannel) {
  auto m = start({"tcp:127.0.0.1:0,server,nowait"}, {});
  ASSERT_EQ(m->ports().size(), 1u);
  Client c = Client::tcp(m->ports()[0]);
  ASSERT_NE(c.readUntil("(qemu) "), "");
  c.send("info version\n");
  EXPECT_NE(c.readUntil("(qemu) ").find("(mimic "), std::string::npos);
}

TEST_F(MonitorsTest, WaitBlocksUntilTheFirstClient) {
  std::string q = dir + "/w.sock";
  std::promise<std::unique_ptr<mimic::monitor::Monitors>> started;
  std::thread t([&] {
    std::string err;
    started.set_value(mimic::monitor::startMonitors({}, {"unix:" + q + ",server"}, machine, fake, err));
  });
  auto fut = started.get_future();
  struct stat st;
  for (int i = 0; i < 200 && stat(q.c_str(), &st) != 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(fut.wait_for(std::chrono::milliseconds(200)), std::future_status::timeout);
  Client c = Client::unixSocket(q);
  ASSERT_EQ(fut.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  auto m = fut.get();
  t.join();
  ASSERT_NE(m, nullptr);
  EXPECT_NE(c.line().find("\"QMP\""), std::string::npos);  // the waiting client is served first
}

}  // namespace
