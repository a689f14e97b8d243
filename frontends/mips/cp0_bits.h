// CP0 register fields used across the MIPS frontend.
#pragma once

#include <cstdint>

namespace mimic::mips {

// Status
constexpr uint32_t ST_IE = 1u << 0, ST_EXL = 1u << 1, ST_ERL = 1u << 2;
constexpr uint32_t ST_KSU_SHIFT = 3, ST_KSU_MASK = 3u << 3;
constexpr uint32_t ST_IM_SHIFT = 8, ST_IM_MASK = 0xffu << 8;
constexpr uint32_t ST_NMI = 1u << 19, ST_SR = 1u << 20, ST_TS = 1u << 21, ST_BEV = 1u << 22;
constexpr uint32_t ST_RE = 1u << 25, ST_FR = 1u << 26, ST_CU0 = 1u << 28, ST_CU1 = 1u << 29;
// Cause
constexpr uint32_t CA_EXC_SHIFT = 2, CA_EXC_MASK = 0x1fu << 2;
constexpr uint32_t CA_IP_SHIFT = 8, CA_IP_MASK = 0xffu << 8;
constexpr uint32_t CA_IV = 1u << 23, CA_DC = 1u << 27, CA_CE_SHIFT = 28, CA_CE_MASK = 3u << 28;
constexpr uint32_t CA_TI = 1u << 30, CA_BD = 1u << 31;
// Software-writable Cause bits: IP1..0, IV, WP(22), DC.
constexpr uint32_t CA_WRITABLE = (3u << 8) | CA_IV | (1u << 22) | CA_DC;
// WatchHi: M, another WatchLo/WatchHi pair follows.
constexpr uint32_t kWatchHiM = 1u << 31;
// FCSR
constexpr uint32_t FCSR_RM_MASK = 3, FCSR_FS = 1u << 24;
inline constexpr unsigned fcsrCcBit(unsigned cc) { return cc == 0 ? 23 : 24 + cc; }

// The Count register runs at 100 MHz (QEMU's Malta: a 200 MHz CPU clock,
// Count every other cycle), so guest time equals host time.
constexpr int64_t kCountHz = 100'000'000;

}  // namespace mimic::mips
