// The Intel 8042 keyboard controller of the PC (and of the Malta board's
// super I/O chip) with a PS/2 keyboard on its first port and a PS/2 mouse
// on its auxiliary port, as QEMU's "i8042" device and enough for Linux's
// i8042/atkbd/psmouse and FreeBSD's atkbdc/atkbd/psm drivers.
//
// Ports (ISA I/O space, byte wide): 0x60 data, 0x64 status (read) and
// command (write). Interrupts: keyboard data raises ISA IRQ 1, mouse data
// IRQ 12.
//
// Controller model:
//  - One output buffer byte. Its source is, by priority: replies of the
//    controller's own commands, then the keyboard's queue (unless the command
//    byte disables the keyboard interface), then the mouse's (unless the aux
//    interface is disabled). Status bit 0 (OBF) says it is full, bit 5 that
//    the byte came from the aux port. Reading 0x60 empties it (an empty
//    buffer reads as the last byte again) and loads the next byte.
//  - IRQ 1 / IRQ 12 follow OBF (level, as QEMU): high while the buffer
//    holds keyboard / aux data and the command byte enables that
//    interrupt. Loading the next byte after a read drops the line and
//    raises it again, so an edge-triggered 8259 input sees every byte.
//  - The input buffer is always empty (IBF 0): commands execute at once.
//  - Translation (command byte bit 6): bytes from the keyboard pass through
//    the 8042's set 2 -> set 1 table on their way to the output buffer, a
//    0xf0 prefix turning into bit 7 of the next byte.
//  - Controller commands: 0x20-0x3f read internal RAM (0x20: the command
//    byte), 0x60-0x7f write it, 0xa7/0xa8 disable/enable aux, 0xa9 aux test
//    (0x00), 0xaa self test (0x55, sets the status SYS flag), 0xab keyboard
//    test (0x00), 0xad/0xae disable/enable keyboard, 0xc0 read input port
//    (0x80: keyboard not inhibited), 0xd0/0xd1 read/write output port (bit 0
//    clear: system reset request; bit 1 A20, stored only), 0xd2/0xd3 write
//    the keyboard/aux output buffer, 0xd4 send the next data byte to the
//    mouse, 0xdd/0xdf A20 off/on, 0xf0-0xff pulse output port bits 0-3 (a
//    pulse of bit 0, e.g. 0xfe, requests a system reset). A data byte at
//    0x60 with no command waiting for one goes to the keyboard. Sending to a
//    device re-enables its interface (as QEMU does).
//  - Unknown commands and accesses other than single bytes at offset 0 are
//    logged as guest_errors and ignored (reads give 0xff).
//
// Keyboard (MF2, ID 0xab 0x83): 0xed LEDs, 0xee echo, 0xf0 get/set scan
// code set, 0xf2 identify, 0xf3 typematic rate, 0xf4 enable, 0xf5 defaults
// and disable, 0xf6 defaults and enable, 0xf7-0xfd set 3 key types (acked,
// no effect), 0xfe resend, 0xff reset (0xfa 0xaa); anything else answers
// 0xfe. 0xf5, 0xf6 and 0xff also empty the keyboard's queue. Keys come from
// pressKey() as scan code set 2; in set 1 the keyboard converts them, set 3
// is not modelled (set 2 is sent). Typematic repeat is the caller's
// business (send the make code again).
//
// Mouse (standard PS/2, ID 0; IntelliMouse ID 3 and Explorer ID 4 after the
// sample rate sequences 200-100-80 and 200-200-80): 0xe6/0xe7 scaling,
// 0xe8 resolution, 0xe9 status request, 0xea stream mode, 0xeb read data,
// 0xec/0xee leave/enter wrap mode, 0xf0 remote mode, 0xf2 get ID, 0xf3
// sample rate, 0xf4/0xf5 enable/disable reporting, 0xf6 defaults, 0xfe
// resend, 0xff reset (0xfa 0xaa 0x00, emptying the mouse's queue);
// anything else answers 0xfe.
//
// Timing is not modelled: replies are available at once (no BAT delay).
// Threads: everything, including pressKey() and moveMouse(), runs on the CPU
// thread (a UI queues its events and delivers them from the event pump).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <initializer_list>
#include <span>
#include <vector>

