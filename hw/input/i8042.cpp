#include "hw/input/i8042.h"

#include <algorithm>
#include <array>

#include "util/log.h"

namespace mimic::hw {

namespace {

// Keyboard replies.
constexpr uint8_t kAck = 0xfa;
constexpr uint8_t kResend = 0xfe;
constexpr uint8_t kBatOk = 0xaa;
constexpr uint8_t kEcho = 0xee;

// Scan code set 2 -> set 1, key by key (the 8042 translates with the same
// table). The first group are the keys of a 101/102-key keyboard in set 1
// order; keys sent with an 0xe0 prefix use the same second byte as their
// base key (or their own entry below).
struct Pair {
  uint8_t set2, set1;
};
constexpr Pair kSet2ToSet1[] = {
    // Esc, 1-0, -, =, Backspace, Tab
    {0x76, 0x01}, {0x16, 0x02}, {0x1e, 0x03}, {0x26, 0x04}, {0x25, 0x05}, {0x2e, 0x06}, {0x36, 0x07},
    {0x3d, 0x08}, {0x3e, 0x09}, {0x46, 0x0a}, {0x45, 0x0b}, {0x4e, 0x0c}, {0x55, 0x0d}, {0x66, 0x0e},
    {0x0d, 0x0f},
    // Q-P, [, ], Enter, Left Ctrl
    {0x15, 0x10}, {0x1d, 0x11}, {0x24, 0x12}, {0x2d, 0x13}, {0x2c, 0x14}, {0x35, 0x15}, {0x3c, 0x16},
    {0x43, 0x17}, {0x44, 0x18}, {0x4d, 0x19}, {0x54, 0x1a}, {0x5b, 0x1b}, {0x5a, 0x1c}, {0x14, 0x1d},
    // A-L, ;, ', `, Left Shift, backslash
    {0x1c, 0x1e}, {0x1b, 0x1f}, {0x23, 0x20}, {0x2b, 0x21}, {0x34, 0x22}, {0x33, 0x23}, {0x3b, 0x24},
    {0x42, 0x25}, {0x4b, 0x26}, {0x4c, 0x27}, {0x52, 0x28}, {0x0e, 0x29}, {0x12, 0x2a}, {0x5d, 0x2b},
    // Z-M, comma, period, slash, Right Shift, keypad *, Left Alt, Space, Caps Lock
    {0x1a, 0x2c}, {0x22, 0x2d}, {0x21, 0x2e}, {0x2a, 0x2f}, {0x32, 0x30}, {0x31, 0x31}, {0x3a, 0x32},
    {0x41, 0x33}, {0x49, 0x34}, {0x4a, 0x35}, {0x59, 0x36}, {0x7c, 0x37}, {0x11, 0x38}, {0x29, 0x39},
    {0x58, 0x3a},
    // F1-F10 (F7's position is 0x02; the key itself sends 0x83, below)
    {0x05, 0x3b}, {0x06, 0x3c}, {0x04, 0x3d}, {0x0c, 0x3e}, {0x03, 0x3f}, {0x0b, 0x40}, {0x02, 0x41},
    {0x0a, 0x42}, {0x01, 0x43}, {0x09, 0x44},
    // Num Lock, Scroll Lock, keypad 7 8 9 - 4 5 6 + 1 2 3 0 .
    {0x77, 0x45}, {0x7e, 0x46}, {0x6c, 0x47}, {0x75, 0x48}, {0x7d, 0x49}, {0x7b, 0x4a}, {0x6b, 0x4b},
    {0x73, 0x4c}, {0x74, 0x4d}, {0x79, 0x4e}, {0x69, 0x4f}, {0x72, 0x50}, {0x7a, 0x51}, {0x70, 0x52},
    {0x71, 0x53},
    // SysRq's position (the key sends 0x84), the 102nd key, F11, F12
    {0x7f, 0x54}, {0x61, 0x56}, {0x78, 0x57}, {0x07, 0x58},
    // Windows keys, Menu, Power, Sleep, Wake (all after 0xe0)
    {0x1f, 0x5b}, {0x27, 0x5c}, {0x2f, 0x5d}, {0x37, 0x5e}, {0x3f, 0x5f}, {0x5e, 0x63},
    // F13-F24 (and, after 0xe0, the browser keys)
    {0x08, 0x64}, {0x10, 0x65}, {0x18, 0x66}, {0x20, 0x67}, {0x28, 0x68}, {0x30, 0x69}, {0x38, 0x6a},
    {0x40, 0x6b}, {0x48, 0x6c}, {0x50, 0x6d}, {0x57, 0x6e}, {0x5f, 0x76},
    // Katakana/Hiragana, Ro, Henkan, Muhenkan, Yen, keypad comma
    {0x13, 0x70}, {0x51, 0x73}, {0x64, 0x79}, {0x67, 0x7b}, {0x6a, 0x7d}, {0x6d, 0x7e},
    // The remaining positions of the 8042's table (keys of other layouts)
    {0x0f, 0x59}, {0x17, 0x5a}, {0x19, 0x71}, {0x39, 0x72}, {0x47, 0x60}, {0x4f, 0x61}, {0x53, 0x74},
    {0x56, 0x62}, {0x5c, 0x75}, {0x60, 0x55}, {0x62, 0x77}, {0x63, 0x78}, {0x65, 0x7a}, {0x68, 0x7c},
    {0x6e, 0x7f},
    // Key detection error / overrun, F7, Alt+SysRq
    {0x00, 0xff}, {0x83, 0x41}, {0x84, 0x54},
};

// Over 0x00-0x7f the table is one to one; 0x80-0xff (replies, prefixes)
// pass unchanged but for F7 and Alt+SysRq.
constexpr std::array<uint8_t, 256> makeTranslation() {
  std::array<uint8_t, 256> t{};
  for (int i = 0; i < 256; i++) t[i] = static_cast<uint8_t>(i);
  for (const Pair& p : kSet2ToSet1) t[p.set2] = p.set1;
  return t;
}
constexpr std::array<uint8_t, 256> kTranslation = makeTranslation();

const char* deviceName(bool command) { return command ? "i8042 command/status port" : "i8042 data port"; }

uint64_t allOnes(unsigned size) { return size >= 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * size)) - 1; }

}  // namespace

