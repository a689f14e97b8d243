#include "monitor/qmp/json_streamer.h"

namespace mimic::qmp {

namespace {

bool lexicalError(unsigned char c) { return (c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0xff; }
bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool isDelimiter(char c) { return isSpace(c) || c == '{' || c == '}' || c == '[' || c == ']' || c == ',' || c == ':' || c == '"'; }

}  // namespace

void JsonStreamer::reset() {
  state_ = State::Between;
  text_.clear();
  depth_ = 0;
  top_string_ = false;
}

void JsonStreamer::finish(const std::function<void(Piece)>& emit) {
  Piece p{std::move(text_), {}};
  reset();
  emit(std::move(p));
}

void JsonStreamer::feed(std::string_view bytes, const std::function<void(Piece)>& emit) {
  for (size_t i = 0; i < bytes.size(); ++i) {
    char c = bytes[i];
    if (lexicalError(static_cast<unsigned char>(c))) {
      // QEMU words it "stray" plus the character (escaped when sent).
      reset();
      emit(Piece{{}, std::string("JSON parse error, stray '") + c + "'"});
      continue;
    }
    switch (state_) {
      case State::Between:
        if (isSpace(c)) break;
        text_ += c;
        if (c == '{' || c == '[') {
          depth_ = 1;
          state_ = State::Value;
        } else if (c == '"') {
          top_string_ = true;
          state_ = State::String;
        } else if (c == '}' || c == ']' || c == ',' || c == ':') {
          finish(emit);  // a stray closer or separator: let the parser say what is wrong
        } else {
          state_ = State::Bare;
        }
        break;
      case State::Bare:
        if (isDelimiter(c)) {
          finish(emit);
          --i;  // the delimiter starts what comes next
          break;
        }
        text_ += c;
        break;
      case State::Value:
        text_ += c;
        if (c == '"') {
          state_ = State::String;
        } else if (c == '{' || c == '[') {
          if (++depth_ > kMaxNesting) {
            reset();
            emit(Piece{{}, "JSON nesting depth limit exceeded"});
          }
        } else if (c == '}' || c == ']') {
          if (--depth_ == 0) finish(emit);
        }
        break;
      case State::String:
        text_ += c;
        if (c == '\\') {
          state_ = State::Escape;
        } else if (c == '"') {
          if (top_string_) {
            finish(emit);
          } else {
            state_ = State::Value;
          }
        }
        break;
      case State::Escape:
        text_ += c;
        state_ = State::String;
        break;
    }
    if (text_.size() > kMaxText) {
      reset();
      emit(Piece{{}, "JSON token size limit exceeded"});
    }
  }
}

}  // namespace mimic::qmp
