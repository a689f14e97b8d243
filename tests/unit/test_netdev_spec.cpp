#include "net/netdev_spec.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "net/slirp_backend.h"

using namespace mimic::net;

namespace {

constexpr uint32_t ip(int a, int b, int c, int d) { return uint32_t(a) << 24 | uint32_t(b) << 16 | uint32_t(c) << 8 | uint32_t(d); }

NetConfig parsed(std::initializer_list<std::pair<const char*, const char*>> opts, bool finalize = true,
                 bool apply_default = true) {
  NetConfig cfg;
  std::string err;
  for (auto& [opt, arg] : opts) {
    bool ok = false;
    std::string o = opt;
    if (o == "-netdev") ok = parseNetdevOption(arg, cfg, err);
    if (o == "-nic") ok = parseNicOption(arg, cfg, err);
    if (o == "-net") ok = parseNetOption(arg, cfg, err);
    if (o == "-device") ok = parseNetDeviceOption(arg, cfg, err);
    EXPECT_TRUE(ok) << opt << " " << arg << ": " << err;
  }
  if (finalize) {
    EXPECT_TRUE(finalizeNetConfig(cfg, apply_default, err)) << err;
  }
  return cfg;
}

// The error of the last option (the others must parse).
std::string errorOf(std::initializer_list<std::pair<const char*, const char*>> opts) {
  NetConfig cfg;
  std::string err;
  size_t i = 0;
  for (auto& [opt, arg] : opts) {
    std::string o = opt;
    bool ok = false;
    err.clear();
    if (o == "-netdev") ok = parseNetdevOption(arg, cfg, err);
    if (o == "-nic") ok = parseNicOption(arg, cfg, err);
    if (o == "-net") ok = parseNetOption(arg, cfg, err);
    if (o == "-device") ok = parseNetDeviceOption(arg, cfg, err);
    if (o == "finalize") ok = finalizeNetConfig(cfg, true, err);
    if (++i < opts.size()) {
      EXPECT_TRUE(ok) << opt << " " << arg << ": " << err;
    } else {
      EXPECT_FALSE(ok) << opt << " " << arg;
      EXPECT_EQ(err.find('\n'), std::string::npos) << err;
      EXPECT_FALSE(err.empty());
    }
  }
  return err;
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

TEST(NetdevSpec, UserDefaultsAreQemus) {
  NetConfig cfg = parsed({{"-netdev", "user,id=n0"}, {"-device", "pcnet,netdev=n0"}});
  ASSERT_EQ(cfg.netdevs.size(), 1u);
  const UserNetOptions& u = cfg.netdevs[0].user;
  EXPECT_EQ(cfg.netdevs[0].id, "n0");
  EXPECT_EQ(u.net, ip(10, 0, 2, 0));
  EXPECT_EQ(u.mask, 0xffffff00u);
  EXPECT_EQ(u.host, ip(10, 0, 2, 2));
  EXPECT_EQ(u.dns, ip(10, 0, 2, 3));
  EXPECT_EQ(u.dhcp_start, ip(10, 0, 2, 15));
  EXPECT_TRUE(u.ipv4);
  EXPECT_TRUE(u.ipv6);
  EXPECT_FALSE(u.restricted);
  ASSERT_EQ(cfg.nics.size(), 1u);
  EXPECT_EQ(cfg.nics[0].netdev, "n0");
  EXPECT_EQ(cfg.nics[0].model, "pcnet");
  ASSERT_TRUE(cfg.nics[0].mac.has_value());
  EXPECT_EQ(*cfg.nics[0].mac, kDefaultMac);
  EXPECT_TRUE(cfg.warnings.empty());
}

TEST(NetdevSpec, UserOptions) {
  NetConfig cfg = parsed({{"-netdev",
                           "user,id=net0,net=192.168.76.0/24,hostname=guest,,one,restrict=on,ipv6=off,"
                           "domainname=example.org,dnssearch=a.org,dnssearch=b.org,tftp=/srv,bootfile=pxe.0"},
                          {"-device", "pcnet,netdev=net0"}});
  const UserNetOptions& u = cfg.netdevs[0].user;
  EXPECT_EQ(u.net, ip(192, 168, 76, 0));
  EXPECT_EQ(u.host, ip(192, 168, 76, 2));
  EXPECT_EQ(u.dns, ip(192, 168, 76, 3));
  EXPECT_EQ(u.dhcp_start, ip(192, 168, 76, 15));
  EXPECT_EQ(u.hostname, "guest,one");  // ",," is a comma
  EXPECT_TRUE(u.restricted);
  EXPECT_FALSE(u.ipv6);
  EXPECT_EQ(u.domainname, "example.org");
  EXPECT_EQ(u.dnssearch, (std::vector<std::string>{"a.org", "b.org"}));
  EXPECT_EQ(u.tftp, "/srv");
  EXPECT_EQ(u.bootfile, "pxe.0");

  cfg = parsed({{"-netdev", "user,id=a,net=10.1.0.0/255.255.0.0,host=10.1.2.1,dhcpstart=10.1.5.100,dns=10.1.2.53"},
                {"-device", "pcnet,netdev=a"}});
  const UserNetOptions& v = cfg.netdevs[0].user;
  EXPECT_EQ(v.mask, 0xffff0000u);
  EXPECT_EQ(v.host, ip(10, 1, 2, 1));
  EXPECT_EQ(v.dhcp_start, ip(10, 1, 5, 100));
  EXPECT_EQ(v.dns, ip(10, 1, 2, 53));
  // Without a mask, the class decides (10/8).
  cfg = parsed({{"-netdev", "user,id=a,net=10.9.0.0"}, {"-device", "pcnet,netdev=a"}});
  EXPECT_EQ(cfg.netdevs[0].user.mask, 0xff000000u);
  EXPECT_EQ(cfg.netdevs[0].user.net, ip(10, 0, 0, 0));
  // restrict spellings.
  for (const char* yes : {"on", "yes", "y", "true"}) {
    NetConfig c;
    std::string err;
    ASSERT_TRUE(parseNetdevOption(std::string("user,id=r,restrict=") + yes, c, err)) << err;
    EXPECT_TRUE(c.netdevs[0].user.restricted);
  }
}

TEST(NetdevSpec, HostForwarding) {
  NetConfig cfg = parsed({{"-netdev", "user,id=n0,hostfwd=tcp::5555-:22,hostfwd=udp:127.0.0.1:6000-10.0.2.20:53"},
                          {"-device", "pcnet,netdev=n0"}});
  const std::vector<HostFwd>& f = cfg.netdevs[0].user.hostfwd;
  ASSERT_EQ(f.size(), 2u);
  EXPECT_FALSE(f[0].udp);
  EXPECT_EQ(f[0].host_addr, 0u);
  EXPECT_EQ(f[0].host_port, 5555);
  EXPECT_EQ(f[0].guest_addr, ip(10, 0, 2, 15));  // defaults to dhcpstart
  EXPECT_EQ(f[0].guest_port, 22);
  EXPECT_EQ(f[0].text, "tcp::5555-:22");
  EXPECT_TRUE(f[1].udp);
  EXPECT_EQ(f[1].host_addr, ip(127, 0, 0, 1));
  EXPECT_EQ(f[1].host_port, 6000);
  EXPECT_EQ(f[1].guest_addr, ip(10, 0, 2, 20));
  EXPECT_EQ(f[1].guest_port, 53);

  HostFwd h;
  std::string err;
  EXPECT_TRUE(parseHostFwd("::8080-:80", h, err)) << err;  // empty protocol: tcp
  EXPECT_FALSE(h.udp);
  for (const char* bad : {"tcp:5555-:22", "icmp::1-:2", "tcp::99999-:22", "tcp::5555:22", "tcp::5555-:0",
                          "tcp:1.2.3.400:5-:22", "tcp::5555-10.0.2.x:22", "tcp::x-:22", "tcp::1-:", ""}) {
    err.clear();
    EXPECT_FALSE(parseHostFwd(bad, h, err)) << bad;
    EXPECT_TRUE(contains(err, "invalid host forwarding rule")) << err;
  }
  EXPECT_TRUE(contains(errorOf({{"-netdev", "user,id=n0,hostfwd=tcp::22"}}), "invalid host forwarding rule"));
}

TEST(NetdevSpec, Errors) {
  EXPECT_TRUE(contains(errorOf({{"-netdev", "tap,id=t0"}}), "only user networking is supported"));
  EXPECT_TRUE(contains(errorOf({{"-netdev", "bridge,id=t0,br=br0"}}), "only user networking is supported"));
  EXPECT_TRUE(contains(errorOf({{"-nic", "tap"}}), "only user networking is supported"));
  EXPECT_TRUE(contains(errorOf({{"-net", "socket,listen=:1234"}}), "only user networking is supported"));
  EXPECT_TRUE(contains(errorOf({{"-netdev", "id=x"}}), "missing backend type"));
  EXPECT_TRUE(contains(errorOf({{"-netdev", "user"}}), "id= is required"));
  EXPECT_TRUE(contains(errorOf({{"-netdev", "user,id=1bad"}}), "invalid id"));
  EXPECT_TRUE(contains(errorOf({{"-netdev", "user,id=n0,foo=bar"}}), "unknown option 'foo'"));
  EXPECT_TRUE(contains(errorOf({{"-netdev", "user,id=n0,guestfwd=tcp:10.0.2.100:1-cmd:x"}}), "not supported"));
  EXPECT_TRUE(contains(errorOf({{"-netdev", "user,id=n0"}, {"-netdev", "user,id=n0"}}), "duplicate id"));
  EXPECT_TRUE(contains(errorOf({{"-netdev", "user,id=n0,host=192.168.1.1"}}), "does not belong to the network"));
  EXPECT_TRUE(contains(errorOf({{"-netdev", "user,id=n0,dns=10.0.3.3"}}), "does not belong to the network"));
  EXPECT_TRUE(contains(errorOf({{"-netdev", "user,id=n0,dhcpstart=10.0.3.15"}}), "does not belong to the network"));
  EXPECT_TRUE(contains(errorOf({{"-netdev", "user,id=n0,dns=10.0.2.2"}}), "must differ"));
  EXPECT_TRUE(contains(errorOf({{"-netdev", "user,id=n0,net=10.0.2.0/40"}}), "bad netmask"));
  EXPECT_TRUE(contains(errorOf({{"-netdev", "user,id=n0,net=10.0.2.0/255.0.255.0"}}), "bad netmask"));
  EXPECT_TRUE(contains(errorOf({{"-netdev", "user,id=n0,net=nowhere"}}), "bad network address"));
  EXPECT_TRUE(contains(errorOf({{"-netdev", "user,id=n0,host=10.0.2"}}), "does not belong"));
  EXPECT_TRUE(contains(errorOf({{"-netdev", "user,id=n0,restrict=maybe"}}), "expected on or off"));
  EXPECT_TRUE(contains(errorOf({{"-netdev", "user,id=n0,ipv4=off,ipv6=off"}}), "cannot both be disabled"));
  EXPECT_TRUE(contains(errorOf({{"-nic", "user,model=e1000"}}), "unsupported NIC model 'e1000'"));
  EXPECT_TRUE(contains(errorOf({{"-nic", "user,model=help"}}), "the only NIC model is pcnet"));
  EXPECT_TRUE(contains(errorOf({{"-nic", "user,mac=01:02:03:04:05:06"}}), "multicast"));
  EXPECT_TRUE(contains(errorOf({{"-nic", "user,mac=52:54:00:12:34"}}), "bad MAC address"));
  EXPECT_TRUE(contains(errorOf({{"-nic", "user,frob=1"}}), "unknown option 'frob'"));
  EXPECT_TRUE(contains(errorOf({{"-nic", "model=pcnet,hostfwd=tcp::1-:2"}}), "unknown option 'hostfwd'"));
  EXPECT_TRUE(contains(errorOf({{"-device", "pcnet,netdev=n0,speed=10"}}), "unknown property 'speed'"));
  EXPECT_TRUE(contains(errorOf({{"-device", "pcnet,mac=zz:54:00:12:34:56"}}), "bad MAC address"));
  EXPECT_TRUE(contains(errorOf({{"-device", "e1000,netdev=n0"}}), "not a network card"));
  EXPECT_TRUE(contains(errorOf({{"-net", "nic,model=rtl8139"}}), "unsupported NIC model"));
  EXPECT_TRUE(contains(errorOf({{"-net", "nic,vlan=1"}}), "unknown option 'vlan'"));
  // References, checked by finalize.
  EXPECT_TRUE(contains(errorOf({{"-device", "pcnet,netdev=nope"}, {"finalize", ""}}), "netdev 'nope' not found"));
  EXPECT_TRUE(contains(errorOf({{"-netdev", "user,id=n0"},
                                {"-device", "pcnet,netdev=n0"},
                                {"-device", "pcnet,netdev=n0"},
                                {"finalize", ""}}),
                       "already used"));
  EXPECT_TRUE(contains(errorOf({{"-net", "nic"}, {"-net", "nic"}, {"-net", "user"}, {"finalize", ""}}),
                       "only one NIC"));
}

TEST(NetdevSpec, NicShorthand) {
  NetConfig cfg = parsed({{"-nic", "user,model=pcnet,mac=52:54:00:aa:bb:cc,hostfwd=tcp::2222-:22,hostname=vm"}});
  ASSERT_EQ(cfg.netdevs.size(), 1u);
  ASSERT_EQ(cfg.nics.size(), 1u);
  EXPECT_EQ(cfg.nics[0].netdev, cfg.netdevs[0].id);
  EXPECT_EQ(formatMac(*cfg.nics[0].mac), "52:54:00:aa:bb:cc");
  ASSERT_EQ(cfg.netdevs[0].user.hostfwd.size(), 1u);
  EXPECT_EQ(cfg.netdevs[0].user.hostfwd[0].host_port, 2222);
  EXPECT_EQ(cfg.netdevs[0].user.hostname, "vm");
  EXPECT_TRUE(cfg.warnings.empty());
  // -nic user alone; with id=; without a type: an unconnected card.
  cfg = parsed({{"-nic", "user"}, {"-nic", "user,id=second"}});
  ASSERT_EQ(cfg.nics.size(), 2u);
  EXPECT_EQ(cfg.nics[1].netdev, "second");
  EXPECT_EQ(*cfg.nics[0].mac, defaultMac(0));
  EXPECT_EQ(*cfg.nics[1].mac, defaultMac(1));
  EXPECT_EQ(formatMac(defaultMac(1)), "52:54:00:12:34:57");
  cfg = parsed({{"-nic", "model=pcnet"}});
  ASSERT_EQ(cfg.nics.size(), 1u);
  EXPECT_TRUE(cfg.nics[0].netdev.empty());
  EXPECT_EQ(cfg.warnings.size(), 1u);
}

TEST(NetdevSpec, NoneAndDefault) {
  // No network option at all: QEMU's default, one pcnet on user networking.
  NetConfig cfg = parsed({});
  ASSERT_EQ(cfg.netdevs.size(), 1u);
  ASSERT_EQ(cfg.nics.size(), 1u);
  EXPECT_EQ(cfg.nics[0].netdev, cfg.netdevs[0].id);
  EXPECT_EQ(cfg.netdevs[0].user.net, ip(10, 0, 2, 0));
  EXPECT_EQ(*cfg.nics[0].mac, kDefaultMac);
  EXPECT_EQ(cfg.netdevs[0].origin, "default");
  // -nic's backend ids cannot clash with the user's.
  cfg = parsed({{"-nic", "user"}, {"-netdev", "user,id=nic0"}, {"-device", "pcnet,netdev=nic0"}});
  EXPECT_EQ(cfg.netdevs.size(), 2u);
  EXPECT_EQ(cfg.netdevs[1].origin, "-netdev user,id=nic0");
  // -net user without a -net nic: warned about.
  cfg = parsed({{"-net", "user"}});
  ASSERT_EQ(cfg.warnings.size(), 1u);
  EXPECT_TRUE(contains(cfg.warnings[0], "-net user")) << cfg.warnings[0];
  // Not when the board's caller says so (-nodefaults).
  cfg = parsed({}, true, false);
  EXPECT_TRUE(cfg.nics.empty());
  // -nic none / -net none: no card.
  cfg = parsed({{"-nic", "none"}});
  EXPECT_TRUE(cfg.none);
  EXPECT_TRUE(cfg.nics.empty());
  EXPECT_TRUE(cfg.netdevs.empty());
  cfg = parsed({{"-net", "none"}});
  EXPECT_TRUE(cfg.none);
  EXPECT_TRUE(cfg.nics.empty());
  // A -netdev without a card: warned about.
  cfg = parsed({{"-netdev", "user,id=lonely"}});
  EXPECT_TRUE(cfg.nics.empty());
  ASSERT_EQ(cfg.warnings.size(), 1u);
  EXPECT_TRUE(contains(cfg.warnings[0], "lonely has no peer"));
}

TEST(NetdevSpec, DeviceOption) {
  EXPECT_TRUE(isNetDevice("pcnet,netdev=n0"));
  EXPECT_TRUE(isNetDevice("pcnet"));
  EXPECT_TRUE(isNetDevice("pcnet-pci,netdev=n0"));
  EXPECT_TRUE(isNetDevice("driver=pcnet,netdev=n0"));
  EXPECT_FALSE(isNetDevice("e1000,netdev=n0"));
  EXPECT_FALSE(isNetDevice("usb-kbd"));
  NetConfig cfg = parsed({{"-netdev", "user,id=n0"},
                          {"-device", "pcnet,netdev=n0,mac=52-54-00-01-02-03,id=eth0,addr=0b.0,romfile="}});
  ASSERT_EQ(cfg.nics.size(), 1u);
  EXPECT_EQ(cfg.nics[0].netdev, "n0");
  EXPECT_EQ(cfg.nics[0].id, "eth0");
  EXPECT_EQ(cfg.nics[0].addr, "0b.0");
  EXPECT_EQ(formatMac(*cfg.nics[0].mac), "52:54:00:01:02:03");
}

TEST(NetdevSpec, LegacyNet) {
  NetConfig cfg = parsed({{"-net", "nic,model=pcnet,macaddr=52:54:00:00:00:01"}, {"-net", "user,hostfwd=tcp::1234-:22"}});
  ASSERT_EQ(cfg.nics.size(), 1u);
  ASSERT_EQ(cfg.netdevs.size(), 1u);
  EXPECT_EQ(cfg.nics[0].netdev, cfg.netdevs[0].id);
  EXPECT_EQ(formatMac(*cfg.nics[0].mac), "52:54:00:00:00:01");
  EXPECT_EQ(cfg.netdevs[0].user.hostfwd.size(), 1u);
  EXPECT_TRUE(cfg.warnings.empty());
  // -net nic alone: a card without a network.
  cfg = parsed({{"-net", "nic"}});
  ASSERT_EQ(cfg.nics.size(), 1u);
  EXPECT_TRUE(cfg.nics[0].netdev.empty());
  // -net nic,netdev= names a -netdev.
  cfg = parsed({{"-netdev", "user,id=u"}, {"-net", "nic,netdev=u"}});
  EXPECT_EQ(cfg.nics[0].netdev, "u");
}

TEST(NetdevSpec, Mac) {
  MacAddr m;
  std::string err;
  EXPECT_TRUE(parseMac("52:54:00:12:34:56", m, err));
  EXPECT_EQ(m, kDefaultMac);
  EXPECT_TRUE(parseMac("52-54-00-12-34-56", m, err));
  EXPECT_EQ(m, kDefaultMac);
  EXPECT_TRUE(parseMac("2:a:b:c:d:e", m, err));
  EXPECT_EQ(formatMac(m), "02:0a:0b:0c:0d:0e");
  EXPECT_FALSE(parseMac("33:33:00:00:00:01", m, err));  // the group bit is set
  EXPECT_TRUE(contains(err, "multicast"));
  for (const char* bad : {"", "52:54:00:12:34", "52:54:00:12:34:56:78", "5254.0012.3456", "52:54:00:12:34:5g",
                          "525:54:00:12:34:56", "52:54:00:12:34:56:", "52::54:00:12:34"}) {
    err.clear();
    EXPECT_FALSE(parseMac(bad, m, err)) << bad;
    EXPECT_FALSE(err.empty());
  }
}

// ---------------------------------------------------------------------------
// The slirp backend, for real: DHCP and host forwarding.

// Collects frames like a NIC; the test thread plays the CPU thread.
class Collector : public NetFrontend {
 public:
  bool canReceive() override { return true; }
  void receive(const uint8_t* f, size_t n) override { frames.emplace_back(f, f + n); }
  std::vector<std::vector<uint8_t>> frames;
};

class SlirpRig {
 public:
  explicit SlirpRig(NetBackend& b) : backend_(b) {
    backend_.attach(&col_);
    backend_.start([this] {
      std::lock_guard<std::mutex> lock(mu_);
      kicked_ = true;
      cv_.notify_all();
    });
  }
  // Pumps frames (after notifications) until `match` accepts one, or 10 s.
  bool waitFor(const std::function<bool(const std::vector<uint8_t>&)>& match, std::vector<uint8_t>* out = nullptr) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (;;) {
      backend_.pump();
      for (size_t i = checked_; i < col_.frames.size(); i++) {
        if (match(col_.frames[i])) {
          if (out) *out = col_.frames[i];
          checked_ = i + 1;
          return true;
        }
      }
      checked_ = col_.frames.size();
      std::unique_lock<std::mutex> lock(mu_);
      if (!cv_.wait_until(lock, deadline, [this] { return kicked_; })) return false;
      kicked_ = false;
    }
  }

 private:
  NetBackend& backend_;
  Collector col_;
  size_t checked_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  bool kicked_ = false;
};

const MacAddr kGuestMac = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};