uint8_t I8042::translateSet2(uint8_t code) { return kTranslation[code]; }

I8042::I8042(IrqLine kbd_irq, IrqLine aux_irq, std::function<void()> reset_request)
    : kbd_irq_(kbd_irq), aux_irq_(aux_irq), reset_request_(std::move(reset_request)) {
  reset();
}

void I8042::reset() {
  std::fill(std::begin(ram_), std::end(ram_), 0);
  ram_[0] = kCtrKbdInt | kCtrAuxInt;
  outport_ = 0xcc | kOutReset | kOutA20;
  sys_flag_ = false;
  last_was_command_ = true;
  pending_cmd_ = -1;
  ob_full_ = ob_aux_ = false;
  ob_ = 0;
  replies_.clear();
  xlat_break_ = false;
  kbd_ = Keyboard{};
  mouse_ = Mouse{};
  updateIrq();
}

// ---------------------------------------------------------------------------
// Port windows

uint64_t I8042::Port::read(uint64_t offset, unsigned size) {
  if (size != 1 || offset != 0) {
    log::logf(log::kGuestErrors, "{}: {}-byte read at offset {:#x} ignored (one byte-wide register)\n",
              deviceName(command_), size, offset);
    return allOnes(size);
  }
  return command_ ? c_.status() : c_.readData();
}

void I8042::Port::write(uint64_t offset, uint64_t value, unsigned size) {
  if (size != 1 || offset != 0) {
    log::logf(log::kGuestErrors, "{}: {}-byte write of {:#x} at offset {:#x} ignored (one byte-wide register)\n",
              deviceName(command_), size, value, offset);
    return;
  }
  if (command_) {
    c_.writeCommand(static_cast<uint8_t>(value));
  } else {
    c_.writeData(static_cast<uint8_t>(value));
  }
}

