// The network options of the command line, parsed into plain data (no
// sockets, no threads): QEMU's
//
//   -netdev user,id=ID[,net=ADDR[/MASK]][,host=ADDR][,dhcpstart=ADDR][,dns=ADDR]
//          [,hostname=NAME][,domainname=NAME][,dnssearch=DOMAIN]...[,restrict=on|off]
//          [,ipv4=on|off][,ipv6=on|off][,tftp=DIR][,bootfile=FILE]
//          [,hostfwd=tcp|udp:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT]...
//   -nic user[,id=ID][,model=pcnet][,mac=MAC][,<any -netdev user option>]
//   -nic none
//   -device pcnet,netdev=ID[,mac=MAC][,id=NAME][,addr=SLOT[.FN]]
//   -net nic[,model=pcnet][,macaddr=MAC][,netdev=ID][,name=NAME]   (legacy)
//   -net user[,<-netdev user options>]                            (legacy)
//   -net none
//
// Only user-mode networking exists: any other backend type is an error.
// Values use QEMU's option syntax: comma-separated key=value pairs, ",,"
// stands for a comma inside a value, the first element may be the type
// (or the driver for -device) without "type=".
//
// The parse functions add to a NetConfig; finalizeNetConfig() then checks
// the references between NICs and backends and applies QEMU's default (no
// network option at all: one NIC on user networking, like "-nic user").
// Errors are one line without the "mimic: error: " prefix.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/net_backend.h"

namespace mimic::net {

// A host forwarding rule (hostfwd=). Addresses are IPv4 in host byte order.
struct HostFwd {
  bool udp = false;
  uint32_t host_addr = 0;    // 0: any local address
  uint16_t host_port = 0;    // 0: any free port
  uint32_t guest_addr = 0;   // after parseNetdevOption: never 0 (defaults to dhcpstart)
  uint16_t guest_port = 0;
  std::string text;          // the rule as written, for messages
};

// -netdev user's settings, defaulting as QEMU's: network 10.0.2.0/24,
// gateway/host 10.0.2.2, DNS 10.0.2.3, first DHCP address 10.0.2.15, IPv6
// on with prefix fec0::/64 (host fec0::2, DNS fec0::3).
struct UserNetOptions {
  uint32_t net = 0x0a000200;
  uint32_t mask = 0xffffff00;
  uint32_t host = 0x0a000202;
  uint32_t dhcp_start = 0x0a00020f;
  uint32_t dns = 0x0a000203;
  bool ipv4 = true;
  bool ipv6 = true;
  bool restricted = false;   // restrict=on: the guest cannot reach outside (hostfwd still works)
  std::string hostname;      // sent to the guest by DHCP
  std::string domainname;
  std::vector<std::string> dnssearch;
  std::string tftp;          // root directory of the built-in TFTP server
  std::string bootfile;      // BOOTP boot file name
  std::vector<HostFwd> hostfwd;
};

// One backend (-netdev, or the one a -nic / -net user implies).
struct NetdevSpec {
  std::string id;        // -nic / -net user without id= get "__nic0", "__user0"...
  UserNetOptions user;
  bool legacy = false;   // from -net user: the backend of the -net nic cards
  std::string origin;    // "-netdev user,id=ID", "-nic user", "-net user" or "default", for messages
};

// One network card.
struct NicSpec {
  std::string model = "pcnet";   // the only model: the Malta board's Am79C970A
  std::string netdev;            // the backend's id; empty: not connected
  std::optional<MacAddr> mac;    // unset until finalizeNetConfig gives defaultMac(n)
  std::string id;                // -device id= / -net nic name=, may be empty
  std::string addr;              // -device addr= as written (PCI slot[.function]), may be empty
  std::string origin;            // "-nic", "-device" or "-net nic", for messages
  bool legacy = false;           // from -net nic without netdev=: joins the -net user backend
};

struct NetConfig {
  std::vector<NetdevSpec> netdevs;
  std::vector<NicSpec> nics;
  bool none = false;          // -nic none or -net none
  bool configured = false;    // some network option was given (QEMU's default is off)
  std::vector<std::string> warnings;  // from finalizeNetConfig, one line each
};

// The option's argument (what follows -netdev, -nic, -net, -device).
bool parseNetdevOption(std::string_view arg, NetConfig& cfg, std::string& err);
bool parseNicOption(std::string_view arg, NetConfig& cfg, std::string& err);
bool parseNetOption(std::string_view arg, NetConfig& cfg, std::string& err);
// -device: isNetDevice() tells whether the driver is a NIC this file
// parses ("pcnet", also accepted as "pcnet-pci"); other drivers are not
// this file's business.
bool isNetDevice(std::string_view device_arg);
bool parseNetDeviceOption(std::string_view arg, NetConfig& cfg, std::string& err);

// After all options: connects legacy -net NICs to the -net user backend,
// checks that every netdev= names a backend used by one NIC only, warns
// about backends without a NIC and NICs without a backend, (when
// `apply_default` and no network option was given) adds QEMU's default: one
// pcnet on user networking with the default settings (backend id
// "__default"), and gives each NIC without mac= the next default MAC
// (52:54:00:12:34:56, ...:57, ...). Every NIC's mac is set afterwards.
bool finalizeNetConfig(NetConfig& cfg, bool apply_default, std::string& err);

// Helpers, exposed for tests and messages.
// "52:54:00:12:34:56" (or with '-'); multicast addresses are refused.
bool parseMac(std::string_view text, MacAddr& mac, std::string& err);
std::string formatMac(const MacAddr& mac);
// "tcp:127.0.0.1:5555-10.0.2.15:22"; an empty guest address is left 0.
bool parseHostFwd(std::string_view rule, HostFwd& fwd, std::string& err);
// Dotted quad (as inet_aton) to host byte order.
bool parseIpv4(std::string_view text, uint32_t& addr);
std::string formatIpv4(uint32_t addr);
// The MAC of NIC number `index` when none was given: QEMU's scheme,
// 52:54:00:12:34:56 + index in the last byte.
MacAddr defaultMac(int index);

}  // namespace mimic::net