uint16_t be16(const uint8_t* p) { return uint16_t(p[0] << 8 | p[1]); }
uint32_t be32(const uint8_t* p) { return uint32_t(be16(p)) << 16 | be16(p + 2); }
void putBe16(uint8_t* p, uint16_t v) {
  p[0] = uint8_t(v >> 8);
  p[1] = uint8_t(v);
}
void putBe32(uint8_t* p, uint32_t v) {
  putBe16(p, uint16_t(v >> 16));
  putBe16(p + 2, uint16_t(v));
}

uint16_t ipChecksum(const uint8_t* p, size_t n) {
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < n; i += 2) sum += be16(p + i);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return uint16_t(~sum);
}

// Ethernet + IPv4 + UDP from 0.0.0.0:68 to 255.255.255.255:67 carrying a
// full-size BOOTP DHCPDISCOVER.
std::vector<uint8_t> dhcpDiscover(uint32_t xid) {
  constexpr size_t kBootp = 236 + 312;
  std::vector<uint8_t> f(14 + 20 + 8 + kBootp, 0);
  std::memset(f.data(), 0xff, 6);
  std::memcpy(f.data() + 6, kGuestMac.data(), 6);
  putBe16(&f[12], 0x0800);
  uint8_t* iph = &f[14];
  iph[0] = 0x45;
  putBe16(iph + 2, uint16_t(20 + 8 + kBootp));
  iph[8] = 64;
  iph[9] = 17;
  putBe32(iph + 16, 0xffffffff);
  putBe16(iph + 10, ipChecksum(iph, 20));
  uint8_t* udp = iph + 20;
  putBe16(udp, 68);
  putBe16(udp + 2, 67);
  putBe16(udp + 4, uint16_t(8 + kBootp));
  uint8_t* bp = udp + 8;
  bp[0] = 1;  // BOOTREQUEST
  bp[1] = 1;  // Ethernet
  bp[2] = 6;
  putBe32(bp + 4, xid);
  std::memcpy(bp + 28, kGuestMac.data(), 6);
  uint8_t* opt = bp + 236;
  putBe32(opt, 0x63825363);  // magic cookie
  opt[4] = 53;  // DHCP message type
  opt[5] = 1;
  opt[6] = 1;   // DISCOVER
  opt[7] = 255;
  return f;
}