// ---------------------------------------------------------------------------
// Controller

uint8_t I8042::status() const {
  uint8_t s = kStatUnlocked;
  if (ob_full_) s |= kStatOutputFull;
  if (ob_full_ && ob_aux_) s |= kStatAuxData;
  if (sys_flag_) s |= kStatSystem;
  if (last_was_command_) s |= kStatCommand;
  return s;
}

void I8042::fill() {
  if (ob_full_) return;
  if (!replies_.empty()) {
    ob_ = replies_.front().first;
    ob_aux_ = replies_.front().second;
    replies_.pop_front();
    ob_full_ = true;
    return;
  }
  if (!(ram_[0] & kCtrKbdDisable) && !kbd_.queue.empty()) {
    uint8_t b = kbd_.queue.front();
    kbd_.queue.pop_front();
    kbd_.last = b;
    if (ram_[0] & kCtrTranslate) {
      if (b == 0xf0) {
        // A break prefix: it becomes bit 7 of the next byte.
        xlat_break_ = true;
        if (kbd_.queue.empty()) return;
        b = kbd_.queue.front();
        kbd_.queue.pop_front();
        kbd_.last = b;
      }
      b = static_cast<uint8_t>(kTranslation[b] | (xlat_break_ ? 0x80 : 0));
      xlat_break_ = false;
    }
    ob_ = b;
    ob_aux_ = false;
    ob_full_ = true;
    return;
  }
  if (!(ram_[0] & kCtrAuxDisable) && !mouse_.queue.empty()) {
    ob_ = mouse_.queue.front();
    mouse_.queue.pop_front();
    ob_aux_ = true;
    ob_full_ = true;
    mouseFlush();  // room again for pending motion
  }
}

void I8042::updateIrq() {
  bool k = ob_full_ && !ob_aux_ && (ram_[0] & kCtrKbdInt);
  bool a = ob_full_ && ob_aux_ && (ram_[0] & kCtrAuxInt);
  if (k != kbd_level_) {
    kbd_level_ = k;
    kbd_irq_.set(k);
  }
  if (a != aux_level_) {
    aux_level_ = a;
    aux_irq_.set(a);
  }
}

uint8_t I8042::readData() {
  uint8_t v = ob_;
  if (!ob_full_) return v;  // nothing new: the last byte again
  ob_full_ = false;
  updateIrq();  // the line drops, and rises again below if more data follows
  sync();
  return v;
}

void I8042::reply(uint8_t v, bool aux) {
  if (replies_.size() >= kQueueMax) {
    log::logf(log::kGuestErrors, "i8042: controller reply {:#04x} dropped: {} replies not read\n", v,
              replies_.size());
    return;
  }
  replies_.emplace_back(v, aux);
}

void I8042::setCommandByte(uint8_t v) {
  ram_[0] = v;
  if (v & kCtrSystem) sys_flag_ = true;
}

void I8042::writeOutputPort(uint8_t v) {
  outport_ = v;
  if (!(v & kOutReset)) {
    log::logf(log::kBoard, "i8042: output port {:#04x}: system reset requested\n", v);
    if (reset_request_) reset_request_();
  }
}

