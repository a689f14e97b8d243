// The version the monitor reports. mimic speaks QEMU 7.2's monitor protocols
// (HMP and QMP as of that release), so QMP clients that check the version
// before using a command see the QEMU release whose behaviour we follow; the
// package string says it is mimic.
#pragma once

#include <string>

namespace mimic::monitor {

inline constexpr int kQemuMajor = 7;
inline constexpr int kQemuMinor = 2;
inline constexpr int kQemuMicro = 0;

// "mimic 0.1.0": QMP's "package", and part of HMP's banner and info version.
std::string packageString();

}  // namespace mimic::monitor