#include "hw/core/memory.h"

namespace mimic::hw {

class I8042 {
 public:
  static constexpr uint32_t kDataPort = 0x60;
  static constexpr uint32_t kCommandPort = 0x64;  // status register when read
  static constexpr int kKbdIrq = 1;
  static constexpr int kAuxIrq = 12;

  // Status register (port 0x64 read).
  static constexpr uint8_t kStatOutputFull = 0x01;
  static constexpr uint8_t kStatInputFull = 0x02;
  static constexpr uint8_t kStatSystem = 0x04;
  static constexpr uint8_t kStatCommand = 0x08;   // the last write was to 0x64
  static constexpr uint8_t kStatUnlocked = 0x10;  // keylock switch off
  static constexpr uint8_t kStatAuxData = 0x20;
  static constexpr uint8_t kStatTimeout = 0x40;
  static constexpr uint8_t kStatParity = 0x80;

  // Command byte (controller RAM byte 0).
  static constexpr uint8_t kCtrKbdInt = 0x01;
  static constexpr uint8_t kCtrAuxInt = 0x02;
  static constexpr uint8_t kCtrSystem = 0x04;
  static constexpr uint8_t kCtrIgnoreLock = 0x08;
  static constexpr uint8_t kCtrKbdDisable = 0x10;
  static constexpr uint8_t kCtrAuxDisable = 0x20;
  static constexpr uint8_t kCtrTranslate = 0x40;

  // Output port.
  static constexpr uint8_t kOutReset = 0x01;  // 0 holds the system in reset
  static constexpr uint8_t kOutA20 = 0x02;
  static constexpr uint8_t kOutKbdFull = 0x10;
  static constexpr uint8_t kOutAuxFull = 0x20;

  // Mouse buttons for moveMouse() (the packet's order).
  static constexpr unsigned kButtonLeft = 0x01;
  static constexpr unsigned kButtonRight = 0x02;
  static constexpr unsigned kButtonMiddle = 0x04;
  static constexpr unsigned kButton4 = 0x08;  // reported with mouse ID 4 only
  static constexpr unsigned kButton5 = 0x10;

  // `reset_request` is called when the guest resets the system through the
  // controller (output port bit 0 written or pulsed low).
  I8042(IrqLine kbd_irq, IrqLine aux_irq, std::function<void()> reset_request = {});
  I8042(const I8042&) = delete;
  I8042& operator=(const I8042&) = delete;

  // Power-on state of the controller and both devices: command byte 0x03
  // (both interrupts on, no translation, as QEMU without firmware), status
  // 0x18, output port 0xcf, queues empty, IRQs low.
  void reset();

  // One-port windows: dataPort() at kDataPort, commandPort() at kCommandPort.
  MmioHandler* dataPort() { return &data_port_; }
  MmioHandler* commandPort() { return &command_port_; }

  // A key event in scan code set 2: the bytes of one make or break code,
  // e.g. {0x1c} (A pressed), {0xf0, 0x1c} (A released), {0xe0, 0x75} (up
  // arrow pressed). Dropped while the keyboard is disabled (0xf5); when its
  // queue is full, the event is replaced by an overrun code.
  void pressKey(std::span<const uint8_t> set2_codes);
  void pressKey(std::initializer_list<uint8_t> set2_codes) {
    pressKey(std::span<const uint8_t>(set2_codes.begin(), set2_codes.size()));
  }
  // Relative mouse motion: dx > 0 right, dy > 0 down (screen direction; the
  // mouse reports up as positive), dz wheel clicks (> 0 towards the user),
  // `buttons` the kButton* bits held now. Ignored while reporting is
  // disabled; accumulated in remote mode until the guest reads it (0xeb).
  void moveMouse(int dx, int dy, int dz, unsigned buttons);

