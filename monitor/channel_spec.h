// QEMU's character-device syntax as -monitor and -qmp take it, for the
// backends a monitor can use here:
//   stdio
//   unix:PATH[,server][,nowait|,wait=off]
//   tcp:[HOST]:PORT[,server][,nowait|,wait=off]
//   none | null        (no channel)
// Only server mode exists (mimic listens; QEMU's client mode, where it
// connects out, is refused with an error), one client at a time as QEMU.
#pragma once

#include <string>

namespace mimic::monitor {

struct ChannelSpec {
  enum class Kind { None, Stdio, Unix, Tcp };
  Kind kind = Kind::None;
  std::string text;     // as written, for messages
  std::string path;     // Unix: the socket file
  std::string host;     // Tcp: address to listen on; empty: every address
  int port = 0;         // Tcp: 0 lets the kernel choose (for tests)
  // Server `wait` (QEMU's default without nowait): the guest does not start
  // before the first client has connected.
  bool wait = true;
};

// Parses one -monitor/-qmp argument. `option` ("-monitor" or "-qmp") is for
// messages. On error returns false and sets err to one line without the
// "mimic: error: " prefix.
bool parseChannelSpec(const std::string& option, const std::string& text, ChannelSpec& out, std::string& err);

}  // namespace mimic::monitor
