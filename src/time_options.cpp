#include "src/time_options.h"

#include <cstdio>
#include <vector>

#include <fmt/format.h>

namespace mimic::cli {

namespace {

std::vector<std::string> splitCommas(std::string_view text) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    size_t comma = text.find(',', start);
    parts.emplace_back(text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (comma == std::string_view::npos) return parts;
    start = comma + 1;
  }
}

bool parseOnOff(const std::string& v, bool& out) {
  if (v == "on" || v == "yes" || v == "true") return out = true, true;
  if (v == "off" || v == "no" || v == "false") return out = false, true;
  return false;
}

// Days since 1970-01-01 of a proleptic Gregorian date.
int64_t daysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = unsigned(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + int64_t(doe) - 719468;
}

bool parseDate(const std::string& v, int64_t& seconds) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, n = 0;
  if (std::sscanf(v.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &n) == 6 && size_t(n) == v.size()) {
  } else if (std::sscanf(v.c_str(), "%4d-%2d-%2d%n", &y, &mo, &d, &n) == 3 && size_t(n) == v.size()) {
    h = mi = s = 0;
  } else {
    return false;
  }
  static const int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > kDays[mo - 1] || h > 23 || mi > 59 || s > 59) return false;
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (mo == 2 && d == 29 && !leap) return false;
  seconds = daysFromCivil(y, unsigned(mo), unsigned(d)) * 86400 + h * 3600 + mi * 60 + s;
  return true;
}

}  // namespace

bool parseIcountOption(std::string_view text, int& shift, bool& sleep, std::string& err) {
  shift = -1;
  sleep = true;
  for (const std::string& part : splitCommas(text)) {
    const size_t eq = part.find('=');
    const std::string key = eq == std::string::npos ? "shift" : part.substr(0, eq);
    const std::string value = eq == std::string::npos ? part : part.substr(eq + 1);
    if (key == "shift") {
      if (value == "auto") {
        err = fmt::format("-icount {}: shift=auto (adaptive, not deterministic) is not supported; give shift=N", text);
        return false;
      }
      int n = -1, used = 0;
      if (std::sscanf(value.c_str(), "%d%n", &n, &used) != 1 || size_t(used) != value.size() || n < 0 || n > 10) {
        err = fmt::format("-icount {}: shift must be a number from 0 to 10", text);
        return false;
      }
      shift = n;
    } else if (key == "sleep") {
      if (!parseOnOff(value, sleep)) {
        err = fmt::format("-icount {}: sleep takes on or off", text);
        return false;
      }
    } else {
      err = fmt::format("-icount {}: unknown option '{}' (mimic takes shift=N and sleep=on|off)", text, key);
      return false;
    }
  }
  if (shift < 0) {
    err = fmt::format("-icount {}: no shift given (e.g. -icount shift=3)", text);
    return false;
  }
  return true;
}

bool parseRtcOption(std::string_view text, int64_t now_utc, int64_t local_offset_s,
                    std::optional<int64_t>& start, std::string& err) {
  start.reset();
  for (const std::string& part : splitCommas(text)) {
    const size_t eq = part.find('=');
    if (eq == std::string::npos) {
      err = fmt::format("-rtc {}: '{}' is not of the form key=value", text, part);
      return false;
    }
    const std::string key = part.substr(0, eq), value = part.substr(eq + 1);
    if (key == "base") {
      int64_t seconds = 0;
      if (value == "utc") {
        start.reset();
      } else if (value == "localtime") {
        start = now_utc + local_offset_s;
      } else if (parseDate(value, seconds)) {
        start = seconds;
      } else {
        err = fmt::format("-rtc {}: base must be utc, localtime or a date (2006-06-17 or 2006-06-17T16:01:21)", text);
        return false;
      }
    } else if (key == "clock") {
      // The RTC always follows the machine's virtual clock, which is host
      // time without -icount: host, rt and vm all describe that.
      if (value != "host" && value != "rt" && value != "vm") {
        err = fmt::format("-rtc {}: clock must be host, rt or vm", text);
        return false;
      }
    } else if (key == "driftfix") {
      if (value != "none" && value != "slew") {
        err = fmt::format("-rtc {}: driftfix must be none or slew", text);
        return false;
      }
    } else {
      err = fmt::format("-rtc {}: unknown option '{}' (base=, clock=, driftfix=)", text, key);
      return false;
    }
  }
  return true;
}

}  // namespace mimic::cli
