// The GDB remote protocol's framing (debug/gdb_packet.h), including a fuzz
// of the reader with random and truncated input.
#include "debug/gdb_packet.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

using mimic::debug::decodePayload;
using mimic::debug::escapeBinary;
using mimic::debug::framePacket;
using mimic::debug::fromHex;
using mimic::debug::PacketReader;
using mimic::debug::parseHexNumber;
using mimic::debug::toHex;

namespace {

std::vector<PacketReader::Event> feedAll(PacketReader& r, const std::string& bytes) {
  std::vector<PacketReader::Event> out;
  for (unsigned char c : bytes) {
    PacketReader::Event e = r.feed(c);
    if (e.kind != PacketReader::Kind::None) out.push_back(e);
  }
  return out;
}

TEST(GdbPacket, FramesWithChecksum) {
  EXPECT_EQ(framePacket("OK"), "$OK#9a");
  EXPECT_EQ(framePacket(""), "$#00");
  EXPECT_EQ(framePacket("g"), "$g#67");
}

TEST(GdbPacket, EscapesSpecialBytes) {
  EXPECT_EQ(escapeBinary("a$b#c}d*e"), "a}\x04" "b}\x03" "c}]d}\x0a" "e");
  EXPECT_EQ(decodePayload(escapeBinary(std::string("\x00$#}*\xff", 6))), std::string("\x00$#}*\xff", 6));
}

TEST(GdbPacket, RunLengthEncoding) {
  // "0* " is '0' repeated 32 - 29 = 3 more times.
  EXPECT_EQ(decodePayload("0* "), "0000");
  EXPECT_EQ(decodePayload("ab*\""), "abbbbbb");
}

TEST(GdbPacket, Hex) {
  EXPECT_EQ(toHex(std::string("\x01\xab\xff", 3)), "01abff");
  EXPECT_EQ(fromHex("01abFF"), std::string("\x01\xab\xff", 3));
  EXPECT_FALSE(fromHex("abc").has_value());
  EXPECT_FALSE(fromHex("zz").has_value());
  EXPECT_EQ(parseHexNumber("80100000"), 0x80100000u);
  EXPECT_EQ(parseHexNumber("ffffffffffffffff"), ~0ull);
  EXPECT_FALSE(parseHexNumber("").has_value());
  EXPECT_FALSE(parseHexNumber("1ffffffffffffffff").has_value());
  EXPECT_FALSE(parseHexNumber("12g").has_value());
}

TEST(GdbPacket, ReaderSplitsTheStream) {
  PacketReader r;
  auto ev = feedAll(r, "+$g#67-\x03$m80100000,4#e5junk$qC#b4");
  ASSERT_EQ(ev.size(), 6u);
  EXPECT_EQ(ev[0].kind, PacketReader::Kind::Ack);
  EXPECT_EQ(ev[1].kind, PacketReader::Kind::Packet);
  EXPECT_EQ(ev[1].data, "g");
  EXPECT_EQ(ev[2].kind, PacketReader::Kind::Nack);
  EXPECT_EQ(ev[3].kind, PacketReader::Kind::Interrupt);
  EXPECT_EQ(ev[4].kind, PacketReader::Kind::BadChecksum);   // wrong sum for "m80100000,4"
  EXPECT_EQ(ev[5].kind, PacketReader::Kind::Packet);        // the noise before it is skipped
  EXPECT_EQ(ev[5].data, "qC");
}

TEST(GdbPacket, ReaderUnescapesAndKeepsHashInsideEscapes) {
  PacketReader r;
  // X packet data with an escaped '#' (0x23 -> "}\x03"): not the end.
  const std::string pkt = framePacket(std::string("X0,1:#", 6));
  auto ev = feedAll(r, pkt);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, PacketReader::Kind::Packet);
  EXPECT_EQ(ev[0].data, "X0,1:#");
}

TEST(GdbPacket, ReaderDropsOversizedPackets) {
  PacketReader r;
  std::string big = "$" + std::string(PacketReader::kMaxPacket + 10, 'a') + "#00";
  auto ev = feedAll(r, big);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, PacketReader::Kind::BadChecksum);
  // And the reader works afterwards.
  ev = feedAll(r, "$g#67");
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].data, "g");
}

TEST(GdbPacket, FuzzedInputNeverBreaksTheReader) {
  std::mt19937 rng(42);
  PacketReader r;
  for (int round = 0; round < 20000; round++) {
    std::string junk;
    const int n = int(rng() % 64);
    for (int i = 0; i < n; i++) {
      const unsigned pick = rng() % 10;
      junk += pick < 2 ? "$#}*+-\x03"[rng() % 7] : char(rng() & 0xff);
    }
    for (unsigned char c : junk) {
      PacketReader::Event e = r.feed(c);
      EXPECT_LE(e.data.size(), PacketReader::kMaxPacket);
    }
    if (round % 1000 == 0) {
      // A well-formed packet after any junk (once the junk's packet ended).
      feedAll(r, "#00");
      auto ev = feedAll(r, "$qC#b4");
      ASSERT_FALSE(ev.empty());
      EXPECT_EQ(ev.back().kind, PacketReader::Kind::Packet);
      EXPECT_EQ(ev.back().data, "qC");
    }
  }
}

}  // namespace
