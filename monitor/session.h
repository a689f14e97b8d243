// One client's conversation with a monitor (HMP or QMP), apart from the
// transport: the channel thread hands it bytes and it answers through an
// Output. A session lives as long as its client stays connected.
#pragma once

#include <functional>
#include <memory>
#include <string_view>

namespace mimic::monitor {

class Output {
 public:
  virtual ~Output() = default;
  virtual void write(std::string_view text) = 0;
  // Nobody is listening any more (the client left, or the channel stops):
  // sessions skip the rest of what they were given rather than work for
  // nobody.
  virtual bool closed() const { return false; }
};

class Session {
 public:
  virtual ~Session() = default;
  // The client connected: greet it (HMP banner and prompt, QMP greeting).
  virtual void open(Output& out) = 0;
  // Bytes from the client, in whatever pieces the transport delivered.
  virtual void receive(std::string_view bytes, Output& out) = 0;
  // Something may be waiting to be sent unasked (QMP events).
  virtual void pollEvents(Output& out) { (void)out; }
};

using SessionFactory = std::function<std::unique_ptr<Session>()>;

}  // namespace mimic::monitor
