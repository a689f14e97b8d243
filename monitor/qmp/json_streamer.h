// Cuts a QMP byte stream into JSON texts, as QEMU's JSON streamer does: a
// text ends where its braces and brackets balance, or, at the top level,
// where a string or bare token (number, keyword, junk) ends. Several texts
// may come in one read and one text across many.
//
// A lexical error throws away the text in progress and is reported: ASCII
// control characters other than tab, CR and LF, and the byte 0xFF. The QMP
// specification tells clients to send one to get the parser back to a
// known state after a broken request, so that must always work. Limits on
// size and nesting are reported the same way.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace mimic::qmp {

class JsonStreamer {
 public:
  // A complete text to parse, or (error non-empty) a message for the client.
  struct Piece {
    std::string text;
    std::string error;
  };

  void feed(std::string_view bytes, const std::function<void(Piece)>& emit);

  // QEMU's nesting limit; the size limit is far below QEMU's 64 MiB, plenty
  // for every command mimic has.
  static constexpr int kMaxNesting = 1024;
  static constexpr size_t kMaxText = 1 << 20;

 private:
  enum class State { Between, Value, String, Escape, Bare };
  void reset();
  void finish(const std::function<void(Piece)>& emit);

  State state_ = State::Between;
  std::string text_;
  int depth_ = 0;
  bool top_string_ = false;  // the current string is a whole top-level text
};

}  // namespace mimic::qmp
