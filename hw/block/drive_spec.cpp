#include "hw/block/drive_spec.h"

#include <charconv>

#include <fmt/format.h>

namespace mimic::hw::block {

namespace {

// Splits "a=b,c=d" at single commas; ",," stands for a literal comma.
std::vector<std::string> splitOptions(std::string_view text) {
  std::vector<std::string> parts(1);
  for (size_t i = 0; i < text.size(); i++) {
    char c = text[i];
    if (c == ',') {
      if (i + 1 < text.size() && text[i + 1] == ',') {
        parts.back() += ',';
        i++;
      } else {
        parts.emplace_back();
      }
    } else {
      parts.back() += c;
    }
  }
  return parts;
}

bool parseInt(std::string_view s, int& v) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && end == s.data() + s.size();
}

bool parseBool(std::string_view s, bool& v) {
  if (s == "on" || s == "true" || s == "yes") {
    v = true;
    return true;
  }
  if (s == "off" || s == "false" || s == "no") {
    v = false;
    return true;
  }
  return false;
}

}  // namespace

bool parseDriveOption(std::string_view text, DriveSpec& out, std::string& err) {
  DriveSpec d;
  auto error = [&](const std::string& why) {
    err = fmt::format("-drive {}: {}", text, why);
    return false;
  };
  bool have_file = false;
  int bus = -1, unit = -1;
  bool have_index = false;
  for (const std::string& part : splitOptions(text)) {
    if (part.empty()) continue;  // "file=x," or ",,"-free empty pieces
    size_t eq = part.find('=');
    if (eq == std::string::npos) return error(fmt::format("'{}' is not of the form key=value", part));
    std::string key = part.substr(0, eq);
    std::string value = part.substr(eq + 1);
    if (key == "file") {
      if (value.empty()) return error("file= needs a file name");
      d.path = value;
      have_file = true;
    } else if (key == "format") {
      if (value != "raw") return error("only format=raw is supported");
    } else if (key == "if") {
      if (value != "ide") return error(fmt::format("if={} is not supported (only if=ide)", value));
      d.interface = value;
    } else if (key == "index") {
      int v;
      if (!parseInt(value, v)) return error(fmt::format("index={} is not a number", value));
      if (v < 0 || v > DriveSpec::kMaxIndex)
        return error(fmt::format("index={} is out of range (0..{})", value, DriveSpec::kMaxIndex));
      d.index = v;
      have_index = true;
    } else if (key == "bus") {
      if (!parseInt(value, bus) || bus < 0) return error(fmt::format("bus={} is not a valid bus number", value));
      if (bus > 1) return error(fmt::format("bus={} is out of range (the IDE controller has buses 0 and 1)", value));
    } else if (key == "unit") {
      if (!parseInt(value, unit) || unit < 0) return error(fmt::format("unit={} is not a valid unit number", value));
      if (unit > 1) return error(fmt::format("unit={} is out of range (0 master, 1 slave)", value));
    } else if (key == "media") {
      if (value == "cdrom") return error("media=cdrom is not supported (no ATAPI CD-ROM emulation)");
      if (value != "disk") return error(fmt::format("media={} is invalid (expected disk)", value));
      d.media = value;
    } else if (key == "readonly" || key == "read-only") {
      if (!parseBool(value, d.read_only)) return error(fmt::format("{}={} must be on or off", key, value));
    } else if (key == "cache") {
      if (value != "writeback" && value != "writethrough" && value != "none" && value != "directsync" &&
          value != "unsafe")
        return error(fmt::format("cache={} is not a cache mode (writeback, writethrough, none, directsync, unsafe)",
                                 value));
    } else if (key == "id") {
      d.id = value;
    } else {
      return error(fmt::format("unknown option '{}'", key));
    }
  }
  if (!have_file) return error("missing file=PATH (mimic has no empty drives)");
  if (have_index && (bus >= 0 || unit >= 0)) return error("index= cannot be used together with bus= or unit=");
  if (unit >= 0) {
    d.index = 2 * (bus >= 0 ? bus : 0) + unit;
  } else if (bus >= 0) {
    d.auto_from = 2 * bus;  // the first free unit from that bus on
  }
  out = std::move(d);
  return true;
}

bool parseHdOption(int index, std::string_view path, DriveSpec& out, std::string& err) {
  static constexpr const char* kNames[] = {"-hda", "-hdb", "-hdc", "-hdd"};
  if (index < 0 || index > DriveSpec::kMaxIndex) {
    err = fmt::format("drive index {} is out of range (0..{})", index, DriveSpec::kMaxIndex);
    return false;
  }
  if (path.empty()) {
    err = fmt::format("{} needs a file name", kNames[index]);
    return false;
  }
  DriveSpec d;
  d.path = std::string(path);
  d.index = index;
  out = std::move(d);
  return true;
}

bool assignDriveIndexes(std::vector<DriveSpec>& drives, std::string& err) {
  bool used[DriveSpec::kMaxIndex + 1] = {};
  for (DriveSpec& d : drives) {
    if (d.index < 0) {
      int i = d.auto_from < 0 ? 0 : d.auto_from;
      while (i <= DriveSpec::kMaxIndex && used[i]) i++;
      if (i > DriveSpec::kMaxIndex) {
        err = fmt::format("drive '{}': no free IDE unit (the controller takes {} drives)", d.path,
                          DriveSpec::kMaxIndex + 1);
        return false;
      }
      d.index = i;
    } else if (d.index > DriveSpec::kMaxIndex) {
      err = fmt::format("drive '{}': index {} is out of range (0..{})", d.path, d.index, DriveSpec::kMaxIndex);
      return false;
    } else if (used[d.index]) {
      err = fmt::format("drive '{}': index {} (bus {}, unit {}) is already in use", d.path, d.index, d.index / 2,
                        d.index % 2);
      return false;
    }
    used[d.index] = true;
  }
  return true;
}

}  // namespace mimic::hw::block
