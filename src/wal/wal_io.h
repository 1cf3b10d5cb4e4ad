// WalIo: the file-system calls the WAL makes to change its files, behind one
// seam so that unit tests can fail any of them (ENOSPC, EIO, short writes at
// the n-th write or fsync) and model a crash that loses what was not synced.
//
// Contract: POSIX semantics exactly. Each call returns what the system call
// returns (-1 with errno set on failure; pwrite may write fewer bytes than
// asked). Paths are absolute or relative to the process's working folder.
// Reads (recovery, Wal::read) do not go through the seam: a fault there is
// an ordinary read error, and the crash model rewrites the files on disk.
//
// Thread-safety: the WAL calls it from its writer thread and from whichever
// thread completes a batch (unlink); implementations must be thread-safe.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>

namespace otelhouse {

class WalIo {
 public:
  virtual ~WalIo() = default;
  virtual int open(const std::string& path, int flags, mode_t mode) = 0;
  virtual int close(int fd) = 0;
  virtual ssize_t pwrite(int fd, const void* data, size_t n, off_t offset) = 0;
  virtual int fdatasync(int fd) = 0;
  virtual int ftruncate(int fd, off_t size) = 0;
  virtual int rename(const std::string& from, const std::string& to) = 0;
  virtual int unlink(const std::string& path) = 0;
  // fsync of a folder, so that a created, renamed or removed name is durable.
  virtual int syncDir(const std::string& dir) = 0;
};

// The real file system. A process-wide instance; stateless.
WalIo& posixWalIo();

// Writes all n bytes at offset, looping over short writes and EINTR. False
// with errno set when a call fails (bytes before the failure may be written).
bool walWriteAll(WalIo& io, int fd, const char* data, size_t n, off_t offset);

}  // namespace otelhouse
