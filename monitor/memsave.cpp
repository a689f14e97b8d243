#include "monitor/memsave.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <algorithm>
#include <vector>

namespace mimic::monitor {

namespace {

// Large enough that a 256 MiB dump is a few thousand trips to the CPU thread.
constexpr int64_t kChunk = 64 * 1024;

}  // namespace

bool saveMemory(const MonitorContext& ctx, int64_t addr, int64_t size, bool physical, const std::string& path,
                std::string& err) {
  const std::string invalid = fmt::format("Invalid addr 0x{:016x}/size {} specified", static_cast<uint64_t>(addr), size);
  // QEMU would loop until memory runs out on a negative size; say so at once.
  if (size < 0) {
    err = invalid;
    return false;
  }
  std::FILE* f = ctx.open_file(path);
  if (!f) {
    err = fmt::format("Could not open '{}': {}", path, std::strerror(errno));
    return false;
  }
  // Virtual addresses wrap at the guest's address width, as on the CPU.
  const uint64_t mask = physical || ctx.vaddr_bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << ctx.vaddr_bits) - 1;
  std::vector<uint8_t> buf(static_cast<size_t>(std::min(size, kChunk)));
  uint64_t at = static_cast<uint64_t>(addr);
  bool ok = true;
  for (int64_t left = size; left > 0;) {
    size_t n = static_cast<size_t>(std::min(left, kChunk));
    if (!physical && mask != ~uint64_t{0}) n = std::min<uint64_t>(n, mask - (at & mask) + 1);  // no read across the wrap
    if (!ctx.control->readMemory(at & mask, physical, buf.data(), n)) {
      err = invalid;
      ok = false;
      break;
    }
    if (std::fwrite(buf.data(), 1, n, f) != n) {
      err = "An IO error has occurred";
      ok = false;
      break;
    }
    at += n;
    left -= static_cast<int64_t>(n);
  }
  if (std::fclose(f) != 0 && ok) {
    err = "An IO error has occurred";
    ok = false;
  }
  return ok;
}

}  // namespace mimic::monitor
