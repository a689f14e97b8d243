#include "hw/char/serial16550.h"

#include "util/log.h"

namespace mimic::hw {

namespace {

// LCR
constexpr uint8_t kLcrDlab = 0x80;
// IER
constexpr uint8_t kIerRdi = 0x01, kIerThri = 0x02, kIerRlsi = 0x04, kIerMsi = 0x08;
// IIR interrupt identification (bits 3:0) and FIFO status (bits 7:6)
constexpr uint8_t kIirNoInt = 0x01, kIirMsi = 0x00, kIirThri = 0x02, kIirRdi = 0x04, kIirRlsi = 0x06,
                  kIirCti = 0x0c, kIirFifoBits = 0xc0, kIirIdMask = 0x0f;
// FCR
constexpr uint8_t kFcrEnable = 0x01, kFcrRxReset = 0x02, kFcrTxReset = 0x04;
// MCR
constexpr uint8_t kMcrDtr = 0x01, kMcrRts = 0x02, kMcrOut1 = 0x04, kMcrOut2 = 0x08, kMcrLoop = 0x10;
// LSR
constexpr uint8_t kLsrDr = 0x01, kLsrOe = 0x02, kLsrBi = 0x10, kLsrThre = 0x20, kLsrTemt = 0x40,
                  kLsrIntAny = 0x1e;
// MSR
constexpr uint8_t kMsrCts = 0x10, kMsrDsr = 0x20, kMsrRi = 0x40, kMsrDcd = 0x80, kMsrAnyDelta = 0x0f;

const char* const kRegNames[8] = {"RBR/THR", "IER", "IIR/FCR", "LCR", "MCR", "LSR", "MSR", "SCR"};

}  // namespace

Serial16550::Serial16550(std::string name, Chardev* chr, IrqLine irq, unsigned regshift)
    : name_(std::move(name)), chr_(chr), irq_(irq), regshift_(regshift) {
  if (chr_) chr_->attach(this);
  reset();
}

void Serial16550::reset() {
  rbr_ = 0;
  ier_ = 0;
  iir_ = kIirNoInt;
  lcr_ = 0;
  lsr_ = kLsrTemt | kLsrThre;
  msr_ = kMsrDcd | kMsrDsr | kMsrCts;
  divider_ = 0x0c;  // 9600 baud with the PC clock
  mcr_ = kMcrOut2;
  scr_ = 0;
  fcr_ = 0;
  rx_trigger_ = 1;
  thr_ipending_ = false;
  timeout_ipending_ = false;
  rx_.clear();
  tx_.clear();
  irq_level_ = false;
  irq_.lower();
}

void Serial16550::updateIrq() {
  uint8_t id = kIirNoInt;
  if ((ier_ & kIerRlsi) && (lsr_ & kLsrIntAny)) {
    id = kIirRlsi;
  } else if ((ier_ & kIerRdi) && timeout_ipending_) {
    id = kIirCti;
  } else if ((ier_ & kIerRdi) && (lsr_ & kLsrDr) && (!fifoEnabled() || rx_.count >= rx_trigger_)) {
    id = kIirRdi;
  } else if ((ier_ & kIerThri) && thr_ipending_) {
    id = kIirThri;
  } else if ((ier_ & kIerMsi) && (msr_ & kMsrAnyDelta)) {
    id = kIirMsi;
  }
  iir_ = static_cast<uint8_t>(id | (iir_ & kIirFifoBits));
  bool level = id != kIirNoInt;
  if (level != irq_level_) {
    irq_level_ = level;
    irq_.set(level);
  }
}

// The character timeout, as if it had already expired (see the header).
void Serial16550::updateTimeout() {
  timeout_ipending_ = fifoEnabled() && !rx_.empty() && rx_.count < rx_trigger_;
}

void Serial16550::transmit(uint8_t byte) {
  if (loopback()) {
    receiveByte(byte);
  } else if (chr_) {
    chr_->write(&byte, 1);
  }
}

void Serial16550::receiveByte(uint8_t byte) {
  if (fifoEnabled()) {
    if (rx_.full()) {
      lsr_ |= kLsrOe;  // an overrun never overwrites the FIFO
    } else {
      rx_.push(byte);
    }
  } else {
    if (lsr_ & kLsrDr) lsr_ |= kLsrOe;
    rbr_ = byte;
  }
  lsr_ |= kLsrDr;
}

size_t Serial16550::canReceive() {
  if (loopback()) return 0;  // the line is disconnected in loopback mode
  if (fifoEnabled()) return kFifoSize - rx_.count;
  return (lsr_ & kLsrDr) ? 0 : 1;
}

void Serial16550::receive(const uint8_t* buf, size_t n) {
  for (size_t i = 0; i < n; i++) receiveByte(buf[i]);
  updateTimeout();
  updateIrq();
}

void Serial16550::receiveBreak() {
  rbr_ = 0;
  if (fifoEnabled() && !rx_.full()) rx_.push(0);
  lsr_ |= kLsrBi | kLsrDr;
  updateTimeout();
  updateIrq();
}

void Serial16550::writeFcr(uint8_t v) {
  if (v == fcr_) return;
  // Turning the FIFOs on or off empties them. The reset bits do nothing
  // while the FIFOs stay off.
  bool toggled = (v ^ fcr_) & kFcrEnable;
  if (toggled) v |= kFcrRxReset | kFcrTxReset;
  bool active = toggled || (v & kFcrEnable);
  if (active && (v & kFcrRxReset)) {
    rx_.clear();
    timeout_ipending_ = false;
    lsr_ &= ~(kLsrDr | kLsrBi);
  }
  if (active && (v & kFcrTxReset)) tx_.clear();
  if (v & kFcrEnable) {
    iir_ |= kIirFifoBits;
    static constexpr unsigned kTriggers[4] = {1, 4, 8, 14};
    rx_trigger_ = kTriggers[v >> 6];
  } else {
    iir_ &= static_cast<uint8_t>(~kIirFifoBits);
  }
  fcr_ = v & 0xc9;  // enable, DMA mode and trigger level stick; resets do not
  updateTimeout();
  updateIrq();
}

uint8_t Serial16550::readReg(unsigned reg) {
  switch (reg & 7) {
    case 0:
      if (lcr_ & kLcrDlab) return static_cast<uint8_t>(divider_);
      {
        uint8_t v;
        if (fifoEnabled()) {
          v = rx_.empty() ? 0 : rx_.pop();
          if (rx_.empty()) lsr_ &= ~(kLsrDr | kLsrBi);
        } else {
          v = rbr_;
          lsr_ &= ~(kLsrDr | kLsrBi);
        }
        updateTimeout();
        updateIrq();
        // Room again: take what the backend has queued.
        if (chr_ && !loopback() && !in_pump_) {
          in_pump_ = true;
          chr_->pump();
          in_pump_ = false;
        }
        return v;
      }
    case 1:
      if (lcr_ & kLcrDlab) return static_cast<uint8_t>(divider_ >> 8);
      return ier_;
    case 2: {
      uint8_t v = iir_;
      // Reading IIR acknowledges a THRE interrupt it reports.
      if ((v & kIirIdMask) == kIirThri) {
        thr_ipending_ = false;
        updateIrq();
      }
      return v;
    }
    case 3:
      return lcr_;
    case 4:
      return mcr_;
    case 5: {
      uint8_t v = lsr_;
      if (lsr_ & (kLsrBi | kLsrOe)) {
        lsr_ &= ~(kLsrBi | kLsrOe);
        updateIrq();
      }
      return v;
    }
    case 6:
      if (loopback()) {
        // The modem control outputs are wired back to the status inputs.
        uint8_t v = 0;
        if (mcr_ & kMcrRts) v |= kMsrCts;
        if (mcr_ & kMcrDtr) v |= kMsrDsr;
        if (mcr_ & kMcrOut1) v |= kMsrRi;
        if (mcr_ & kMcrOut2) v |= kMsrDcd;
        return v;
      } else {
        uint8_t v = msr_;
        if (msr_ & kMsrAnyDelta) {
          msr_ &= 0xf0;
          updateIrq();
        }
        return v;
      }
    default:
      return scr_;
  }
}

void Serial16550::writeReg(unsigned reg, uint8_t v) {
  switch (reg & 7) {
    case 0:
      if (lcr_ & kLcrDlab) {
        divider_ = static_cast<uint16_t>((divider_ & 0xff00) | v);
        return;
      }
      if (fifoEnabled()) {
        if (tx_.full()) tx_.pop();  // a transmit overrun overwrites the oldest byte
        tx_.push(v);
      }
      thr_ipending_ = false;
      lsr_ &= ~(kLsrThre | kLsrTemt);
      updateIrq();
      if (fifoEnabled()) {
        while (!tx_.empty()) transmit(tx_.pop());
      } else {
        transmit(v);
      }
      lsr_ |= kLsrThre | kLsrTemt;
      thr_ipending_ = true;
      updateIrq();
      return;
    case 1:
      if (lcr_ & kLcrDlab) {
        divider_ = static_cast<uint16_t>((divider_ & 0x00ff) | (v << 8));
        return;
      } else {
        uint8_t changed = (ier_ ^ v) & 0x0f;
        ier_ = v & 0x0f;
        if (changed & kIerThri) {
          // Enabling the THRE interrupt with the holding register empty
          // raises it at once.
          thr_ipending_ = (ier_ & kIerThri) && (lsr_ & kLsrThre);
        }
        if (changed) updateIrq();
      }
      return;
    case 2:
      writeFcr(v);
      return;
    case 3:
      lcr_ = v;
      return;
    case 4: {
      bool was_loop = loopback();
      mcr_ = v & 0x1f;
      // Leaving loopback reconnects the line: queued input may flow again.
      if (was_loop && !loopback() && chr_ && !in_pump_) {
        in_pump_ = true;
        chr_->pump();
        in_pump_ = false;
      }
      return;
    }
    case 5:
    case 6:
      log::logf(log::kGuestErrors, "{}: write {:#04x} to read-only register {} ignored\n", name_, v,
                kRegNames[reg & 7]);
      return;
    default:
      scr_ = v;
      return;
  }
}

uint64_t Serial16550::read(uint64_t offset, unsigned size) {
  uint64_t reg = offset >> regshift_;
  if (reg > 7) {
    log::logf(log::kGuestErrors, "{}: read of size {} at offset {:#x} outside the registers\n", name_, size,
              offset);
    return 0;
  }
  return readReg(static_cast<unsigned>(reg));
}

void Serial16550::write(uint64_t offset, uint64_t value, unsigned size) {
  uint64_t reg = offset >> regshift_;
  if (reg > 7) {
    log::logf(log::kGuestErrors, "{}: write of size {} at offset {:#x} outside the registers\n", name_, size,
              offset);
    return;
  }
  if (value > 0xff) {
    log::logf(log::kGuestErrors, "{}: value {:#x} written to 8-bit register {} truncated\n", name_, value,
              kRegNames[reg]);
  }
  writeReg(static_cast<unsigned>(reg), static_cast<uint8_t>(value));
}

}  // namespace mimic::hw