  // Introspection for tests and monitors.
  uint8_t status() const;
  uint8_t commandByte() const { return ram_[0]; }
  uint8_t outputPort() const { return outport_; }
  bool a20() const { return outport_ & kOutA20; }
  bool kbdIrqLevel() const { return kbd_level_; }
  bool auxIrqLevel() const { return aux_level_; }
  uint8_t keyboardLeds() const { return kbd_.leds; }
  int scancodeSet() const { return kbd_.set; }
  bool keyboardScanning() const { return kbd_.scanning; }
  bool mouseReporting() const { return mouse_.enabled; }
  bool mouseRemoteMode() const { return mouse_.remote; }
  uint8_t mouseSampleRate() const { return mouse_.rate; }
  uint8_t mouseResolution() const { return mouse_.resolution; }
  uint8_t mouseId() const { return mouse_.id; }

  // The set 2 -> set 1 translation of one byte (the 8042's table).
  static uint8_t translateSet2(uint8_t code);

 private:
  // Bytes a device holds for the controller. Events (keys, packets) stop at
  // kQueueLimit bytes; command replies may use the headroom above it.
  static constexpr size_t kQueueLimit = 16;
  static constexpr size_t kQueueMax = 64;

  struct Keyboard {
    std::deque<uint8_t> queue;
    bool scanning = true;
    int set = 2;
    uint8_t leds = 0;
    uint8_t typematic = 0x2b;
    int arg_cmd = -1;       // command waiting for its argument byte
    bool key_list = false;  // after 0xfb-0xfd: key codes follow
    uint8_t last = 0xfa;    // last byte sent, for 0xfe resend
  };

  struct Mouse {
    std::deque<uint8_t> queue;
    bool enabled = false, remote = false, wrap = false, scale21 = false;
    uint8_t rate = 100, resolution = 2, id = 0;
    int detect = 0;   // progress through an IntelliMouse sample rate sequence
    int arg_cmd = -1;
    int dx = 0, dy = 0, dz = 0;  // accumulated motion, PS/2 directions (y up)
    unsigned buttons = 0;
    bool buttons_changed = false;
    std::vector<uint8_t> last;  // last reply or packet, for 0xfe resend
  };

  class Port : public MmioHandler {
   public:
    Port(I8042& c, bool command) : c_(c), command_(command) {}
    uint64_t read(uint64_t offset, unsigned size) override;
    void write(uint64_t offset, uint64_t value, unsigned size) override;

   private:
    I8042& c_;
    bool command_;
  };

  uint8_t readData();
  void writeData(uint8_t v);
  void writeCommand(uint8_t v);
  void commandData(uint8_t cmd, uint8_t v);
  void reply(uint8_t v, bool aux = false);
  void setCommandByte(uint8_t v);
  void writeOutputPort(uint8_t v);
  void fill();       // loads the output buffer from the queues if it is empty
  void updateIrq();  // drives IRQ 1 / 12 from OBF and the command byte
  void sync() {
    fill();
    updateIrq();
  }

  void kbdWrite(uint8_t v);
  void kbdCommand(uint8_t v);
  void kbdDefaults();
  void kbdQueue(std::initializer_list<uint8_t> bytes);
  void mouseWrite(uint8_t v);
  void mouseCommand(uint8_t v);
  void mouseDefaults();
  void mouseQueue(std::initializer_list<uint8_t> bytes);
  void mousePacket(bool stream);
  void mouseFlush();  // stream mode: turns accumulated motion into packets

  IrqLine kbd_irq_, aux_irq_;
  std::function<void()> reset_request_;
  Port data_port_{*this, false};
  Port command_port_{*this, true};

  uint8_t ram_[32] = {};  // ram_[0] is the command byte
  uint8_t outport_ = 0;
  bool sys_flag_ = false;
  bool last_was_command_ = true;
  int pending_cmd_ = -1;  // controller command waiting for a data byte
  bool ob_full_ = false, ob_aux_ = false;
  uint8_t ob_ = 0;
  std::deque<std::pair<uint8_t, bool>> replies_;  // controller replies (byte, aux) not yet loaded
  bool xlat_break_ = false;  // translation saw a 0xf0 prefix
  bool kbd_level_ = false, aux_level_ = false;

  Keyboard kbd_;
  Mouse mouse_;
};

}  // namespace mimic::hw
