#include "monitor/hmp/hmp_session.h"

#include <fmt/format.h>

#include "monitor/version.h"

namespace mimic::hmp {

std::string toCrLf(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 16);
  for (char c : text) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

void HmpSession::open(monitor::Output& out) {
  out.write(fmt::format("{} monitor - type 'help' for more information\r\n{}", monitor::packageString(), kPrompt));
}

void HmpSession::receive(std::string_view bytes, monitor::Output& out) {
  for (char c : bytes) {
    if (out.closed()) return;
    if (c == '\n' && after_cr_) {
      after_cr_ = false;
      continue;
    }
    after_cr_ = c == '\r';
    if (c == '\r' || c == '\n') {
      runLine(out);
      continue;
    }
    if (line_.size() >= kMaxLine) {
      overlong_ = true;
      continue;
    }
    line_ += c;
  }
}

void HmpSession::runLine(monitor::Output& out) {
  std::string text;
  if (overlong_) {
    text = fmt::format("line too long (more than {} characters): ignored\n", kMaxLine);
  } else {
    Hmp::Result r = hmp_.execute(line_);
    text = std::move(r.text);
    quit_ = quit_ || r.quit;
  }
  line_.clear();
  overlong_ = false;
  if (!quit_) text += kPrompt;
  if (!text.empty()) out.write(toCrLf(text));
}

}  // namespace mimic::hmp
