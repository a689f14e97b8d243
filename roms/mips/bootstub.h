// mimic's Malta boot code (roms/mips/bootstub.S), assembled at build time
// for both byte orders and embedded by roms/embed.py.
#pragma once

#include <cstddef>
#include <cstdint>

namespace mimic::roms {

extern const uint8_t kMaltaBootstubEl[];
extern const size_t kMaltaBootstubElSize;
extern const uint8_t kMaltaBootstubEb[];
extern const size_t kMaltaBootstubEbSize;

// Offsets of the words the machine patches (in the guest's byte order).
constexpr uint32_t kBootstubRevisionOffset = 0x10;  // board revision (0x420)
constexpr uint32_t kBootstubEntryOffset = 0x700;    // kernel entry point (jumped to with jalr t9)
constexpr uint32_t kBootstubRamSizeOffset = 0x704;  // a3: RAM size below the I/O hole
// Where the stub calls the kernel: ra = 0xbfc00000 + kBootstubCallOffset + 8.
constexpr uint32_t kBootstubCallOffset = 0x63c;

}  // namespace mimic::roms
