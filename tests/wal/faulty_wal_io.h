// FaultyWalIo: a WalIo for unit tests that fails chosen calls and models what
// a crash keeps.
//
// Faults: the n-th pwrite (1-based, counted over the whole WalIo) and the
// `count` after it fail with ENOSPC or EIO, or write half the bytes and then
// fail the continuation with ENOSPC (a disk filling mid-write); the n-th
// fdatasync fails with the errno given; ftruncate calls fail with EIO. clearFaults() makes the disk good again.
//
// Crash model: for every file opened for writing through it, the layer keeps
// the bytes the process sees (page cache) and the bytes a crash keeps
// (durable). A successful fdatasync makes the file durable as it is now, except
// bytes that an earlier failed fdatasync dropped and nobody wrote since: as on
// Linux (the PostgreSQL "fsyncgate" finding), a failed fsync marks the dirty
// pages clean, so a later successful fsync does not write them, and a crash
// leaves what the disk had before (zeros past the old end). crash() rewrites
// every file to its durable bytes; the WAL must be gone first, as a process
// would be. Folder operations (create, rename, unlink) are treated as durable
// at once.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "wal/wal_io.h"

namespace otelhouse {

class FaultyWalIo final : public WalIo {
 public:
  enum class WriteFault { kEnospc, kEio, kShortWrite };

  void failWrites(int nth, WriteFault fault, int count = 1) {
    std::lock_guard lock(mu_);
    write_fail_from_ = nth;
    write_fail_count_ = count;
    write_fault_ = fault;
  }
  void failFsync(int nth, int err = EIO) {
    std::lock_guard lock(mu_);
    fsync_fail_at_ = nth;
    fsync_errno_ = err;
  }
  // The next `count` ftruncate calls fail with EIO.
  void failTruncates(int count) {
    std::lock_guard lock(mu_);
    truncate_failures_ = count;
  }
  void clearFaults() {
    std::lock_guard lock(mu_);
    truncate_failures_ = 0;
    write_fail_from_ = 0;
    fsync_fail_at_ = 0;
    short_pending_ = false;
  }
  int writes() const { std::lock_guard lock(mu_); return writes_; }
  int fsyncs() const { std::lock_guard lock(mu_); return fsyncs_; }

  // Every file becomes what a crash right now would leave.
  void crash() {
    std::lock_guard lock(mu_);
    for (auto& [path, f] : files_) {
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out.write(f.durable.data(), static_cast<std::streamsize>(f.durable.size()));
      f.current = f.durable;
      f.dirty.assign(f.current.size(), 0);
      f.lost.assign(f.current.size(), 0);
    }
    fds_.clear();
  }

  int open(const std::string& path, int flags, mode_t mode) override {
    const int fd = ::open(path.c_str(), flags, mode);
    if (fd < 0 || (flags & O_ACCMODE) == O_RDONLY) return fd;
    std::lock_guard lock(mu_);
    File& f = files_[path];
    if (flags & O_TRUNC) f = File{};
    fds_[fd] = path;
    return fd;
  }
  int close(int fd) override {
    {
      std::lock_guard lock(mu_);
      fds_.erase(fd);
    }
    return ::close(fd);
  }
  ssize_t pwrite(int fd, const void* data, size_t n, off_t offset) override {
    std::lock_guard lock(mu_);
    ++writes_;
    size_t len = n;
    if (short_pending_) {
      short_pending_ = false;
      errno = ENOSPC;
      return -1;
    }
    if (write_fail_from_ > 0 && writes_ >= write_fail_from_ &&
        (write_fail_count_ < 0 || writes_ < write_fail_from_ + write_fail_count_)) {
      if (write_fault_ == WriteFault::kShortWrite && n > 1) {
        len = n / 2;
        short_pending_ = true;
      } else {
        errno = write_fault_ == WriteFault::kEio ? EIO : ENOSPC;
        return -1;
      }
    }
    const ssize_t w = ::pwrite(fd, data, len, offset);
    if (w <= 0) return w;
    auto it = fds_.find(fd);
    if (it != fds_.end()) {
      File& f = files_[it->second];
      const size_t end = static_cast<size_t>(offset) + static_cast<size_t>(w);
      if (f.current.size() < end) f.resize(end);
      std::memcpy(f.current.data() + offset, data, static_cast<size_t>(w));
      for (size_t i = static_cast<size_t>(offset); i < end; ++i) {
        f.dirty[i] = 1;
        f.lost[i] = 0;
      }
    }
    return w;
  }
  int fdatasync(int fd) override {
    std::lock_guard lock(mu_);
    ++fsyncs_;
    auto it = fds_.find(fd);
    File* f = it == fds_.end() ? nullptr : &files_[it->second];
    if (fsync_fail_at_ > 0 && fsyncs_ == fsync_fail_at_) {
      if (f) {
        for (size_t i = 0; i < f->dirty.size(); ++i)
          if (f->dirty[i]) f->lost[i] = 1;
        f->dirty.assign(f->current.size(), 0);
      }
      errno = fsync_errno_;
      return -1;
    }
    if (::fdatasync(fd) != 0) return -1;
    if (f) {
      std::string durable = f->current;
      for (size_t i = 0; i < durable.size(); ++i)
        if (f->lost[i]) durable[i] = i < f->durable.size() ? f->durable[i] : '\0';
      f->durable = std::move(durable);
      f->dirty.assign(f->current.size(), 0);
    }
    return 0;
  }
  int ftruncate(int fd, off_t size) override {
    {
      std::lock_guard lock(mu_);
      if (truncate_failures_ > 0) {
        --truncate_failures_;
        errno = EIO;
        return -1;
      }
    }
    const int rc = ::ftruncate(fd, size);
    if (rc != 0) return rc;
    std::lock_guard lock(mu_);
    if (auto it = fds_.find(fd); it != fds_.end()) files_[it->second].resize(static_cast<size_t>(size));
    return 0;
  }
  int rename(const std::string& from, const std::string& to) override {
    const int rc = ::rename(from.c_str(), to.c_str());
    if (rc != 0) return rc;
    std::lock_guard lock(mu_);
    if (auto it = files_.find(from); it != files_.end()) {
      files_[to] = std::move(it->second);
      files_.erase(from);
      for (auto& [fd, path] : fds_)
        if (path == from) path = to;
    }
    return 0;
  }
  int unlink(const std::string& path) override {
    const int rc = ::unlink(path.c_str());
    if (rc != 0) return rc;
    std::lock_guard lock(mu_);
    files_.erase(path);
    return 0;
  }
  int syncDir(const std::string& dir) override { return posixWalIo().syncDir(dir); }

 private:
  struct File {
    std::string current, durable;
    std::vector<char> dirty, lost;  // per byte of current
    void resize(size_t n) {
      current.resize(n, '\0');
      dirty.resize(n, 0);
      lost.resize(n, 0);
    }
  };

  mutable std::mutex mu_;
  std::map<std::string, File> files_;
  std::map<int, std::string> fds_;
  int writes_ = 0, fsyncs_ = 0;
  int write_fail_from_ = 0, write_fail_count_ = 1;
  WriteFault write_fault_ = WriteFault::kEnospc;
  bool short_pending_ = false;
  int fsync_fail_at_ = 0, fsync_errno_ = EIO;
  int truncate_failures_ = 0;
};

}  // namespace otelhouse