TEST(SlirpBackend, DhcpOffer) {
  UserNetOptions opts;
  opts.ipv6 = false;
  std::string err;
  std::unique_ptr<SlirpBackend> b = SlirpBackend::create(opts, err);
  ASSERT_TRUE(b) << err;
  SlirpRig rig(*b);
  std::vector<uint8_t> d = dhcpDiscover(0x12345678);
  b->send(d.data(), d.size());
  std::vector<uint8_t> offer;
  bool got = rig.waitFor(
      [](const std::vector<uint8_t>& f) {
        return f.size() > 14 + 20 + 8 + 240 && be16(&f[12]) == 0x0800 && f[14 + 9] == 17 &&
               be16(&f[14 + 20]) == 67 && be16(&f[14 + 22]) == 68;
      },
      &offer);
  ASSERT_TRUE(got) << "no DHCP reply";
  const uint8_t* bp = &offer[14 + 20 + 8];
  EXPECT_EQ(bp[0], 2);  // BOOTREPLY
  EXPECT_EQ(be32(bp + 4), 0x12345678u);
  EXPECT_EQ(be32(bp + 16), ip(10, 0, 2, 15));  // yiaddr
  EXPECT_EQ(be32(bp + 236), 0x63825363u);
  // Options: message type OFFER, router 10.0.2.2, DNS 10.0.2.3.
  int type = -1;
  uint32_t router = 0, dns = 0;
  for (size_t i = 240; i + 1 < offer.size() - (14 + 20 + 8) && bp[i] != 255;) {
    if (bp[i] == 0) {
      i++;
      continue;
    }
    uint8_t code = bp[i], len = bp[i + 1];
    if (code == 53 && len == 1) type = bp[i + 2];
    if (code == 3 && len >= 4) router = be32(bp + i + 2);
    if (code == 6 && len >= 4) dns = be32(bp + i + 2);
    i += 2 + len;
  }
  EXPECT_EQ(type, 2);  // DHCPOFFER
  EXPECT_EQ(router, ip(10, 0, 2, 2));
  EXPECT_EQ(dns, ip(10, 0, 2, 3));
}

