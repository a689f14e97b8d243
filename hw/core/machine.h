// A machine: a board (memory map, devices, boot code) around a CPU, built
// from the command line's options.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hw/block/drive_spec.h"
#include "hw/core/machine_control.h"
#include "net/netdev_spec.h"

namespace mimic::hw {

struct MachineOptions {
  std::string machine = "malta";              // -M NAME
  std::map<std::string, std::string> props;   // -M NAME,key=value,... (e.g. endianness=big)
  std::string cpu;                            // -cpu; empty: the board's default
  uint64_t ram_size = 0;                      // -m in bytes; 0: the board's default
  std::string kernel;                         // -kernel
  std::string initrd;                         // -initrd
  std::string append;                         // -append
  std::string dtb;                            // -dtb (boards without a device tree ignore it)
  std::vector<std::string> serial;            // -serial, in order; empty: the default
  bool nographic = false;                     // -nographic
  std::string display;                        // -display; empty: none given
  bool no_reboot = false;                     // -no-reboot: exit when the guest resets
  bool no_shutdown = false;                   // -no-shutdown: stay when the guest shuts down
  std::string tier = "auto";                  // -accel tcg,tier=: auto (JIT + LLVM hot tier), baseline, llvm or interp
  // -accel tcg,tb-size=N: MiB of host code the JIT keeps before it flushes
  // everything and starts again (QEMU's name); 0: its default.
  uint64_t tb_size_mib = 0;
  bool fastmem = true;                        // -accel tcg,fastmem=: user-mode pages mapped into the host (tcg/fastmem.h)
  std::vector<block::DriveSpec> drives;       // -drive, -hda..-hdd, indexes assigned
  net::NetConfig net;                         // -netdev, -nic, -net, -device NIC (finalized)
  int icount_shift = -1;                      // -icount shift=N; -1: virtual time is host time
  bool icount_sleep = true;                   // -icount sleep=: idle time passes on the host too
  std::optional<int64_t> rtc_start;           // -rtc base=: RTC time at power-on; unset: host UTC now
  bool start_paused = false;                  // -S: stopped until a debugger or monitor continues
  // Warnings for the user (one line each, without the "mimic: warning: "
  // prefix). Unset: written to stderr.
  std::function<void(const std::string&)> warn;
};

class Machine {
 public:
  virtual ~Machine() = default;

  // Runs the guest until it stops; returns the process exit code (0 when
  // the guest shut down, reset with -no-reboot, or the user quit).
  virtual int run() = 0;

  // Thread-safe and callable before or during run(): make run() return
  // `exit_code` soon (signals, Ctrl-A x).
  virtual void requestQuit(int exit_code) = 0;

  // Control from the GDB stub, the monitor and QMP (see machine_control.h).
  virtual MachineControl& control() = 0;
};

// Builds the machine named by opts.machine. On error returns nullptr and
// sets err to one line (without the "mimic: error: " prefix).
std::unique_ptr<Machine> createMachine(const MachineOptions& opts, std::string& err);

// Names and one-line descriptions of the machines (-M help).
std::vector<std::pair<std::string, std::string>> machineList();

}  // namespace mimic::hw
