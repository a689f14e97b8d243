#include "monitor/hmp/hmp_args.h"

#include <fmt/format.h>

#include "monitor/hmp/hmp_expr.h"

namespace mimic::hmp {

void ArgScanner::skipSpaces() {
  while (!p_.empty() && isMonitorSpace(p_.front())) p_.remove_prefix(1);
}

bool ArgScanner::expr(int64_t& value, std::string& err, bool stop_at_space) {
  return parseExpr(p_, value, err, stop_at_space);
}

bool ArgScanner::expr32(const std::string& cmd, int64_t& value, std::string& err, bool stop_at_space) {
  if (!expr(value, err, stop_at_space)) return false;
  // QEMU's check: any bit above 31 set, so negative values fail too.
  if ((static_cast<uint64_t>(value) >> 32) != 0) {
    err = fmt::format("'{}' has failed: integer is for 32-bit values", cmd);
    return false;
  }
  return true;
}

bool ArgScanner::string(std::string& out) {
  out.clear();
  skipSpaces();
  if (p_.empty()) return false;
  if (p_.front() != '"') {
    while (!p_.empty() && !isMonitorSpace(p_.front())) {
      out += p_.front();
      p_.remove_prefix(1);
    }
    return true;
  }
  p_.remove_prefix(1);
  while (!p_.empty() && p_.front() != '"') {
    char c = p_.front();
    p_.remove_prefix(1);
    if (c == '\\') {
      if (p_.empty()) return false;
      c = p_.front();
      p_.remove_prefix(1);
      switch (c) {
        case 'n': c = '\n'; break;
        case 'r': c = '\r'; break;
        case '\\': case '\'': case '"': break;
        default: return false;  // QEMU: unsupported escape code
      }
    }
    out += c;
  }
  if (p_.empty()) return false;  // unterminated string
  p_.remove_prefix(1);
  return true;
}

std::string ArgScanner::rest() {
  skipSpaces();
  std::string r(p_);
  p_ = {};
  return r;
}

bool ArgScanner::atEnd() {
  skipSpaces();
  return p_.empty();
}

}  // namespace mimic::hmp
