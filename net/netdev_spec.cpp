#include "net/netdev_spec.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <utility>

#include <fmt/format.h>

namespace mimic::net {

namespace {

using KeyValues = std::vector<std::pair<std::string, std::string>>;

// QEMU's option syntax: "first,key=value,key=value"; ",," is a literal
// comma. The first element may lack "key=": it is then returned under
// `implied_key`. Later elements without '=' mean "key=on".
bool splitOptions(std::string_view arg, const char* implied_key, KeyValues& out, std::string& err) {
  std::vector<std::string> parts;
  std::string cur;
  for (size_t i = 0; i < arg.size(); i++) {
    char c = arg[i];
    if (c == ',') {
      if (i + 1 < arg.size() && arg[i + 1] == ',') {
        cur += ',';
        i++;
        continue;
      }
      parts.push_back(std::move(cur));
      cur.clear();
      continue;
    }
    cur += c;
  }
  parts.push_back(std::move(cur));
  for (size_t i = 0; i < parts.size(); i++) {
    const std::string& p = parts[i];
    if (p.empty()) {
      if (i + 1 == parts.size() && i > 0) continue;  // a trailing comma
      err = "empty option";
      return false;
    }
    size_t eq = p.find('=');
    if (eq == std::string::npos) {
      if (i == 0 && implied_key) {
        out.emplace_back(implied_key, p);
      } else {
        out.emplace_back(p, "on");
      }
      continue;
    }
    if (eq == 0) {
      err = fmt::format("missing option name in '{}'", p);
      return false;
    }
    out.emplace_back(p.substr(0, eq), p.substr(eq + 1));
  }
  return true;
}

bool parseBool(const std::string& v, bool& out) {
  if (v == "on" || v == "yes" || v == "y" || v == "true") {
    out = true;
    return true;
  }
  if (v == "off" || v == "no" || v == "n" || v == "false") {
    out = false;
    return true;
  }
  return false;
}

bool parsePort(std::string_view s, int min, uint16_t& port) {
  if (s.empty() || s.size() > 5) return false;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  if (v < min || v > 65535) return false;
  port = static_cast<uint16_t>(v);
  return true;
}

// QEMU's identifiers: a letter, then letters, digits, '-', '.', '_'.
bool validId(const std::string& id) {
  if (id.empty() || !std::isalpha(static_cast<unsigned char>(id[0]))) return false;
  for (char c : id)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.' && c != '_') return false;
  return true;
}

bool idTaken(const NetConfig& cfg, const std::string& id) {
  for (const NetdevSpec& d : cfg.netdevs)
    if (d.id == id) return true;
  return false;
}

// The classful mask QEMU gives net=ADDR without /MASK.
uint32_t defaultMask(uint32_t a) {
  if (!(a & 0x80000000u)) return 0xff000000u;                 // class A
  if ((a & 0xfff00000u) == 0xac100000u) return 0xfff00000u;  // 172.16/12
  if ((a & 0xc0000000u) == 0x80000000u) return 0xffff0000u;  // class B
  if ((a & 0xffff0000u) == 0xc0a80000u) return 0xffff0000u;  // 192.168/16
  if ((a & 0xfffe0000u) == 0xc6120000u) return 0xfffe0000u;  // 198.18/15
  if ((a & 0xe0000000u) == 0xc0000000u) return 0xffffff00u;  // class C
  return 0xfffffff0u;
}

bool parseNetAndMask(const std::string& v, uint32_t& net, uint32_t& mask, std::string& err) {
  size_t slash = v.find('/');
  std::string addr = v.substr(0, slash);
  if (!parseIpv4(addr, net)) {
    err = fmt::format("net={}: bad network address", v);
    return false;
  }
  if (slash == std::string::npos) {
    mask = defaultMask(net);
  } else {
    std::string m = v.substr(slash + 1);
    bool numeric = !m.empty() && m.size() <= 2 &&
                   std::all_of(m.begin(), m.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (numeric) {
      int bits = std::stoi(m);
      if (bits < 4 || bits > 32) {
        err = fmt::format("net={}: bad netmask", v);
        return false;
      }
      mask = bits == 32 ? 0xffffffffu : ~(0xffffffffu >> bits);
    } else if (!parseIpv4(m, mask) || (~mask & (~mask + 1)) != 0 || mask == 0) {
      err = fmt::format("net={}: bad netmask", v);
      return false;
    }
  }
  net &= mask;
  return true;
}

// Applies one -netdev user option; false with err set when the key is
// not a user networking option (`unknown` set) or its value is bad.
bool userOption(const std::string& key, const std::string& value, UserNetOptions& u, bool& have_host,
                bool& have_dhcp, bool& have_dns, bool& unknown, std::string& err) {
  unknown = false;
  if (key == "net") return parseNetAndMask(value, u.net, u.mask, err);
  if (key == "host" || key == "dhcpstart" || key == "dns") {
    uint32_t a;
    if (!parseIpv4(value, a)) {
      err = fmt::format("{}={}: bad IPv4 address", key, value);
      return false;
    }
    if (key == "host") {
      u.host = a;
      have_host = true;
    } else if (key == "dhcpstart") {
      u.dhcp_start = a;
      have_dhcp = true;
    } else {
      u.dns = a;
      have_dns = true;
    }
    return true;
  }
  if (key == "restrict" || key == "ipv4" || key == "ipv6") {
    bool b;
    if (!parseBool(value, b)) {
      err = fmt::format("{}={}: expected on or off", key, value);
      return false;
    }
    (key == "restrict" ? u.restricted : key == "ipv4" ? u.ipv4 : u.ipv6) = b;
    return true;
  }
  if (key == "hostname") {
    u.hostname = value;
    return true;
  }
  if (key == "domainname") {
    u.domainname = value;
    return true;
  }
  if (key == "dnssearch") {
    u.dnssearch.push_back(value);
    return true;
  }
  if (key == "tftp") {
    u.tftp = value;
    return true;
  }
  if (key == "bootfile") {
    u.bootfile = value;
    return true;
  }
  if (key == "hostfwd") {
    HostFwd f;
    if (!parseHostFwd(value, f, err)) return false;
    u.hostfwd.push_back(std::move(f));
    return true;
  }
  if (key == "guestfwd" || key == "smb" || key == "smbserver" || key == "ipv6-net" || key == "ipv6-prefix" ||
      key == "ipv6-prefixlen" || key == "ipv6-host" || key == "ipv6-dns" || key == "tftp-server-name") {
    err = fmt::format("user networking option '{}' is not supported", key);
    return false;
  }
  unknown = true;
  err = fmt::format("unknown option '{}'", key);
  return false;
}

// Defaults derived from net=, then QEMU's consistency checks.
bool finishUserOptions(UserNetOptions& u, bool have_host, bool have_dhcp, bool have_dns, std::string& err) {
  if (!u.ipv4 && !u.ipv6) {
    err = "IPv4 and IPv6 cannot both be disabled";
    return false;
  }
  if (!have_host) u.host = u.net | 2;
  if (!have_dns) u.dns = u.net | 3;
  if (!have_dhcp) u.dhcp_start = u.net | 15;
  auto inNet = [&](uint32_t a) { return (a & u.mask) == u.net; };
  if (!inNet(u.host)) {
    err = fmt::format("host={} does not belong to the network {}", formatIpv4(u.host), formatIpv4(u.net));
    return false;
  }
  if (!inNet(u.dns)) {
    err = fmt::format("dns={} does not belong to the network {}", formatIpv4(u.dns), formatIpv4(u.net));
    return false;
  }
  if (!inNet(u.dhcp_start)) {
    err = fmt::format("dhcpstart={} does not belong to the network {}", formatIpv4(u.dhcp_start),
                      formatIpv4(u.net));
    return false;
  }
  if (u.dns == u.host) {
    err = "dns= must differ from host=";
    return false;
  }
  if (u.dhcp_start == u.host || u.dhcp_start == u.dns) {
    err = "dhcpstart= must differ from host= and dns=";
    return false;
  }
  for (HostFwd& f : u.hostfwd)
    if (f.guest_addr == 0) f.guest_addr = u.dhcp_start;
  return true;
}

bool parseModel(const std::string& origin, const std::string& model, std::string& err) {
  if (model == "pcnet" || model == "pcnet-pci") return true;
  if (model == "help" || model == "?") {
    err = fmt::format("{}: the only NIC model is pcnet", origin);
  } else {
    err = fmt::format("{}: unsupported NIC model '{}' (supported: pcnet)", origin, model);
  }
  return false;
}

bool parseMacValue(const std::string& origin, const std::string& v, std::optional<MacAddr>& out, std::string& err) {
  MacAddr m;
  std::string why;
  if (!parseMac(v, m, why)) {
    err = fmt::format("{}: {}", origin, why);
    return false;
  }
  out = m;
  return true;
}

std::string backendTypeError(const std::string& origin, const std::string& type) {
  return fmt::format("{} {}: only user networking is supported", origin, type);
}

}  // namespace

bool parseIpv4(std::string_view text, uint32_t& addr) {
  std::string s(text);
  if (s.empty()) return false;
  in_addr a{};
  if (!inet_aton(s.c_str(), &a)) return false;
  addr = ntohl(a.s_addr);
  return true;
}

std::string formatIpv4(uint32_t a) {
  return fmt::format("{}.{}.{}.{}", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
}

bool parseMac(std::string_view text, MacAddr& mac, std::string& err) {
  size_t pos = 0;
  for (int i = 0; i < 6; i++) {
    int digits = 0, v = 0;
    while (pos < text.size() && digits < 3 && std::isxdigit(static_cast<unsigned char>(text[pos]))) {
      char c = static_cast<char>(std::tolower(static_cast<unsigned char>(text[pos])));
      v = v * 16 + (c <= '9' ? c - '0' : c - 'a' + 10);
      digits++;
      pos++;
    }
    bool sep_ok = i == 5 ? pos == text.size() : pos < text.size() && (text[pos] == ':' || text[pos] == '-');
    if (digits == 0 || digits > 2 || !sep_ok) {
      err = fmt::format("bad MAC address '{}' (expected six hex bytes like 52:54:00:12:34:56)", text);
      return false;
    }
    mac[i] = static_cast<uint8_t>(v);
    pos++;
  }
  if (mac[0] & 1) {
    err = fmt::format("MAC address '{}' is a multicast address", text);
    return false;
  }
  return true;
}

std::string formatMac(const MacAddr& m) {
  return fmt::format("{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", m[0], m[1], m[2], m[3], m[4], m[5]);
}

MacAddr defaultMac(int index) {
  MacAddr m = kDefaultMac;
  m[5] = static_cast<uint8_t>(m[5] + index);
  return m;
}

bool parseHostFwd(std::string_view rule, HostFwd& fwd, std::string& err) {
  auto fail = [&](const char* why) {
    err = fmt::format("invalid host forwarding rule '{}' ({})", rule, why);
    return false;
  };
  HostFwd f;
  f.text = std::string(rule);
  std::string_view p = rule;
  size_t c = p.find(':');
  if (c == std::string_view::npos) return fail("missing : after the protocol");
  std::string_view proto = p.substr(0, c);
  if (proto == "tcp" || proto.empty()) {
    f.udp = false;
  } else if (proto == "udp") {
    f.udp = true;
  } else {
    return fail("bad protocol name: tcp or udp");
  }
  p.remove_prefix(c + 1);
  c = p.find(':');
  if (c == std::string_view::npos) return fail("missing : after the host address");
  if (c > 0 && !parseIpv4(p.substr(0, c), f.host_addr)) return fail("bad host address");
  p.remove_prefix(c + 1);
  c = p.find('-');
  if (c == std::string_view::npos) return fail("missing - separator");
  if (!parsePort(p.substr(0, c), 0, f.host_port)) return fail("bad host port");
  p.remove_prefix(c + 1);
  c = p.find(':');
  if (c == std::string_view::npos) return fail("missing : before the guest port");
  if (c > 0 && !parseIpv4(p.substr(0, c), f.guest_addr)) return fail("bad guest address");
  p.remove_prefix(c + 1);
  if (!parsePort(p, 1, f.guest_port)) return fail("bad guest port");
  fwd = std::move(f);
  return true;
}

bool parseNetdevOption(std::string_view arg, NetConfig& cfg, std::string& err) {
  KeyValues kv;
  std::string why;
  if (!splitOptions(arg, "type", kv, why)) {
    err = fmt::format("-netdev {}: {}", arg, why);
    return false;
  }
  std::string type;
  for (auto& [k, v] : kv)
    if (k == "type") type = v;
  if (type.empty()) {
    err = "-netdev: missing backend type (only user networking is supported: -netdev user,id=ID)";
    return false;
  }
  if (type != "user") {
    err = backendTypeError("-netdev", type);
    return false;
  }
  NetdevSpec d;
  bool have_host = false, have_dhcp = false, have_dns = false, unknown = false;
  for (auto& [k, v] : kv) {
    if (k == "type") continue;
    if (k == "id") {
      d.id = v;
      continue;
    }
    if (!userOption(k, v, d.user, have_host, have_dhcp, have_dns, unknown, why)) {
      err = "-netdev user: " + why;
      return false;
    }
  }
  if (d.id.empty()) {
    err = "-netdev user: id= is required";
    return false;
  }
  if (!validId(d.id)) {
    err = fmt::format("-netdev user: invalid id '{}' (a letter, then letters, digits, '-', '.', '_')", d.id);
    return false;
  }
  if (idTaken(cfg, d.id)) {
    err = fmt::format("-netdev user: duplicate id '{}'", d.id);
    return false;
  }
  if (!finishUserOptions(d.user, have_host, have_dhcp, have_dns, why)) {
    err = "-netdev user: " + why;
    return false;
  }
  d.origin = "-netdev user,id=" + d.id;
  cfg.netdevs.push_back(std::move(d));
  cfg.configured = true;
  return true;
}

namespace {

// Splits an option's argument and finds its type (the first element or
// type=); errors name the option ("-nic ARG: ...").
bool splitTyped(const char* option, std::string_view arg, KeyValues& kv, std::string& type, std::string& err) {
  std::string why;
  if (!splitOptions(arg, "type", kv, why)) {
    err = fmt::format("{} {}: {}", option, arg, why);
    return false;
  }
  type.clear();
  for (auto& [k, v] : kv)
    if (k == "type") type = v;
  return true;
}

// A backend that -nic or -net user creates: the id given (checked, when
// `check_valid`, against the -netdev rules) or a generated one ("__nic0",
// "__user0": not valid user ids, so they never clash with one).
bool nameImplicitBackend(const NetConfig& cfg, NetdevSpec& d, const char* prefix, const std::string& origin,
                         bool check_valid, std::string& err) {
  if (d.id.empty()) {
    int n = 0;
    do d.id = fmt::format("{}{}", prefix, n++);
    while (idTaken(cfg, d.id));
    return true;
  }
  if (check_valid && !validId(d.id)) {
    err = fmt::format("{}: invalid id '{}'", origin, d.id);
    return false;
  }
  if (idTaken(cfg, d.id)) {
    err = fmt::format("{}: duplicate id '{}'", origin, d.id);
    return false;
  }
  return true;
}

}  // namespace

bool parseNicOption(std::string_view arg, NetConfig& cfg, std::string& err) {
  KeyValues kv;
  std::string why, type;
  if (!splitTyped("-nic", arg, kv, type, err)) return false;
  if (type == "none") {
    if (kv.size() > 1) {
      err = "-nic none: takes no options";
      return false;
    }
    cfg.none = true;
    cfg.configured = true;
    return true;
  }
  if (!type.empty() && type != "user") {
    err = backendTypeError("-nic", type);
    return false;
  }
  std::string origin = type.empty() ? "-nic" : "-nic " + type;
  NicSpec nic;
  nic.origin = "-nic";
  NetdevSpec d;
  bool have_host = false, have_dhcp = false, have_dns = false, unknown = false;
  for (auto& [k, v] : kv) {
    if (k == "type") continue;
    if (k == "id") {
      d.id = v;
    } else if (k == "model") {
      if (!parseModel(origin, v, err)) return false;
    } else if (k == "mac") {
      if (!parseMacValue(origin, v, nic.mac, err)) return false;
    } else if (type.empty()) {
      err = fmt::format("{}: unknown option '{}'", origin, k);
      return false;
    } else if (!userOption(k, v, d.user, have_host, have_dhcp, have_dns, unknown, why)) {
      err = origin + ": " + why;
      return false;
    }
  }
  if (!type.empty()) {
    d.origin = origin;
    if (!nameImplicitBackend(cfg, d, "__nic", origin, true, err)) return false;
    if (!finishUserOptions(d.user, have_host, have_dhcp, have_dns, why)) {
      err = origin + ": " + why;
      return false;
    }
    nic.netdev = d.id;
    cfg.netdevs.push_back(std::move(d));
  }
  cfg.nics.push_back(std::move(nic));
  cfg.configured = true;
  return true;
}

bool parseNetOption(std::string_view arg, NetConfig& cfg, std::string& err) {
  KeyValues kv;
  std::string why, type;
  if (!splitTyped("-net", arg, kv, type, err)) return false;
  if (type == "none") {
    cfg.none = true;
    cfg.configured = true;
    return true;
  }
  if (type == "nic") {
    NicSpec nic;
    nic.origin = "-net nic";
    for (auto& [k, v] : kv) {
      if (k == "type") continue;
      if (k == "model") {
        if (!parseModel("-net nic", v, err)) return false;
      } else if (k == "macaddr" || k == "mac") {
        if (!parseMacValue("-net nic", v, nic.mac, err)) return false;
      } else if (k == "netdev") {
        nic.netdev = v;
      } else if (k == "name" || k == "id") {
        nic.id = v;
      } else if (k == "addr") {
        nic.addr = v;
      } else if (k == "vectors") {
        // MSI-X vectors: pcnet has none; accepted and ignored.
      } else {
        err = fmt::format("-net nic: unknown option '{}'", k);
        return false;
      }
    }
    nic.legacy = nic.netdev.empty();
    cfg.nics.push_back(std::move(nic));
    cfg.configured = true;
    return true;
  }
  if (type.empty()) {
    err = "-net: missing type (nic, user or none)";
    return false;
  }
  if (type != "user") {
    err = backendTypeError("-net", type);
    return false;
  }
  NetdevSpec d;
  d.legacy = true;
  d.origin = "-net user";
  bool have_host = false, have_dhcp = false, have_dns = false, unknown = false;
  for (auto& [k, v] : kv) {
    if (k == "type") continue;
    if (k == "id" || k == "name") {
      d.id = v;
    } else if (!userOption(k, v, d.user, have_host, have_dhcp, have_dns, unknown, why)) {
      err = "-net user: " + why;
      return false;
    }
  }
  if (!nameImplicitBackend(cfg, d, "__user", "-net user", false, err)) return false;
  if (!finishUserOptions(d.user, have_host, have_dhcp, have_dns, why)) {
    err = "-net user: " + why;
    return false;
  }
  cfg.netdevs.push_back(std::move(d));
  cfg.configured = true;
  return true;
}

bool isNetDevice(std::string_view device_arg) {
  KeyValues kv;
  std::string why;
  if (!splitOptions(device_arg, "driver", kv, why)) return false;
  for (auto& [k, v] : kv)
    if (k == "driver") return v == "pcnet" || v == "pcnet-pci";
  return false;
}

bool parseNetDeviceOption(std::string_view arg, NetConfig& cfg, std::string& err) {
  KeyValues kv;
  std::string why;
  if (!splitOptions(arg, "driver", kv, why)) {
    err = fmt::format("-device {}: {}", arg, why);
    return false;
  }
  NicSpec nic;
  nic.origin = "-device pcnet";
  std::string driver;
  for (auto& [k, v] : kv) {
    if (k == "driver") {
      driver = v;
    } else if (k == "netdev") {
      nic.netdev = v;
    } else if (k == "mac") {
      if (!parseMacValue("-device pcnet", v, nic.mac, err)) return false;
    } else if (k == "id") {
      nic.id = v;
    } else if (k == "addr") {
      nic.addr = v;
    } else if (k == "bus" || k == "romfile" || k == "bootindex") {
      // Accepted for QEMU command lines; mimic has one bus and no option ROMs.
    } else {
      err = fmt::format("-device pcnet: unknown property '{}'", k);
      return false;
    }
  }
  if (driver != "pcnet" && driver != "pcnet-pci") {
    err = fmt::format("-device '{}' is not a network card mimic has (supported: pcnet)", driver);
    return false;
  }
  cfg.nics.push_back(std::move(nic));
  cfg.configured = true;
  return true;
}

bool finalizeNetConfig(NetConfig& cfg, bool apply_default, std::string& err) {
  if (!cfg.configured && apply_default) {
    NetdevSpec d;
    d.id = "__default";
    d.origin = "default";
    cfg.netdevs.push_back(d);
    NicSpec nic;
    nic.netdev = d.id;
    nic.origin = "default";
    cfg.nics.push_back(nic);
  }
  // Legacy -net nic cards share QEMU's hub 0 with the -net user backends;
  // here one card can be on it.
  const NetdevSpec* legacy_backend = nullptr;
  for (const NetdevSpec& d : cfg.netdevs)
    if (d.legacy && !legacy_backend) legacy_backend = &d;
  int legacy_nics = 0;
  for (NicSpec& n : cfg.nics) {
    if (!n.legacy) continue;
    if (++legacy_nics > 1) {
      err = "-net nic: only one NIC can be on the -net user network (use -netdev and -device)";
      return false;
    }
    if (legacy_backend) n.netdev = legacy_backend->id;
  }
  std::set<std::string> used;
  for (size_t i = 0; i < cfg.nics.size(); i++) {
    NicSpec& n = cfg.nics[i];
    if (n.netdev.empty()) {
      cfg.warnings.push_back(fmt::format("{}: the NIC is not connected to a network backend", n.origin));
      continue;
    }
    if (!idTaken(cfg, n.netdev)) {
      err = fmt::format("{}: netdev '{}' not found", n.origin, n.netdev);
      return false;
    }
    if (!used.insert(n.netdev).second) {
      err = fmt::format("{}: netdev '{}' is already used by another NIC", n.origin, n.netdev);
      return false;
    }
  }
  for (const NetdevSpec& d : cfg.netdevs)
    if (!used.count(d.id)) {
      cfg.warnings.push_back(d.legacy ? fmt::format("{}: no -net nic is connected to it", d.origin)
                                      : fmt::format("netdev {} has no peer", d.id));
    }
  int next_default = 0;
  for (NicSpec& n : cfg.nics)
    if (!n.mac) n.mac = defaultMac(next_default++);
  return true;
}

}  // namespace mimic::net