void I8042::writeCommand(uint8_t v) {
  last_was_command_ = true;
  if (pending_cmd_ >= 0) {
    log::logf(log::kGuestErrors, "i8042: command {:#04x} replaces command {:#04x} still waiting for its data byte\n",
              v, pending_cmd_);
    pending_cmd_ = -1;
  }
  if (v >= 0x20 && v <= 0x3f) {
    reply(ram_[v & 0x1f]);
  } else if (v >= 0x60 && v <= 0x7f) {
    pending_cmd_ = v;
  } else if (v >= 0xf0) {
    // Pulse output port bits 0-3: a 0 bit is pulsed. Only bit 0 (reset)
    // does anything here.
    if (!(v & 1)) {
      log::logf(log::kBoard, "i8042: command {:#04x} pulses the reset line: system reset requested\n", v);
      if (reset_request_) reset_request_();
    }
  } else {
    switch (v) {
      case 0xa7:
        ram_[0] |= kCtrAuxDisable;
        break;
      case 0xa8:
        ram_[0] &= static_cast<uint8_t>(~kCtrAuxDisable);
        break;
      case 0xa9:  // aux interface test: no error
        reply(0x00);
        break;
      case 0xaa:  // self test: passed
        sys_flag_ = true;
        reply(0x55);
        break;
      case 0xab:  // keyboard interface test: no error
        reply(0x00);
        break;
      case 0xad:
        ram_[0] |= kCtrKbdDisable;
        break;
      case 0xae:
        ram_[0] &= static_cast<uint8_t>(~kCtrKbdDisable);
        break;
      case 0xc0:  // input port: bit 7 keyboard not inhibited
        reply(0x80);
        break;
      case 0xd0: {
        uint8_t p = outport_ & static_cast<uint8_t>(~(kOutKbdFull | kOutAuxFull));
        if (ob_full_) p |= ob_aux_ ? kOutAuxFull : kOutKbdFull;
        reply(p);
        break;
      }
      case 0xd1:
      case 0xd2:
      case 0xd3:
      case 0xd4:
        pending_cmd_ = v;
        break;
      case 0xdd:
        outport_ &= static_cast<uint8_t>(~kOutA20);
        break;
      case 0xdf:
        outport_ |= kOutA20;
        break;
      default:
        log::logf(log::kGuestErrors, "i8042: unknown controller command {:#04x} ignored\n", v);
        break;
    }
  }
  sync();
}

void I8042::commandData(uint8_t cmd, uint8_t v) {
  if (cmd == 0x60) {
    setCommandByte(v);
  } else if (cmd > 0x60 && cmd <= 0x7f) {
    ram_[cmd & 0x1f] = v;
  } else {
    switch (cmd) {
      case 0xd1:
        writeOutputPort(v);
        break;
      case 0xd2:
        reply(v, false);
        break;
      case 0xd3:
        reply(v, true);
        break;
      case 0xd4:
        ram_[0] &= static_cast<uint8_t>(~kCtrAuxDisable);  // talking to the mouse enables its port
        mouseWrite(v);
        break;
      default:
        break;
    }
  }
}

void I8042::writeData(uint8_t v) {
  last_was_command_ = false;
  if (pending_cmd_ >= 0) {
    uint8_t cmd = static_cast<uint8_t>(pending_cmd_);
    pending_cmd_ = -1;
    commandData(cmd, v);
  } else {
    ram_[0] &= static_cast<uint8_t>(~kCtrKbdDisable);  // talking to the keyboard enables its port
    kbdWrite(v);
  }
  sync();
}

// ---------------------------------------------------------------------------
// Keyboard

void I8042::kbdQueue(std::initializer_list<uint8_t> bytes) {
  for (uint8_t b : bytes) {
    if (kbd_.queue.size() >= kQueueMax) {
      log::logf(log::kGuestErrors, "i8042: keyboard reply {:#04x} dropped: {} bytes not read\n", b,
                kbd_.queue.size());
      continue;
    }
    kbd_.queue.push_back(b);
  }
}

void I8042::kbdDefaults() {
  kbd_.set = 2;
  kbd_.leds = 0;
  kbd_.typematic = 0x2b;  // 10.9 characters/s after 500 ms
  kbd_.key_list = false;
  kbd_.queue.clear();
}

