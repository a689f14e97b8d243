#include "hw/block/block_backend.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace mimic::hw::block {

namespace {

int openRetry(const char* path, int flags) {
  int fd;
  do {
    fd = ::open(path, flags | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

}  // namespace

std::unique_ptr<BlockBackend> BlockBackend::open(const std::string& path, bool read_only, std::string& err) {
  if (path.empty()) {
    err = "disk image path is empty";
    return nullptr;
  }
  int fd = openRetry(path.c_str(), read_only ? O_RDONLY : O_RDWR);
  if (fd < 0) {
    int e = errno;
    if (!read_only && (e == EACCES || e == EROFS || e == EPERM)) {
      // Say whether read-only access would have worked.
      int ro = openRetry(path.c_str(), O_RDONLY);
      if (ro >= 0) {
        ::close(ro);
        err = fmt::format("disk image '{}' is not writable ({}); use readonly=on to open it read-only", path,
                          std::strerror(e));
        return nullptr;
      }
    }
    if (e == EISDIR) {
      err = fmt::format("disk image '{}' is a directory", path);
    } else {
      err = fmt::format("disk image '{}': {}", path, std::strerror(e));
    }
    return nullptr;
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    err = fmt::format("disk image '{}': {}", path, std::strerror(errno));
    ::close(fd);
    return nullptr;
  }
  if (S_ISDIR(st.st_mode)) {
    err = fmt::format("disk image '{}' is a directory", path);
    ::close(fd);
    return nullptr;
  }
  uint64_t size;
  if (S_ISREG(st.st_mode)) {
    size = static_cast<uint64_t>(st.st_size);
  } else if (S_ISBLK(st.st_mode)) {
    off_t end = lseek(fd, 0, SEEK_END);
    if (end < 0) {
      err = fmt::format("disk image '{}': cannot find its size: {}", path, std::strerror(errno));
      ::close(fd);
      return nullptr;
    }
    size = static_cast<uint64_t>(end);
  } else {
    err = fmt::format("disk image '{}' is not a regular file or block device", path);
    ::close(fd);
    return nullptr;
  }
  return std::unique_ptr<BlockBackend>(new BlockBackend(path, fd, read_only, size));
}

BlockBackend::~BlockBackend() { close(); }

bool BlockBackend::fail(const char* what, int errnum) {
  error_ = fmt::format("disk image '{}': {}: {}", path_, what, errnum ? std::strerror(errnum) : "failed");
  return false;
}

bool BlockBackend::read(uint64_t offset, void* buf, size_t len) {
  if (fd_ < 0) return fail("read", EBADF);
  if (offset > size_ || len > size_ - offset) return fail("read past the end", EINVAL);
  auto* p = static_cast<uint8_t*>(buf);
  while (len > 0) {
    ssize_t n = pread(fd_, p, len, static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("read", errno);
    }
    if (n == 0) {
      // The file shrank under us: what is gone reads as zeros, as QEMU does.
      std::memset(p, 0, len);
      return true;
    }
    p += n;
    offset += static_cast<uint64_t>(n);
    len -= static_cast<size_t>(n);
  }
  return true;
}

bool BlockBackend::write(uint64_t offset, const void* buf, size_t len) {
  if (fd_ < 0) return fail("write", EBADF);
  if (read_only_) return fail("write", EROFS);
  if (offset > size_ || len > size_ - offset) return fail("write past the end", EINVAL);
  const auto* p = static_cast<const uint8_t*>(buf);
  while (len > 0) {
    ssize_t n = pwrite(fd_, p, len, static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("write", errno);
    }
    if (n == 0) return fail("write", ENOSPC);
    dirty_ = true;
    p += n;
    offset += static_cast<uint64_t>(n);
    len -= static_cast<size_t>(n);
  }
  return true;
}

bool BlockBackend::flush() {
  if (fd_ < 0) return fail("flush", EBADF);
  if (read_only_ || !dirty_) return true;
  int r;
  do {
    r = fdatasync(fd_);
  } while (r != 0 && errno == EINTR);
  if (r != 0) return fail("flush", errno);
  dirty_ = false;
  return true;
}

void BlockBackend::close() {
  if (fd_ < 0) return;
  flush();
  ::close(fd_);
  fd_ = -1;
}

}  // namespace mimic::hw::block
