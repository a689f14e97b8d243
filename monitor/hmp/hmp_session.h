// An HMP client: a banner, then "(qemu) " prompts; lines end with \n, \r or
// \r\n; output lines end with \r\n as QEMU's monitor writes them. There is
// no line editing or echo: a terminal in line mode (socat, nc, stdio)
// provides both.
#pragma once

#include <string>
#include <string_view>

#include "monitor/hmp/hmp.h"
#include "monitor/monitor_context.h"
#include "monitor/session.h"

namespace mimic::hmp {

class HmpSession : public monitor::Session {
 public:
  explicit HmpSession(const monitor::MonitorContext& ctx) : hmp_(ctx) {}

  void open(monitor::Output& out) override;
  void receive(std::string_view bytes, monitor::Output& out) override;

  // QEMU's line limit (its readline buffer): longer lines are dropped with
  // an error rather than buffered without bound.
  static constexpr size_t kMaxLine = 4095;
  static constexpr const char* kPrompt = "(qemu) ";

 private:
  void runLine(monitor::Output& out);

  Hmp hmp_;
  std::string line_;
  bool overlong_ = false;     // the current line passed kMaxLine: drop it
  bool after_cr_ = false;     // a '\n' right after '\r' ends nothing
  bool quit_ = false;         // quit was run: no more prompts
};

// "\n" -> "\r\n", as QEMU's monitor output.
std::string toCrLf(std::string_view text);

}  // namespace mimic::hmp
