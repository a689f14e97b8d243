// The framing of the GDB Remote Serial Protocol, without sockets: packets
// "$data#cc" (cc: the modulo-256 sum of data, two hex digits), the
// acknowledgements '+' and '-', the interrupt byte 0x03, the escape '}'
// (next byte XOR 0x20) and run-length encoding '*' that gdb may use.
// Pure functions and a byte-at-a-time reader, so they can be fuzzed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mimic::debug {

// "$" + escaped data + "#" + checksum.
std::string framePacket(std::string_view data);

// Escapes the bytes that may not appear raw in a packet ($ # } *).
std::string escapeBinary(std::string_view data);

// Hex helpers. fromHex returns nothing for odd lengths or non-hex digits.
std::string toHex(std::string_view bytes);
std::optional<std::string> fromHex(std::string_view hex);
// A hexadecimal number as gdb writes addresses and lengths (no prefix, at
// most 16 digits). Nothing for empty input, junk or overflow.
std::optional<uint64_t> parseHexNumber(std::string_view s);

// Splits a byte stream from gdb into what it means.
class PacketReader {
 public:
  enum class Kind { None, Packet, BadChecksum, Ack, Nack, Interrupt };
  struct Event {
    Kind kind = Kind::None;
    std::string data;   // Packet: the payload, unescaped and run-length decoded
  };
  // Maximum payload; a longer packet is dropped (and answered with '-').
  static constexpr size_t kMaxPacket = 1 << 17;

  // Feeds one byte; returns what completed, if anything.
  Event feed(uint8_t byte);

 private:
  enum class State { Idle, Data, Escape, Check1, Check2 } state_ = State::Idle;
  std::string raw_;        // escaped payload as received (the checksum covers it)
  uint8_t sum_ = 0;
  uint8_t check_ = 0;
  bool overflow_ = false;
};

// Undoes escapes and run-length encoding of a raw payload.
std::string decodePayload(std::string_view raw);

}  // namespace mimic::debug
