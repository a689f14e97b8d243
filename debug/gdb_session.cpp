#include "debug/gdb_session.h"

#include <algorithm>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "debug/gdb_packet.h"

namespace mimic::debug {

namespace {

constexpr size_t kMaxMemoryRead = 0x2000;   // bytes per 'm' (its hex fits PacketSize)

bool startsWith(const std::string& s, std::string_view prefix) { return s.compare(0, prefix.size(), prefix) == 0; }

// "ADDR,LEN" (and what follows, if `rest`).
bool parseAddrLen(std::string_view s, uint64_t& addr, uint64_t& len) {
  const size_t comma = s.find(',');
  if (comma == std::string_view::npos) return false;
  auto a = parseHexNumber(s.substr(0, comma));
  auto l = parseHexNumber(s.substr(comma + 1));
  if (!a || !l) return false;
  addr = *a;
  len = *l;
  return true;
}

}  // namespace

GdbSession::GdbSession(hw::RunControl& ctl, std::function<void(const std::string&)> send)
    : ctl_(ctl), send_(std::move(send)) {
  ctl_.runOnCpu([this](tcg::Cpu& cpu) { target_xml_ = cpu.gdbTargetXml(); });
}

void GdbSession::attach() {
  run_on_loss_ = ctl_.running();
  ctl_.pause();
  last_stop_ = "T05thread:01;";
}

void GdbSession::connectionLost() {
  // Back to the run state gdb found (a -S machine a port probe touched
  // stays stopped), or running if gdb had let it run.
  ctl_.clearDebugState();
  if (run_on_loss_) ctl_.resume();
}

void GdbSession::reply(const std::string& data) { send_(framePacket(data)); }

void GdbSession::badPacket() {
  if (!no_ack_) send_("-");
}

void GdbSession::interrupt() {
  if (waiting_) ctl_.pause();   // the Stop event brings the reply
}

std::string GdbSession::stopReply(const hw::MachineEvent& ev) const {
  if (ev.reason != "debug") return "T02thread:01;";   // stopped by Ctrl-C or the monitor
  switch (ev.debug.kind) {
    case hw::DebugStop::Kind::Breakpoint: return "T05swbreak:;thread:01;";
    case hw::DebugStop::Kind::Watch: {
      const char* kind = ev.debug.access == hw::DebugStop::Access::Read     ? "rwatch"
                         : ev.debug.access == hw::DebugStop::Access::Access ? "awatch"
                                                                            : "watch";
      return fmt::format("T05{}:{:x};thread:01;", kind, ev.debug.watch_addr);
    }
    default: return "T05thread:01;";
  }
}

bool GdbSession::onEvent(const hw::MachineEvent& ev) {
  if (ev.kind == hw::MachineEvent::Kind::Shutdown) {
    reply("W00");
    return false;
  }
  if (ev.kind != hw::MachineEvent::Kind::Stop) return true;
  last_stop_ = stopReply(ev);
  if (waiting_) {
    waiting_ = false;
    reply(last_stop_);
  }
  return true;
}

void GdbSession::resumeTarget(bool step) {
  run_on_loss_ = true;
  waiting_ = true;   // before resuming: the stop may come at once
  ctl_.debugResume(step);
}

bool GdbSession::handlePacket(const std::string& p) {
  if (!no_ack_) send_("+");
  if (p.empty()) {
    reply("");
    return true;
  }
  if (waiting_ && p[0] != 'v' && p[0] != 'q') {
    // gdb only interrupts a running target in all-stop mode; anything else
    // is answered once it stops.
    reply("E01");
    return true;
  }
  switch (p[0]) {
    case '?':
      reply(last_stop_);
      return true;
    case 'g':
      readRegisters();
      return true;
    case 'G':
      writeRegisters(p.substr(1));
      return true;
    case 'p':
      readRegister(p.substr(1));
      return true;
    case 'P':
      writeRegister(p.substr(1));
      return true;
    case 'm':
      readMemory(p.substr(1));
      return true;
    case 'M':
      writeMemory(p.substr(1), false);
      return true;
    case 'X':
      writeMemory(p.substr(1), true);
      return true;
    case 'Z':
    case 'z':
      breakpoint(p.substr(1), p[0] == 'Z');
      return true;
    case 'c':
    case 's':
    case 'C':
    case 'S': {
      // c [ADDR], s [ADDR], C SIG[;ADDR], S SIG[;ADDR]: the signal is ignored.
      std::string arg = p.substr(1);
      if (p[0] == 'C' || p[0] == 'S') {
        const size_t semi = arg.find(';');
        arg = semi == std::string::npos ? "" : arg.substr(semi + 1);
      }
      if (!arg.empty()) {
        auto addr = parseHexNumber(arg);
        if (!addr) {
          reply("E01");
          return true;
        }
        ctl_.runOnCpu([&](tcg::Cpu& cpu) { cpu.setPc(*addr); });
      }
      resumeTarget(p[0] == 's' || p[0] == 'S');
      return true;
    }
    case 'H':
    case 'T':
      reply("OK");   // one thread
      return true;
    case 'D':
      ctl_.clearDebugState();
      reply("OK");
      ctl_.resume();
      return false;
    case 'k':
      ctl_.quit();
      return false;
    case 'q':
    case 'Q':
      if (!handleQuery(p)) reply("");
      return true;
    case 'v':
      if (startsWith(p, "vCont?")) {
        reply("vCont;c;C;s;S");
      } else if (startsWith(p, "vCont;")) {
        handleVCont(p);
      } else if (startsWith(p, "vKill")) {
        reply("OK");
        ctl_.quit();
        return false;
      } else {
        reply("");   // vMustReplyEmpty, vFile... : not supported
      }
      return true;
    default:
      reply("");
      return true;
  }
}

bool GdbSession::handleQuery(const std::string& p) {
  if (startsWith(p, "qSupported")) {
    reply("PacketSize=4000;qXfer:features:read+;QStartNoAckMode+;swbreak+;hwbreak+;vContSupported+");
  } else if (p == "QStartNoAckMode") {
    reply("OK");
    no_ack_ = true;
  } else if (startsWith(p, "qXfer:features:read:")) {
    // qXfer:features:read:ANNEX:OFFSET,LENGTH
    std::string rest = p.substr(20);
    const size_t colon = rest.find(':');
    uint64_t off = 0, len = 0;
    if (colon == std::string::npos || !parseAddrLen(std::string_view(rest).substr(colon + 1), off, len)) {
      reply("E01");
    } else if (rest.substr(0, colon) != "target.xml") {
      reply("E00");
    } else if (off >= target_xml_.size()) {
      reply("l");
    } else {
      const std::string chunk = target_xml_.substr(off, std::min<uint64_t>(len, 0x3000));
      reply((off + chunk.size() >= target_xml_.size() ? "l" : "m") + chunk);
    }
  } else if (p == "qAttached" || startsWith(p, "qAttached:")) {
    reply("1");
  } else if (p == "qOffsets") {
    reply("Text=0;Data=0;Bss=0");
  } else if (p == "qC") {
    reply("QC1");
  } else if (p == "qfThreadInfo") {
    reply("m1");
  } else if (p == "qsThreadInfo") {
    reply("l");
  } else if (startsWith(p, "qThreadExtraInfo")) {
    reply(toHex(ctl_.running() ? "CPU#0 [running]" : "CPU#0 [halted]"));
  } else if (startsWith(p, "qSymbol")) {
    reply("OK");
  } else if (startsWith(p, "Qqemu.PhyMemMode:")) {
    // gdb: maintenance packet Qqemu.PhyMemMode:1 (QEMU's convention).
    const std::string v = p.substr(17);
    if (v != "0" && v != "1") {
      reply("E22");
    } else {
      phys_mem_ = v == "1";
      reply("OK");
    }
  } else if (p == "qqemu.PhyMemMode") {
    reply(phys_mem_ ? "1" : "0");
  } else {
    return false;
  }
  return true;
}

void GdbSession::handleVCont(const std::string& p) {
  // vCont;ACTION[:THREAD];... : the first action for thread 1 or all threads.
  size_t pos = 6;
  while (pos <= p.size()) {
    const size_t end = std::min(p.find(';', pos), p.size());
    const std::string action = p.substr(pos, end - pos);
    const size_t colon = action.find(':');
    const std::string thread = colon == std::string::npos ? "" : action.substr(colon + 1);
    if (thread.empty() || thread == "-1" || thread == "1" || thread == "p1.1" || thread == "p1.-1") {
      if (!action.empty() && (action[0] == 'c' || action[0] == 'C')) return resumeTarget(false);
      if (!action.empty() && (action[0] == 's' || action[0] == 'S')) return resumeTarget(true);
      if (!action.empty() && action[0] == 't') {
        reply("OK");   // stop: it is stopped already
        return;
      }
    }
    pos = end + 1;
  }
  reply("E01");
}

void GdbSession::readRegisters() {
  std::string bytes;
  ctl_.runOnCpu([&](tcg::Cpu& cpu) {
    for (int i = 0; i < cpu.gdbRegisterCount(); i++) cpu.gdbReadRegister(i, bytes);
  });
  reply(toHex(bytes));
}

void GdbSession::writeRegisters(const std::string& hex) {
  auto bytes = fromHex(hex);
  if (!bytes) {
    reply("E01");
    return;
  }
  bool ok = true;
  ctl_.runOnCpu([&](tcg::Cpu& cpu) {
    size_t off = 0;
    for (int i = 0; i < cpu.gdbRegisterCount() && off < bytes->size(); i++) {
      std::string cur;
      cpu.gdbReadRegister(i, cur);
      if (off + cur.size() > bytes->size()) break;   // gdb may send fewer registers
      ok &= cpu.gdbWriteRegister(i, reinterpret_cast<const uint8_t*>(bytes->data() + off), cur.size());
      off += cur.size();
    }
  });
  reply(ok ? "OK" : "E01");
}

void GdbSession::readRegister(const std::string& p) {
  auto n = parseHexNumber(p);
  std::string bytes;
  bool ok = false;
  if (n && *n < 4096) ctl_.runOnCpu([&](tcg::Cpu& cpu) { ok = cpu.gdbReadRegister(int(*n), bytes); });
  reply(ok ? toHex(bytes) : "E14");
}

void GdbSession::writeRegister(const std::string& p) {
  const size_t eq = p.find('=');
  auto n = eq == std::string::npos ? std::nullopt : parseHexNumber(p.substr(0, eq));
  auto bytes = eq == std::string::npos ? std::nullopt : fromHex(p.substr(eq + 1));
  bool ok = false;
  if (n && bytes && *n < 4096)
    ctl_.runOnCpu([&](tcg::Cpu& cpu) {
      ok = cpu.gdbWriteRegister(int(*n), reinterpret_cast<const uint8_t*>(bytes->data()), bytes->size());
    });
  reply(ok ? "OK" : "E14");
}

void GdbSession::readMemory(const std::string& p) {
  uint64_t addr = 0, len = 0;
  if (!parseAddrLen(p, addr, len)) {
    reply("E01");
    return;
  }
  len = std::min<uint64_t>(len, kMaxMemoryRead);
  std::string buf(len, '\0');
  if (len && !ctl_.readMemory(addr, phys_mem_, buf.data(), len)) {
    reply("E14");
    return;
  }
  reply(toHex(buf));
}

void GdbSession::writeMemory(const std::string& p, bool binary) {
  const size_t colon = p.find(':');
  uint64_t addr = 0, len = 0;
  if (colon == std::string::npos || !parseAddrLen(std::string_view(p).substr(0, colon), addr, len)) {
    reply("E01");
    return;
  }
  std::optional<std::string> data;
  if (binary) data = p.substr(colon + 1);   // the reader already undid the escapes
  else data = fromHex(p.substr(colon + 1));
  if (!data || data->size() != len) {
    reply("E01");
    return;
  }
  if (len && !ctl_.writeMemory(addr, phys_mem_, data->data(), len)) {
    reply("E14");
    return;
  }
  reply("OK");
}

void GdbSession::breakpoint(const std::string& p, bool insert) {
  // TYPE,ADDR,KIND
  if (p.size() < 2 || p[1] != ',' || p[0] < '0' || p[0] > '4') {
    reply("");   // an unknown type: not supported
    return;
  }
  const auto type = hw::DebugPointKind(p[0] - '0');
  std::string rest = p.substr(2);
  const size_t semi = rest.find(';');   // conditions: ignored
  if (semi != std::string::npos) rest.resize(semi);
  uint64_t addr = 0, kind = 0;
  if (!parseAddrLen(rest, addr, kind)) {
    reply("E01");
    return;
  }
  const bool ok = insert ? ctl_.insertPoint(type, addr, kind) : ctl_.removePoint(type, addr, kind);
  reply(ok ? "OK" : "E01");
}

}  // namespace mimic::debug
