// One gdb connection's protocol: what each GDB remote packet does to the
// machine, through its RunControl. No sockets here: the server feeds
// packets in and sends what `send` gets (whole framed packets and acks).
//
// All-stop mode, one thread (the CPU) reported as thread 1. The machine
// stops when gdb connects; 'c', 's' and vCont resume it and the stop reply
// is sent when it stops again (breakpoint, step, watchpoint, Ctrl-C), or
// "W00" when the guest ends.
#pragma once

#include <functional>
#include <string>

#include "hw/core/run_control.h"

namespace mimic::debug {

class GdbSession {
 public:
  GdbSession(hw::RunControl& ctl, std::function<void(const std::string&)> send);

  // The connection opened: stop the machine (as QEMU does).
  void attach();
  // The connection closed without 'D' or 'k': forget breakpoints, and run
  // on if the machine was running when gdb came or gdb let it run.
  void connectionLost();

  // A packet's payload; returns false when the connection should close
  // (after detach or kill).
  bool handlePacket(const std::string& data);
  // A packet with a bad checksum (asks gdb to resend, unless no-ack mode).
  void badPacket();
  // The interrupt byte (Ctrl-C in gdb).
  void interrupt();
  // A machine event (delivered on the server's thread, in order). Returns
  // false when the connection should close (the guest ended).
  bool onEvent(const hw::MachineEvent& ev);

 private:
  void reply(const std::string& data);
  void resumeTarget(bool step);
  std::string stopReply(const hw::MachineEvent& ev) const;
  bool handleQuery(const std::string& p);
  void handleVCont(const std::string& p);
  void readRegisters();
  void writeRegisters(const std::string& hex);
  void readRegister(const std::string& p);
  void writeRegister(const std::string& p);
  void readMemory(const std::string& p);
  void writeMemory(const std::string& p, bool binary);
  void breakpoint(const std::string& p, bool insert);

  hw::RunControl& ctl_;
  std::function<void(const std::string&)> send_;
  bool no_ack_ = false;
  bool phys_mem_ = false;        // Qqemu.PhyMemMode: m/M/X use physical addresses
  bool waiting_ = false;         // resumed; a stop reply is owed
  bool run_on_loss_ = false;     // running when gdb came, or gdb let it run
  std::string last_stop_ = "S05";
  std::string target_xml_;
};

}  // namespace mimic::debug
