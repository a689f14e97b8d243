#include "monitor/channel_spec.h"

#include <fmt/format.h>

#include <climits>
#include <vector>

#include <sys/un.h>

namespace mimic::monitor {

namespace {

// QEMU's option syntax: comma-separated, ",," is a literal comma.
std::vector<std::string> splitOptions(const std::string& text) {
  std::vector<std::string> parts(1);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == ',') {
      if (i + 1 < text.size() && text[i + 1] == ',') {
        parts.back() += ',';
        ++i;
      } else {
        parts.emplace_back();
      }
    } else {
      parts.back() += text[i];
    }
  }
  return parts;
}

// "on"/"off" (and QEMU's older yes/no, true/false) into a bool.
bool parseSwitch(const std::string& value, bool& out) {
  if (value == "on" || value == "yes" || value == "true") {
    out = true;
    return true;
  }
  if (value == "off" || value == "no" || value == "false") {
    out = false;
    return true;
  }
  return false;
}

bool parsePort(const std::string& s, int& port) {
  if (s.empty() || s.size() > 5) return false;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  if (v > 65535) return false;
  port = v;
  return true;
}

}  // namespace

bool parseChannelSpec(const std::string& option, const std::string& text, ChannelSpec& out, std::string& err) {
  out = ChannelSpec{};
  out.text = text;
  const std::string where = fmt::format("{} '{}'", option, text);
  const char* usage = "use stdio, unix:PATH,server,nowait or tcp:[HOST]:PORT,server,nowait";
  if (text.empty()) {
    err = fmt::format("{} needs a device ({})", option, usage);
    return false;
  }
  std::vector<std::string> parts = splitOptions(text);
  const std::string& backend = parts[0];

  if (backend == "none" || backend == "null") {
    if (parts.size() > 1) {
      err = fmt::format("{}: '{}' takes no options", where, backend);
      return false;
    }
    out.kind = ChannelSpec::Kind::None;
    return true;
  }
  if (backend == "stdio") {
    if (parts.size() > 1) {
      err = fmt::format("{}: stdio takes no options", where);
      return false;
    }
    out.kind = ChannelSpec::Kind::Stdio;
    return true;
  }

  if (backend.rfind("unix:", 0) == 0) {
    out.kind = ChannelSpec::Kind::Unix;
    out.path = backend.substr(5);
    if (out.path.empty()) {
      err = fmt::format("{}: no socket path after 'unix:'", where);
      return false;
    }
    if (out.path.size() >= sizeof(sockaddr_un{}.sun_path)) {
      err = fmt::format("{}: socket path too long ({} bytes, at most {})", where, out.path.size(),
                        sizeof(sockaddr_un{}.sun_path) - 1);
      return false;
    }
  } else if (backend.rfind("tcp:", 0) == 0) {
    out.kind = ChannelSpec::Kind::Tcp;
    std::string addr = backend.substr(4);
    size_t colon = addr.rfind(':');
    if (colon == std::string::npos) {
      err = fmt::format("{}: expected tcp:[HOST]:PORT", where);
      return false;
    }
    out.host = addr.substr(0, colon);
    if (out.host.size() >= 2 && out.host.front() == '[' && out.host.back() == ']')
      out.host = out.host.substr(1, out.host.size() - 2);  // [::1]
    std::string port = addr.substr(colon + 1);
    if (!parsePort(port, out.port)) {
      err = fmt::format("{}: bad port '{}' (expected 0 to 65535)", where, port);
      return false;
    }
  } else {
    std::string name = backend.substr(0, backend.find(':'));
    err = fmt::format("{}: the '{}' backend is not supported ({})", where, name, usage);
    return false;
  }

  bool server = false;
  for (size_t i = 1; i < parts.size(); ++i) {
    const std::string& opt = parts[i];
    size_t eq = opt.find('=');
    std::string key = opt.substr(0, eq);
    std::string value = eq == std::string::npos ? "" : opt.substr(eq + 1);
    bool flag = true;
    if (eq != std::string::npos && !parseSwitch(value, flag)) {
      err = fmt::format("{}: bad value '{}' for '{}' (expected on or off)", where, value, key);
      return false;
    }
    if (key == "server") {
      server = flag;
    } else if (key == "nowait") {
      out.wait = !flag;
    } else if (key == "wait") {
      out.wait = flag;
    } else if (key == "nodelay" && out.kind == ChannelSpec::Kind::Tcp) {
      // Accepted for QEMU compatibility; our replies are whole lines anyway.
    } else {
      err = fmt::format("{}: unknown option '{}' (mimic knows server, nowait and wait=on|off)", where, key);
      return false;
    }
  }
  if (!server) {
    err = fmt::format("{}: client mode (connecting out) is not supported; add ',server,nowait' to listen", where);
    return false;
  }
  return true;
}

}  // namespace mimic::monitor
