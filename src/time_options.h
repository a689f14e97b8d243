// The command line's time options, QEMU's syntax:
//   -icount [shift=]N[,sleep=on|off]    instruction-counted virtual time
//   -rtc base=utc|localtime|DATE[,clock=host|rt|vm][,driftfix=none]
// Pure parsing; errors are one line without the "mimic: error: " prefix.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mimic::cli {

// -icount: each guest instruction advances virtual time by 2^shift ns
// (shift 0..10). sleep=off: an idle guest skips to its next timer at once.
bool parseIcountOption(std::string_view text, int& shift, bool& sleep, std::string& err);

// -rtc: the RTC's time at power-on, in seconds since 1970 (unset: the host's
// UTC time when the machine starts, QEMU's base=utc). DATE is
// YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS (UTC). `now_utc` and `local_offset_s`
// (the host's offset from UTC) serve base=localtime.
bool parseRtcOption(std::string_view text, int64_t now_utc, int64_t local_offset_s,
                    std::optional<int64_t>& start, std::string& err);

}  // namespace mimic::cli
