// Character backends (-serial stdio | file:PATH | pty | null) and the
// interface a character device (a UART) offers them.
//
// Threads: output (write) happens on the CPU thread. Input is read on a
// thread of the backend's own, queued, and delivered to the device on the
// CPU thread by pump(), which the machine's event pump calls after the input
// thread kicked the CPU. A device with room again (the guest read a byte)
// calls pump() itself.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace mimic::hw {

// Implemented by devices that receive characters.
class CharFrontend {
 public:
  virtual ~CharFrontend() = default;
  // How many bytes the device accepts now (0: keep them queued).
  virtual size_t canReceive() = 0;
  virtual void receive(const uint8_t* buf, size_t n) = 0;
  // A break condition on the line (Ctrl-A b on stdio).
  virtual void receiveBreak() {}
};

class Chardev {
 public:
  virtual ~Chardev() = default;
  Chardev(const Chardev&) = delete;
  Chardev& operator=(const Chardev&) = delete;

  // Guest output. CPU thread.
  virtual void write(const uint8_t* buf, size_t n) = 0;
  void writeStr(std::string_view s) { write(reinterpret_cast<const uint8_t*>(s.data()), s.size()); }

  // The device that receives this backend's input (at most one).
  void attach(CharFrontend* fe) { fe_ = fe; }

  // Starts reading input on a thread of its own, if the backend has input.
  // `notify` is called from that thread after input was queued; it must be
  // thread-safe (the machine passes a CPU kick).
  virtual void startInput(std::function<void()> notify) { (void)notify; }

  // CPU thread: delivers queued input to the device as far as it accepts it.
  void pump();

  // Input and breaks queued but not yet delivered (for tests).
  size_t pending();

  // What -serial said, for messages.
  const std::string& spec() const { return spec_; }

 protected:
  explicit Chardev(std::string spec) : spec_(std::move(spec)) {}
  // Any thread.
  void postInput(const uint8_t* buf, size_t n);
  void postBreak();
  std::function<void()> notify_;

 private:
  static constexpr int kBreak = -1;
  std::mutex mu_;
  std::deque<int> queue_;  // bytes, or kBreak
  CharFrontend* fe_ = nullptr;
  std::string spec_;
};

// Discards output, never has input.
class NullChardev : public Chardev {
 public:
  NullChardev() : Chardev("null") {}
  void write(const uint8_t*, size_t) override {}
};

// Output to a file, no input.
class FileChardev : public Chardev {
 public:
  // Creates or truncates the file; on failure, returns nullptr and sets err.
  static std::unique_ptr<FileChardev> open(const std::string& path, std::string& err);
  ~FileChardev() override;
  void write(const uint8_t* buf, size_t n) override;

 private:
  FileChardev(std::string spec, int fd) : Chardev(std::move(spec)), fd_(fd) {}
  int fd_;
};

// Queued input only, output kept in memory: for tests and embedders.
class BufferChardev : public Chardev {
 public:
  BufferChardev() : Chardev("buffer") {}
  void write(const uint8_t* buf, size_t n) override { output_.append(reinterpret_cast<const char*>(buf), n); }
  void inject(std::string_view s) { postInput(reinterpret_cast<const uint8_t*>(s.data()), s.size()); }
  void injectBreak() { postBreak(); }
  const std::string& output() const { return output_; }

 private:
  std::string output_;
};

// The emulator's stdin/stdout. When stdin is a terminal it is put in raw
// mode (as QEMU does: no echo, no line editing, output post-processing kept;
// Ctrl-C still raises SIGINT unless the Ctrl-A escapes are on) and restored
// when the backend is destroyed, at exit and on fatal signals.
//
// With escapes on (-nographic, or -serial mon:stdio), QEMU's Ctrl-A keys:
// Ctrl-A x quits, Ctrl-A h (or ?) prints the help, Ctrl-A b sends a break,
// Ctrl-A Ctrl-A sends Ctrl-A; any other key after Ctrl-A is dropped.
class StdioChardev : public Chardev {
 public:
  // `on_quit` runs on the input thread after Ctrl-A x.
  StdioChardev(bool escapes, std::function<void()> on_quit);
  ~StdioChardev() override;
  void write(const uint8_t* buf, size_t n) override;
  void startInput(std::function<void()> notify) override;

  // Feeds bytes through the escape processing as if read from stdin (tests).
  void processInput(const uint8_t* buf, size_t n);

 private:
  void inputThread();
  struct Impl;
  std::unique_ptr<Impl> impl_;
  bool escapes_;
  bool got_escape_ = false;
  std::function<void()> on_quit_;
};

// A pseudo-terminal (-serial pty): the guest's port appears as the slave
// side (/dev/pts/N), announced on stderr as QEMU does ("char device
// redirected to /dev/pts/N (label serial0)"); connect to it with screen,
// minicom, socat... The terminal is in raw mode (no echo, no line editing,
// bytes unchanged both ways). As in QEMU, output is dropped while no one has
// the slave open, so nothing stale is waiting for the next reader; when a
// reader falls behind, a write waits at most ~100 ms for room, then output is
// dropped until the reader catches up. Input is read on the backend's
// thread, which also notices readers coming and going.
class PtyChardev : public Chardev {
 public:
  // Opens the pseudo-terminal; `label` names the port in the message
  // printed to stderr (unless `announce` is false). On failure returns
  // nullptr and sets err.
  static std::unique_ptr<PtyChardev> open(const std::string& label, std::string& err, bool announce = true);
  ~PtyChardev() override;
  void write(const uint8_t* buf, size_t n) override;
  void startInput(std::function<void()> notify) override;

  // The slave's path, /dev/pts/N.
  const std::string& slavePath() const;
  // Whether someone has the slave open now.
  bool connected() const;

 private:
  struct Impl;
  explicit PtyChardev(std::unique_ptr<Impl> impl);
  void inputThread();
  std::unique_ptr<Impl> impl_;
};

// Puts the terminal back as it was before StdioChardev changed it. Async-
// signal-safe; does nothing if the terminal was not changed.
void restoreTerminal();

struct ChardevContext {
  bool nographic = false;          // stdio gets the Ctrl-A escapes
  std::function<void()> on_quit;   // Ctrl-A x
  std::string label = "serial0";   // QEMU's name of the port (serial0, serial1 ...), for messages
};

// Parses one -serial argument: "stdio", "mon:stdio", "file:PATH", "pty",
// "null" or "none" ("none" returns a null backend too: the port exists,
// unconnected).
// On error returns nullptr and sets err to a one-line message.
std::unique_ptr<Chardev> createChardev(std::string_view spec, const ChardevContext& ctx, std::string& err);

}  // namespace mimic::hw
