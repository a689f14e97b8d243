#include "monitor/hmp/hmp_expr.h"

#include <fmt/format.h>

namespace mimic::hmp {

bool isMonitorSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }

namespace {

// Deep enough for anything typed by hand; keeps hostile input ("((((...")
// from exhausting the stack.
constexpr int kMaxDepth = 64;

class Parser {
 public:
  Parser(std::string_view s, bool stop_at_space) : s_(s), stop_at_space_(stop_at_space) {}

  bool run(int64_t& value, std::string& err) {
    skipSpaces(true);
    int64_t v = sum();
    if (!err_.empty()) {
      err = err_;
      return false;
    }
    value = v;
    return true;
  }
  size_t pos() const { return pos_; }

 private:
  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }

  // Spaces between tokens belong to the expression, except at the top
  // level in stop_at_space mode (see the header).
  void skipSpaces(bool force = false) {
    if (stop_at_space_ && parens_ == 0 && !force) return;
    while (pos_ < s_.size() && isMonitorSpace(s_[pos_])) ++pos_;
  }
  // Past an operator: its operand may follow after spaces in any mode.
  void next() {
    if (pos_ < s_.size()) ++pos_;
    skipSpaces(true);
  }
  // Records the first error; the parse then unwinds returning zeros.
  int64_t fail(std::string msg) {
    if (err_.empty()) err_ = std::move(msg);
    pos_ = s_.size();
    return 0;
  }

  int64_t sum() {
    int64_t v = prod();
    while (err_.empty() && (peek() == '+' || peek() == '-')) {
      char op = peek();
      next();
      uint64_t r = static_cast<uint64_t>(prod());
      v = static_cast<int64_t>(op == '+' ? static_cast<uint64_t>(v) + r : static_cast<uint64_t>(v) - r);
    }
    return v;
  }

  int64_t prod() {
    int64_t v = logic();
    while (err_.empty() && (peek() == '*' || peek() == '/' || peek() == '%')) {
      char op = peek();
      next();
      int64_t r = logic();
      if (!err_.empty()) break;
      if (op == '*') {
        v = static_cast<int64_t>(static_cast<uint64_t>(v) * static_cast<uint64_t>(r));
      } else if (r == 0) {
        return fail("division by zero");
      } else if (r == -1) {
        // INT64_MIN / -1 overflows in C++; two's complement wraps to itself.
        v = op == '/' ? static_cast<int64_t>(0 - static_cast<uint64_t>(v)) : 0;
      } else {
        v = op == '/' ? v / r : v % r;
      }
    }
    return v;
  }

  int64_t logic() {
    int64_t v = unary();
    while (err_.empty() && (peek() == '&' || peek() == '|' || peek() == '^')) {
      char op = peek();
      next();
      int64_t r = unary();
      v = op == '&' ? (v & r) : op == '|' ? (v | r) : (v ^ r);
    }
    return v;
  }

  int64_t unary() {
    if (++depth_ > kMaxDepth) return fail("expression too deeply nested");
    int64_t v = unaryBody();
    --depth_;
    return v;
  }

  int64_t unaryBody() {
    char c = peek();
    switch (c) {
      case '+':
        next();
        return unary();
      case '-':
        next();
        return static_cast<int64_t>(0 - static_cast<uint64_t>(unary()));
      case '~':
        next();
        return ~unary();
      case '(': {
        ++parens_;
        next();
        int64_t v = sum();
        if (!err_.empty()) return 0;
        if (peek() != ')') return fail("')' expected");
        --parens_;
        next();
        if (stop_at_space_ && parens_ == 0) {
          // next() skipped spaces after ')'; at the top level they end the expression.
          while (pos_ > 0 && isMonitorSpace(s_[pos_ - 1])) --pos_;
        }
        return v;
      }
      case '\'': {
        ++pos_;
        if (pos_ >= s_.size()) return fail("character constant expected");
        int64_t v = static_cast<unsigned char>(s_[pos_++]);
        if (peek() != '\'') return fail("missing terminating ' character");
        ++pos_;
        skipSpaces();
        return v;
      }
      case '$': {
        ++pos_;
        while (pos_ < s_.size()) {
          char r = s_[pos_];
          bool name = (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') || r == '_' || r == '.';
          if (!name) break;
          ++pos_;
        }
        return fail("unknown register");
      }
      case '\0':
        if (pos_ >= s_.size()) return fail("unexpected end of expression");
        return fail(fmt::format("invalid char '{}' in expression", c));
      default:
        return number();
    }
  }

  // C integer syntax as strtoull with base 0 reads it.
  int64_t number() {
    auto digit = [](char ch, int base) -> int {
      int d = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : 99;
      return d < base ? d : -1;
    };
    char c = peek();
    if (c < '0' || c > '9') return fail(fmt::format("invalid char '{}' in expression", c));
    int base = 10;
    if (c == '0') {
      base = 8;
      if (pos_ + 2 < s_.size() && (s_[pos_ + 1] == 'x' || s_[pos_ + 1] == 'X') && digit(s_[pos_ + 2], 16) >= 0) {
        base = 16;
        pos_ += 2;
      }
    }
    uint64_t v = 0;
    bool overflow = false;
    int d;
    while (pos_ < s_.size() && (d = digit(s_[pos_], base)) >= 0) {
      if (v > (UINT64_MAX - static_cast<uint64_t>(d)) / static_cast<uint64_t>(base)) overflow = true;
      v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
      ++pos_;
    }
    if (overflow) return fail("number too large");
    skipSpaces();
    return static_cast<int64_t>(v);
  }

  std::string_view s_;
  size_t pos_ = 0;
  bool stop_at_space_;
  int parens_ = 0;
  int depth_ = 0;
  std::string err_;
};

}  // namespace

bool parseExpr(std::string_view& p, int64_t& value, std::string& err, bool stop_at_space) {
  Parser parser(p, stop_at_space);
  if (!parser.run(value, err)) return false;
  p.remove_prefix(parser.pos());
  // Whatever follows is the caller's; it starts after the spaces.
  while (!p.empty() && isMonitorSpace(p.front())) p.remove_prefix(1);
  return true;
}

}  // namespace mimic::hmp
