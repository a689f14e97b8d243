// A disk image: a raw file (or block device) on the host, read and written
// at byte offsets with synchronous pread/pwrite. Devices (the IDE disks) sit
// on top of it and speak in sectors.
//
// Threads: CPU thread only. Errors are reported as false plus a one-line
// message in lastError(); the guest sees them as device errors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace mimic::hw::block {

class BlockBackend {
 public:
  // Opens `path` for reading (and writing unless `read_only`). On failure
  // returns nullptr with a one-line reason in `err`, e.g. "disk image
  // 'x.img': No such file or directory" or "disk image 'x.img' is not
  // writable (Permission denied); use readonly=on to open it read-only".
  static std::unique_ptr<BlockBackend> open(const std::string& path, bool read_only, std::string& err);

  // Flushes (when writable) and closes.
  ~BlockBackend();
  BlockBackend(const BlockBackend&) = delete;
  BlockBackend& operator=(const BlockBackend&) = delete;

  const std::string& path() const { return path_; }
  bool readOnly() const { return read_only_; }
  // Bytes in the image (fixed when opened).
  uint64_t size() const { return size_; }
  bool isOpen() const { return fd_ >= 0; }

  // [offset, offset + len) must lie inside the image; short reads and
  // writes are retried until done. False on an I/O error, an access past
  // the end, a write to a read-only image or a closed backend.
  bool read(uint64_t offset, void* buf, size_t len);
  bool write(uint64_t offset, const void* buf, size_t len);
  // Makes written data durable (fdatasync). True on read-only images.
  bool flush();
  // Flushes and closes; later I/O fails. Idempotent.
  void close();

  const std::string& lastError() const { return error_; }

 private:
  BlockBackend(std::string path, int fd, bool read_only, uint64_t size)
      : path_(std::move(path)), fd_(fd), read_only_(read_only), size_(size) {}
  bool fail(const char* what, int errnum);

  std::string path_;
  int fd_ = -1;
  bool read_only_ = false;
  uint64_t size_ = 0;
  bool dirty_ = false;   // written since the last flush
  std::string error_;
};

}  // namespace mimic::hw::block