// A free local TCP port (bound, then released).
uint16_t freePort() {
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  socklen_t len = sizeof a;
  ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(s);
  return ntohs(a.sin_port);
}

TEST(SlirpBackend, HostForwardReachesTheGuest) {
  uint16_t port = freePort();
  NetConfig cfg;
  std::string err;
  ASSERT_TRUE(parseNetdevOption("user,id=n0,ipv6=off,hostfwd=tcp:127.0.0.1:" + std::to_string(port) + "-:22", cfg,
                                err))
      << err;
  std::unique_ptr<NetBackend> b = createNetBackend(cfg.netdevs[0], err);
  ASSERT_TRUE(b) << err;
  SlirpRig rig(*b);

  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  ::fcntl(s, F_SETFL, O_NONBLOCK);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int r = ::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  ASSERT_TRUE(r == 0 || errno == EINPROGRESS) << std::strerror(errno);

  // slirp first asks who has 10.0.2.15.
  std::vector<uint8_t> arp;
  ASSERT_TRUE(rig.waitFor(
      [](const std::vector<uint8_t>& f) {
        return f.size() >= 42 && be16(&f[12]) == 0x0806 && be16(&f[20]) == 1 && be32(&f[38]) == ip(10, 0, 2, 15);
      },
      &arp))
      << "no ARP request for the guest";
  std::vector<uint8_t> reply(60, 0);
  std::memcpy(&reply[0], &arp[6], 6);  // to slirp's MAC
  std::memcpy(&reply[6], kGuestMac.data(), 6);
  putBe16(&reply[12], 0x0806);
  putBe16(&reply[14], 1);
  putBe16(&reply[16], 0x0800);
  reply[18] = 6;
  reply[19] = 4;
  putBe16(&reply[20], 2);  // reply
  std::memcpy(&reply[22], kGuestMac.data(), 6);
  putBe32(&reply[28], ip(10, 0, 2, 15));
  std::memcpy(&reply[32], &arp[22], 6);
  std::memcpy(&reply[38], &arp[28], 4);
  b->send(reply.data(), reply.size());

  // Then the connection arrives as a SYN to the guest's port 22.
  std::vector<uint8_t> syn;
  ASSERT_TRUE(rig.waitFor(
      [](const std::vector<uint8_t>& f) {
        return f.size() >= 54 && be16(&f[12]) == 0x0800 && f[14 + 9] == 6 && be32(&f[14 + 16]) == ip(10, 0, 2, 15) &&
               be16(&f[14 + 20 + 2]) == 22 && (f[14 + 20 + 13] & 0x02);
      },
      &syn))
      << "no SYN for the guest";
  EXPECT_TRUE(std::equal(kGuestMac.begin(), kGuestMac.end(), syn.begin()));
  ::close(s);
}

