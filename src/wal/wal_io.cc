#include "wal/wal_io.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace otelhouse {
namespace {

class PosixWalIo final : public WalIo {
 public:
  int open(const std::string& path, int flags, mode_t mode) override {
    return ::open(path.c_str(), flags, mode);
  }
  int close(int fd) override { return ::close(fd); }
  ssize_t pwrite(int fd, const void* data, size_t n, off_t offset) override {
    return ::pwrite(fd, data, n, offset);
  }
  int fdatasync(int fd) override { return ::fdatasync(fd); }
  int ftruncate(int fd, off_t size) override { return ::ftruncate(fd, size); }
  int rename(const std::string& from, const std::string& to) override {
    return ::rename(from.c_str(), to.c_str());
  }
  int unlink(const std::string& path) override { return ::unlink(path.c_str()); }
  int syncDir(const std::string& dir) override {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return -1;
    const int rc = ::fsync(fd);
    const int saved = errno;
    ::close(fd);
    errno = saved;
    return rc;
  }
};

}  // namespace

WalIo& posixWalIo() {
  // Never destroyed: a Wal owned by another static (a benchmark's, a test's)
  // may close its files after this function's statics are gone at exit.
  static PosixWalIo* const io = new PosixWalIo;
  return *io;
}

bool walWriteAll(WalIo& io, int fd, const char* data, size_t n, off_t offset) {
  while (n > 0) {
    const ssize_t w = io.pwrite(fd, data, n, offset);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (w == 0) {  // no progress and no error: treat as a full disk, never spin
      errno = ENOSPC;
      return false;
    }
    data += w;
    offset += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

}  // namespace otelhouse
