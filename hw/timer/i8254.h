// The Intel 8254 programmable interval timer of the PIIX4 at ISA ports
// 0x40-0x43, clocked at 1.193182 MHz, plus the NMI status/control port
// 0x61 that gates channel 2 and reads its output (speakerPort()).
//
// Counts are computed from the Clock's time (no per-tick work): a channel
// remembers when its count was loaded and derives the counter and OUT from
// the elapsed input clocks. Channel 0's OUT drives ISA IRQ 0; a timer fires
// at each of its transitions (two per period in modes 2 and 3, the terminal
// count in modes 0/1, the strobe in modes 4/5). Channels 0 and 1 have their
// gates tied high; channel 2's gate is port 0x61 bit 0.
//
// Modes as on the real part: 0 interrupt on terminal count, 1 hardware
// one-shot, 2 rate generator, 3 square wave, 4 software strobe, 5 hardware
// strobe (6 and 7 are 2 and 3). In modes 2 and 3 a low gate holds OUT high
// and stops counting, a rising gate restarts the count; in modes 1 and 5 a
// rising gate starts it. Gating in modes 0 and 4 is not modelled (they
// count regardless, as in QEMU).
#pragma once

#include <cstdint>

#include "hw/core/memory.h"
#include "hw/timer/clock.h"

namespace mimic::hw {

class I8254 : public MmioHandler {
 public:
  static constexpr uint32_t kPortBase = 0x40;
  static constexpr uint32_t kPortCount = 4;
  static constexpr uint32_t kSpeakerPort = 0x61;
  static constexpr int64_t kFreqHz = 1193182;

  I8254(Clock& clock, IrqLine irq0);

  // Channels back to the power-on state: mode 3 binary, lobyte/hibyte, no
  // count (QEMU's reset).
  void reset();

  // Ports 0x40-0x43 at offsets 0-3; byte accesses (others use the low byte).
  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, uint64_t value, unsigned size) override;

  // Port 0x61, offset 0: bit 0 gate 2, bit 1 speaker data (read/write),
  // bits 2-3 stored, bit 4 refresh request toggle (every 15.085 us), bit 5
  // OUT2; bits 6-7 read 0.
  MmioHandler& speakerPort() { return speaker_; }

  bool out(int channel);
  void setGate(int channel, bool level);
  bool gate(int channel) const;
  bool irqLevel() const { return irq_level_; }
  bool speakerOn() const { return speaker_data_; }

 private:
  struct Channel {
    uint32_t count = 0x10000;  // reload value in input clocks (0 written = 0x10000 / 10000 BCD)
    uint8_t mode = 3;
    uint8_t mode_bits = 3;     // the mode field as written (6, 7 act as 2, 3)
    uint8_t rw = 3;            // 1 lsb, 2 msb, 3 lsb then msb
    bool bcd = false;
    bool gate = true;
    bool loaded = false;       // a count has been written since the control word
    bool counting = false;     // counting (loaded, and triggered in modes 1/5)
    int64_t load_ns = 0;       // when counting started
    bool write_msb = false;    // next write of a lsb/msb pair is the msb
    uint8_t write_lsb = 0;
    bool read_msb = false;     // next live read of a lsb/msb pair is the msb
    int latched_bytes = 0;     // count latch: bytes left to read (0 none)
    uint16_t latch = 0;
    bool status_latched = false;
    uint8_t status = 0;
    uint16_t held = 0;         // the counter while stopped
  };

  class Speaker : public MmioHandler {
   public:
    explicit Speaker(I8254& pit) : pit_(pit) {}
    uint64_t read(uint64_t offset, unsigned size) override;
    void write(uint64_t offset, uint64_t value, unsigned size) override;

   private:
    I8254& pit_;
  };

  int64_t ticks(const Channel& c, int64_t now) const;  // input clocks since load
  uint32_t counter(const Channel& c, int64_t now) const;  // the counting element, binary value
  bool outAt(const Channel& c, int64_t now) const;
  int64_t nextEdge(const Channel& c, int64_t now, bool* level) const;
  uint16_t encode(const Channel& c, uint32_t v) const;
  uint32_t decode(Channel& c, uint16_t v, int index);
  uint8_t statusByte(const Channel& c, int64_t now) const;
  void latchCount(int i);
  void control(uint8_t v);
  void writeCount(int i, uint8_t v);
  uint8_t readCount(int i);
  void loadCount(int i, uint16_t raw);
  void channelChanged(int i);
  void onTimer();

  Clock& clock_;
  IrqLine irq_;
  int timer_;
  Channel ch_[3];
  bool irq_level_ = false;
  int64_t next_edge_ns_ = INT64_MAX;  // the channel 0 edge the timer is armed for
  bool next_edge_level_ = false;
  bool speaker_data_ = false;
  uint8_t port61_bits23_ = 0;
  Speaker speaker_{*this};
};

}  // namespace mimic::hw