TEST(SlirpBackend, HostForwardPortTaken) {
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(s, 1), 0);
  socklen_t len = sizeof a;
  ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  NetConfig cfg;
  std::string err;
  ASSERT_TRUE(parseNetdevOption("user,id=busy,hostfwd=tcp:127.0.0.1:" + std::to_string(ntohs(a.sin_port)) + "-:22",
                                cfg, err))
      << err;
  std::unique_ptr<NetBackend> b = createNetBackend(cfg.netdevs[0], err);
  EXPECT_FALSE(b);
  EXPECT_TRUE(contains(err, "id=busy")) << err;
  EXPECT_TRUE(contains(err, "could not set up host forwarding rule")) << err;
  EXPECT_EQ(err.find('\n'), std::string::npos);
  // Through -nic, the message names -nic.
  NetConfig cfg2;
  ASSERT_TRUE(parseNicOption("user,hostfwd=tcp:127.0.0.1:" + std::to_string(ntohs(a.sin_port)) + "-:22", cfg2, err));
  EXPECT_FALSE(createNetBackend(cfg2.netdevs[0], err));
  EXPECT_EQ(err.rfind("-nic user: could not set up host forwarding rule 'tcp:127.0.0.1:", 0), 0u) << err;
  ::close(s);
}

TEST(SlirpBackend, StartsAndStopsCleanly) {
  for (int i = 0; i < 5; i++) {
    std::string err;
    std::unique_ptr<SlirpBackend> b = SlirpBackend::create(UserNetOptions{}, err);
    ASSERT_TRUE(b) << err;
    std::vector<uint8_t> junk(20, 0xab);
    b->send(junk.data(), junk.size());
  }
}

}  // namespace
