// Captures mimic's log output (the -d categories in `mask`) in a temporary
// file for the lifetime of the object, so tests can assert on what a device
// logged. Restores the previous log settings on destruction.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include "util/log.h"

namespace mimic::test {

class LogCapture {
 public:
  explicit LogCapture(uint32_t mask = log::kGuestErrors)
      : f_(std::tmpfile()), saved_mask_(log::g_mask), saved_file_(log::g_file) {
    log::g_file = f_;
    log::g_mask = mask;
  }
  ~LogCapture() {
    log::g_mask = saved_mask_;
    log::g_file = saved_file_;
    std::fclose(f_);
  }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  std::string text() {
    std::fflush(f_);
    std::rewind(f_);
    std::string s;
    char buf[256];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f_)) > 0) s.append(buf, n);
    return s;
  }

 private:
  std::FILE* f_;
  uint32_t saved_mask_;
  std::FILE* saved_file_;
};

}  // namespace mimic::test
