// Reading a command's arguments from the rest of its line, the way QEMU's
// HMP does for each argument type: expressions, strings (bare words or
// "quoted" with \n \r \\ \' \" escapes), and nothing left at the end.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace mimic::hmp {

class ArgScanner {
 public:
  explicit ArgScanner(std::string_view rest) : p_(rest) {}

  // An expression (see hmp_expr.h). On error sets err.
  bool expr(int64_t& value, std::string& err, bool stop_at_space = false);
  // A 32-bit expression (QEMU's 'i' type): above 32 bits is an error.
  bool expr32(const std::string& cmd, int64_t& value, std::string& err, bool stop_at_space = false);
  // A string argument: false if none (or an unterminated quote).
  bool string(std::string& out);
  // The rest of the line, spaces trimmed at the start.
  std::string rest();
  // Nothing but spaces left.
  bool atEnd();

  std::string_view& view() { return p_; }

 private:
  void skipSpaces();
  std::string_view p_;
};

}  // namespace mimic::hmp
