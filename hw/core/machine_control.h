// Control of a running machine from other threads: the GDB stub, the human
// monitor and QMP. A machine (hw::Machine::control()) implements it.
//
// Threads: every method is thread-safe and may be called from any thread
// except the CPU thread (the one inside Machine::run()); methods that touch
// guest state run their work on the CPU thread and wait for it, so callers
// never race the CPU. Listeners are called on the CPU thread, must be quick
// and must not call back into MachineControl (post the work elsewhere).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace mimic::hw {

// What a debugger stop was, for the GDB stub.
struct DebugStop {
  enum class Kind { None, Interrupt, Breakpoint, Step, Watch };
  Kind kind = Kind::None;
  // Watch: the watched address range the access touched, and the access.
  uint64_t watch_addr = 0;
  enum class Access { Read, Write, Access } access = Access::Write;
};

// Something that happened to the machine, for listeners (QMP events, the
// GDB stub's stop replies).
struct MachineEvent {
  enum class Kind {
    Stop,        // execution paused (pause(), a debugger stop, -S at start)
    Resume,      // execution resumed
    Reset,       // the machine was reset (guest request or reset())
    Shutdown,    // the guest powered off (or quit() / a signal ended the run)
    Powerdown,   // powerdown() was requested
  };
  Kind kind;
  // For Stop: why. "pause" (pause(), -S), "debug" (breakpoint, step or
  // watchpoint: see DebugStop), "shutdown" (the guest powered off while
  // -no-shutdown keeps mimic alive).
  std::string reason;
  // For Reset and Shutdown: whether the guest asked (true) or the host did.
  bool guest = false;
  // For Stop with reason "debug": what stopped the CPU.
  DebugStop debug;
};

// Breakpoint and watchpoint types of the GDB remote protocol (Z0..Z4).
enum class DebugPointKind { Software = 0, Hardware = 1, WatchWrite = 2, WatchRead = 3, WatchAccess = 4 };

class MachineControl {
 public:
  virtual ~MachineControl() = default;

  // ---- run state ----
  // Stop at the next instruction boundary and stay stopped (time stands
  // still) until resume(). Returns when the CPU has stopped. Emits Stop
  // ("pause") if it was running.
  virtual void pause() = 0;
  // Continue (Resume event). No effect while running.
  virtual void resume() = 0;
  virtual bool running() const = 0;
  // The status QMP's query-status reports: "running", "paused" (pause,
  // debug), "shutdown" (-no-shutdown after the guest powered off).
  virtual std::string status() const = 0;
  // Reset the whole machine as at power-on (Reset event, guest = false);
  // keeps the run state.
  virtual void reset() = 0;
  // Ask the guest to power down (ACPI power button where the board has one;
  // Malta has none, as on QEMU: only the Powerdown event is emitted).
  virtual void powerdown() = 0;
  // End mimic with exit code 0 (Shutdown event, guest = false).
  virtual void quit() = 0;

  // ---- events ----
  // Returns an id for removeListener(). Called on the CPU thread.
  virtual int addListener(std::function<void(const MachineEvent&)> fn) = 0;
  virtual void removeListener(int id) = 0;

  // ---- guest state (any run state) ----
  // Memory through the CPU's current virtual mapping (no guest exception is
  // raised; false if some byte is unmapped) or physical (false if some byte
  // is outside RAM/ROM/devices). Device registers are accessed as the guest
  // would, with side effects; writes to RAM drop translated code there.
  virtual bool readMemory(uint64_t addr, bool physical, void* buf, size_t len) = 0;
  virtual bool writeMemory(uint64_t addr, bool physical, const void* buf, size_t len) = 0;
  // Human-readable reports for the monitor's "info" commands: "registers",
  // "tlb", "mtree" (memory map), "qtree" (devices). Empty if unknown.
  virtual std::string info(const std::string& what) = 0;
  // Whether the guest's memory is big-endian (for x/xp word dumps).
  virtual bool bigEndian() const = 0;
};

}  // namespace mimic::hw
