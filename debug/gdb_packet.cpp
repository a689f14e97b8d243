#include "debug/gdb_packet.h"

#include <fmt/format.h>

namespace mimic::debug {

namespace {

int hexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string escapeBinary(std::string_view data) {
  std::string out;
  out.reserve(data.size());
  for (char c : data) {
    if (c == '$' || c == '#' || c == '}' || c == '*') {
      out += '}';
      out += char(c ^ 0x20);
    } else {
      out += c;
    }
  }
  return out;
}

std::string framePacket(std::string_view data) {
  std::string body = escapeBinary(data);
  uint8_t sum = 0;
  for (char c : body) sum = uint8_t(sum + uint8_t(c));
  return fmt::format("${}#{:02x}", body, sum);
}

std::string toHex(std::string_view bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

std::optional<std::string> fromHex(std::string_view hex) {
  if (hex.size() % 2) return std::nullopt;
  std::string out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = hexDigit(hex[i]), lo = hexDigit(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += char(hi << 4 | lo);
  }
  return out;
}

std::optional<uint64_t> parseHexNumber(std::string_view s) {
  if (s.empty() || s.size() > 16) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    const int d = hexDigit(c);
    if (d < 0) return std::nullopt;
    v = v << 4 | uint64_t(d);
  }
  return v;
}

std::string decodePayload(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); i++) {
    const char c = raw[i];
    if (c == '}' && i + 1 < raw.size()) {
      out += char(raw[++i] ^ 0x20);
    } else if (c == '*' && i + 1 < raw.size() && !out.empty()) {
      // Run-length: the previous character repeated (n - 29) more times.
      const int n = uint8_t(raw[++i]) - 29;
      if (n > 0 && out.size() + size_t(n) <= PacketReader::kMaxPacket) out.append(size_t(n), out.back());
    } else {
      out += c;
    }
  }
  return out;
}

PacketReader::Event PacketReader::feed(uint8_t byte) {
  switch (state_) {
    case State::Idle:
      if (byte == '$') {
        state_ = State::Data;
        raw_.clear();
        sum_ = 0;
        overflow_ = false;
        return {};
      }
      if (byte == '+') return {Kind::Ack};
      if (byte == '-') return {Kind::Nack};
      if (byte == 0x03) return {Kind::Interrupt};
      return {};   // noise between packets
    case State::Data:
      if (byte == '#') {
        state_ = State::Check1;
        return {};
      }
      sum_ = uint8_t(sum_ + byte);
      if (raw_.size() < kMaxPacket) raw_ += char(byte);
      else overflow_ = true;
      if (byte == '}') state_ = State::Escape;
      return {};
    case State::Escape:
      // The escaped byte may be '#' or '$': it never ends the packet.
      sum_ = uint8_t(sum_ + byte);
      if (raw_.size() < kMaxPacket) raw_ += char(byte);
      else overflow_ = true;
      state_ = State::Data;
      return {};
    case State::Check1: {
      const int d = hexDigit(char(byte));
      check_ = uint8_t(d < 0 ? 0x100 - 1 : d);   // a bad digit makes the sum mismatch
      if (d < 0) overflow_ = true;
      state_ = State::Check2;
      return {};
    }
    case State::Check2: {
      state_ = State::Idle;
      const int d = hexDigit(char(byte));
      if (d < 0 || overflow_ || uint8_t(check_ << 4 | d) != sum_) return {Kind::BadChecksum};
      return {Kind::Packet, decodePayload(raw_)};
    }
  }
  return {};
}

}  // namespace mimic::debug
