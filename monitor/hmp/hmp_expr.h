// The monitor's arithmetic, as QEMU's HMP evaluates addresses and sizes:
// numbers in C syntax (0x1f, 017, 42), character constants ('a'), $register
// (no register names exist for MIPS in QEMU 7.2, so always "unknown
// register"), unary + - ~, parentheses, then by rising looseness & | ^,
// * / %, + -. Arithmetic is 64-bit and wraps.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace mimic::hmp {

// Evaluates the expression at the start of `p` (after any spaces). On
// success advances `p` past it and the spaces after it. On error returns
// false and sets err to QEMU's message ("unexpected end of expression",
// "invalid char 'q' in expression", "division by zero", ...).
//
// stop_at_space: the expression ends at the first space outside
// parentheses. QEMU lets spaces separate operators, so there
// `memsave 0 16 /tmp/f` reads "16 /tmp" as a division and fails; the
// commands that take a file name after a number use this so that it works.
bool parseExpr(std::string_view& p, int64_t& value, std::string& err, bool stop_at_space = false);

bool isMonitorSpace(char c);

}  // namespace mimic::hmp