void I8042::kbdWrite(uint8_t v) {
  if (kbd_.arg_cmd >= 0) {
    int cmd = kbd_.arg_cmd;
    kbd_.arg_cmd = -1;
    if (v < 0xed) {
      switch (cmd) {
        case 0xed:
          if (v & 0xf8) log::logf(log::kGuestErrors, "i8042: keyboard LED byte {:#04x} has reserved bits\n", v);
          kbd_.leds = v & 7;
          kbdQueue({kAck});
          break;
        case 0xf3:
          kbd_.typematic = v & 0x7f;
          kbdQueue({kAck});
          break;
        case 0xf0:
          if (v == 0) {
            kbdQueue({kAck, static_cast<uint8_t>(kbd_.set)});
          } else if (v <= 3) {
            kbd_.set = v;
            if (v == 3) log::logf(log::kUnimp, "i8042: scan code set 3 selected: keys are sent in set 2\n");
            kbdQueue({kAck});
          } else {
            log::logf(log::kGuestErrors, "i8042: keyboard scan code set {} does not exist\n", v);
            kbdQueue({kResend});
          }
          break;
        default:
          break;
      }
      return;
    }
    // A command instead of the argument: the keyboard takes the command.
  }
  if (kbd_.key_list) {
    if (v < 0xed) {
      kbdQueue({kAck});  // a key for 0xfb-0xfd: accepted, no effect
      return;
    }
    kbd_.key_list = false;
  }
  kbdCommand(v);
}

void I8042::kbdCommand(uint8_t v) {
  switch (v) {
    case 0xed:  // set LEDs
    case 0xf0:  // get/set scan code set
    case 0xf3:  // typematic rate/delay
      kbd_.arg_cmd = v;
      kbdQueue({kAck});
      break;
    case 0xee:
      kbdQueue({kEcho});
      break;
    case 0xf2:  // identify: MF2 keyboard
      kbdQueue({kAck, 0xab, 0x83});
      break;
    case 0xf4:
      kbd_.scanning = true;
      kbdQueue({kAck});
      break;
    case 0xf5:
      kbdDefaults();
      kbd_.scanning = false;
      kbdQueue({kAck});
      break;
    case 0xf6:
      kbdDefaults();
      kbd_.scanning = true;
      kbdQueue({kAck});
      break;
    case 0xf7:  // set 3: all keys typematic / make-break / make / all
    case 0xf8:
    case 0xf9:
    case 0xfa:
      kbdQueue({kAck});
      break;
    case 0xfb:  // set 3: these keys typematic / make-break / make
    case 0xfc:
    case 0xfd:
      kbd_.key_list = true;
      kbdQueue({kAck});
      break;
    case 0xfe:
      kbdQueue({kbd_.last});
      break;
    case 0xff:
      kbdDefaults();
      kbd_.scanning = true;
      kbdQueue({kAck, kBatOk});
      break;
    default:
      log::logf(log::kGuestErrors, "i8042: unknown keyboard command {:#04x}\n", v);
      kbdQueue({kResend});
      break;
  }
}

void I8042::pressKey(std::span<const uint8_t> codes) {
  if (!kbd_.scanning || codes.empty()) return;
  std::vector<uint8_t> out;
  if (kbd_.set == 1) {
    bool brk = false;
    for (uint8_t c : codes) {
      if (c == 0xf0) {
        brk = true;
      } else if (c == 0xe0 || c == 0xe1) {
        out.push_back(c);
      } else {
        out.push_back(static_cast<uint8_t>(kTranslation[c] | (brk ? 0x80 : 0)));
        brk = false;
      }
    }
  } else {
    out.assign(codes.begin(), codes.end());
  }
  if (kbd_.queue.size() + out.size() > kQueueLimit) {
    // Buffer overrun: the event is lost, the host gets the overrun code.
    uint8_t overrun = kbd_.set == 1 ? 0xff : 0x00;
    if (kbd_.queue.size() <= kQueueLimit && (kbd_.queue.empty() || kbd_.queue.back() != overrun)) {
      kbd_.queue.push_back(overrun);
    }
  } else {
    kbd_.queue.insert(kbd_.queue.end(), out.begin(), out.end());
  }
  sync();
}

// ---------------------------------------------------------------------------
// Mouse

void I8042::mouseQueue(std::initializer_list<uint8_t> bytes) {
  mouse_.last.assign(bytes.begin(), bytes.end());
  for (uint8_t b : bytes) {
    if (mouse_.queue.size() >= kQueueMax) {
      log::logf(log::kGuestErrors, "i8042: mouse reply {:#04x} dropped: {} bytes not read\n", b,
                mouse_.queue.size());
      continue;
    }
    mouse_.queue.push_back(b);
  }
}

void I8042::mouseDefaults() {
  mouse_.enabled = false;
  mouse_.remote = false;
  mouse_.wrap = false;
  mouse_.scale21 = false;
  mouse_.rate = 100;
  mouse_.resolution = 2;  // 4 counts/mm
  mouse_.detect = 0;
  mouse_.arg_cmd = -1;
  mouse_.dx = mouse_.dy = mouse_.dz = 0;
  mouse_.buttons_changed = false;
}

void I8042::mouseWrite(uint8_t v) {
  if (mouse_.wrap && v != 0xec && v != 0xff) {
    mouse_.queue.push_back(v);  // wrap (echo) mode
    if (mouse_.queue.size() > kQueueMax) mouse_.queue.pop_front();
    return;
  }
  if (mouse_.arg_cmd >= 0) {
    int cmd = mouse_.arg_cmd;
    mouse_.arg_cmd = -1;
    if (v < 0xe6) {
      if (cmd == 0xe8) {
        if (v <= 3) {
          mouse_.resolution = v;
          mouseQueue({kAck});
        } else {
          log::logf(log::kGuestErrors, "i8042: mouse resolution {:#04x} does not exist\n", v);
          mouseQueue({kResend});
        }
      } else {  // 0xf3
        if (v == 0) {
          log::logf(log::kGuestErrors, "i8042: mouse sample rate 0 rejected\n");
          mouseQueue({kResend});
          return;
        }
        mouse_.rate = v;
        // IntelliMouse knocks: 200, 100, 80 -> ID 3; 200, 200, 80 -> ID 4.
        mouse_.detect = (mouse_.detect << 8 | v) & 0xffffff;
        if (mouse_.detect == (200 << 16 | 100 << 8 | 80)) mouse_.id = 3;
        if (mouse_.detect == (200 << 16 | 200 << 8 | 80)) mouse_.id = 4;
        mouseQueue({kAck});
      }
      return;
    }
    // A command instead of the argument.
  }
  mouseCommand(v);
}

void I8042::mouseCommand(uint8_t v) {
  switch (v) {
    case 0xe6:
      mouse_.scale21 = false;
      mouseQueue({kAck});
      break;
    case 0xe7:
      mouse_.scale21 = true;
      mouseQueue({kAck});
      break;
    case 0xe8:  // resolution
    case 0xf3:  // sample rate
      mouse_.arg_cmd = v;
      mouseQueue({kAck});
      break;
    case 0xe9: {  // status request
      uint8_t s = 0;
      if (mouse_.remote) s |= 0x40;
      if (mouse_.enabled) s |= 0x20;
      if (mouse_.scale21) s |= 0x10;
      if (mouse_.buttons & kButtonLeft) s |= 0x04;
      if (mouse_.buttons & kButtonMiddle) s |= 0x02;
      if (mouse_.buttons & kButtonRight) s |= 0x01;
      mouseQueue({kAck, s, mouse_.resolution, mouse_.rate});
      break;
    }
    case 0xea:
      mouse_.remote = false;
      mouse_.dx = mouse_.dy = mouse_.dz = 0;
      mouseQueue({kAck});
      break;
    case 0xeb:  // read data
      mouseQueue({kAck});
      mousePacket(false);
      break;
    case 0xec:
      mouse_.wrap = false;
      mouseQueue({kAck});
      break;
    case 0xee:
      mouse_.wrap = true;
      mouse_.dx = mouse_.dy = mouse_.dz = 0;
      mouseQueue({kAck});
      break;
    case 0xf0:
      mouse_.remote = true;
      mouse_.dx = mouse_.dy = mouse_.dz = 0;
      mouseQueue({kAck});
      break;
    case 0xf2:
      mouse_.dx = mouse_.dy = mouse_.dz = 0;
      mouseQueue({kAck, mouse_.id});
      break;
    case 0xf4:
      mouse_.enabled = true;
      mouse_.dx = mouse_.dy = mouse_.dz = 0;
      mouseQueue({kAck});
      break;
    case 0xf5:
      mouse_.enabled = false;
      mouse_.dx = mouse_.dy = mouse_.dz = 0;
      mouseQueue({kAck});
      break;
    case 0xf6:
      mouseDefaults();
      mouseQueue({kAck});
      break;
    case 0xfe: {
      std::vector<uint8_t> again = mouse_.last;
      for (uint8_t b : again)
        if (mouse_.queue.size() < kQueueMax) mouse_.queue.push_back(b);
      break;
    }
    case 0xff:
      mouseDefaults();
      mouse_.id = 0;
      mouse_.queue.clear();
      mouseQueue({kAck, kBatOk, 0x00});
      break;
    default:
      log::logf(log::kGuestErrors, "i8042: unknown mouse command {:#04x}\n", v);
      mouseQueue({kResend});
      break;
  }
}

// One movement packet from the accumulated motion (what fits in it is taken
// off the accumulators). 2:1 scaling applies to stream mode only.
void I8042::mousePacket(bool stream) {
  Mouse& m = mouse_;
  int dx = std::clamp(m.dx, -256, 255);
  int dy = std::clamp(m.dy, -256, 255);
  int dz = m.id == 4 ? std::clamp(m.dz, -8, 7) : m.id == 3 ? std::clamp(m.dz, -127, 127) : 0;
  m.dx -= dx;
  m.dy -= dy;
  m.dz -= dz;
  uint8_t b0 = static_cast<uint8_t>(0x08 | (m.buttons & 0x07));
  if (stream && m.scale21) {
    auto scale = [](int v, uint8_t ovf, uint8_t& flags) {
      static constexpr int kSmall[6] = {0, 1, 1, 3, 6, 9};
      int a = v < 0 ? -v : v;
      int s = a < 6 ? kSmall[a] : 2 * a;
      s = v < 0 ? -s : s;
      if (s > 255 || s < -256) {
        flags |= ovf;
        s = std::clamp(s, -256, 255);
      }
      return s;
    };
    dx = scale(dx, 0x40, b0);
    dy = scale(dy, 0x80, b0);
  }
  if (dx < 0) b0 |= 0x10;
  if (dy < 0) b0 |= 0x20;
  uint8_t bx = static_cast<uint8_t>(dx & 0xff), by = static_cast<uint8_t>(dy & 0xff);
  if (m.id == 3) {
    mouseQueue({b0, bx, by, static_cast<uint8_t>(dz & 0xff)});
  } else if (m.id == 4) {
    mouseQueue({b0, bx, by, static_cast<uint8_t>((dz & 0x0f) | ((m.buttons & 0x18) << 1))});
  } else {
    mouseQueue({b0, bx, by});
  }
  m.buttons_changed = false;
}

void I8042::mouseFlush() {
  Mouse& m = mouse_;
  if (!m.enabled || m.remote || m.wrap) return;
  size_t size = m.id == 0 ? 3 : 4;
  while ((m.dx || m.dy || m.dz || m.buttons_changed) && m.queue.size() + size <= kQueueLimit) mousePacket(true);
}

void I8042::moveMouse(int dx, int dy, int dz, unsigned buttons) {
  Mouse& m = mouse_;
  if (!m.enabled) return;
  constexpr int kMax = 1 << 16;  // bounds the backlog of a huge move
  m.dx = std::clamp(m.dx + std::clamp(dx, -kMax, kMax), -kMax, kMax);
  m.dy = std::clamp(m.dy - std::clamp(dy, -kMax, kMax), -kMax, kMax);
  m.dz = std::clamp(m.dz + std::clamp(dz, -kMax, kMax), -kMax, kMax);
  buttons &= 0x1f;
  if (buttons != m.buttons) m.buttons_changed = true;
  m.buttons = buttons;
  mouseFlush();
  sync();
}

}  // namespace mimic::hw
