#include "wal/wal.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <set>

#include "common/log.h"
#include "wal/wal_format.h"
#include "wal/wal_io.h"

namespace otelhouse {
namespace {

std::string segmentName(uint64_t seq) {
  char buf[32];
  snprintf(buf, sizeof buf, "%020llu.wal", static_cast<unsigned long long>(seq));
  return buf;
}

Status errnoStatus(const std::string& what) {
  return Status::internal(what + ": " + strerror(errno));
}

Status mkdirs(const std::string& path) {
  std::string cur;
  for (size_t i = 0; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/') {
      if (!cur.empty() && ::mkdir(cur.c_str(), 0755) != 0 && errno != EEXIST)
        return errnoStatus("mkdir " + cur);
    }
    if (i < path.size()) cur.push_back(path[i]);
  }
  return Status::ok();
}

std::string readFile(const std::string& path, bool* ok) {
  std::ifstream in(path, std::ios::binary);
  *ok = static_cast<bool>(in);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string newId() {
  std::random_device rd;
  char buf[33];
  for (int i = 0; i < 4; ++i) snprintf(buf + i * 8, 9, "%08x", rd());
  return buf;
}

}  // namespace

std::string walBatchToken(const std::string& wal_id, const WalBatch& batch) {
  return "otelhouse-" + wal_id + "-" + std::to_string(batch.intent_lsn);
}

Result<std::unique_ptr<Wal>> Wal::open(const WalOptions& options, WalRecovery* recovery) {
  std::unique_ptr<Wal> wal(new Wal(options));
  if (Status st = mkdirs(options.dir); !st.isOk()) return st;
  const std::string id_path = options.dir + "/id";
  bool ok;
  std::string id = readFile(id_path, &ok);
  while (!id.empty() && (id.back() == '\n' || id.back() == ' ')) id.pop_back();
  if (!ok || id.size() != 32) {
    id = newId();
    const std::string tmp = id_path + ".tmp";
    WalIo& io = wal->io_;
    int fd = io.open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return errnoStatus("create " + tmp);
    std::string line = id + "\n";
    bool written = walWriteAll(io, fd, line.data(), line.size(), 0) && io.fdatasync(fd) == 0;
    io.close(fd);
    if (!written || io.rename(tmp, id_path) != 0 || io.syncDir(options.dir) != 0)
      return errnoStatus("write " + id_path);
  }
  wal->id_ = id;
  WalRecovery local;
  if (Status st = wal->recover(recovery ? recovery : &local); !st.isOk()) return st;
  if (Status st = wal->openSegment(); !st.isOk()) return st;
  wal->writer_ = std::thread([w = wal.get()] { w->writerLoop(); });
  return wal;
}

Wal::~Wal() {
  {
    std::lock_guard lock(queue_mu_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  if (writer_.joinable()) writer_.join();
  std::lock_guard lock(seg_mu_);
  for (auto& [seq, s] : segments_)
    if (s.fd >= 0) ::close(s.fd);
  if (current_fd_ >= 0) io_.close(current_fd_);
}

Status Wal::recover(WalRecovery* rec) {
  std::vector<uint64_t> seqs;
  if (DIR* d = ::opendir(options_.dir.c_str())) {
    while (dirent* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name.size() == 24 && name.compare(20, 4, ".wal") == 0)
        seqs.push_back(std::stoull(name.substr(0, 20)));
    }
    ::closedir(d);
  }
  std::sort(seqs.begin(), seqs.end());
  std::map<uint64_t, WalDataRef> unbatched;
  std::map<uint64_t, WalBatch> batches;
  uint64_t max_lsn = 0;
  for (uint64_t seq : seqs) {
    Segment seg;
    seg.seq = seq;
    seg.path = options_.dir + "/" + segmentName(seq);
    bool ok;
    std::string data = readFile(seg.path, &ok);
    if (!ok) return Status::internal("cannot read WAL segment " + seg.path);
    WalDecoded r;
    auto apply = [&](size_t n) {
      ++rec->records_read;
      max_lsn = std::max(max_lsn, r.lsn);
      if (r.type == WalRecordType::kData) {
        const size_t payload_at = static_cast<size_t>(r.payload.data() - data.data());
        unbatched[r.lsn] = WalDataRef{r.lsn, seq, payload_at, static_cast<uint32_t>(r.payload.size()),
                                      r.rows, std::string(r.table)};
      } else if (r.type == WalRecordType::kIntent) {
        WalBatch b;
        b.intent_lsn = r.lsn;
        b.table = std::string(r.table);
        for (uint64_t l : r.lsns) {
          auto it = unbatched.find(l);
          if (it == unbatched.end()) continue;  // quarantined or lost to corruption
          b.records.push_back(std::move(it->second));
          unbatched.erase(it);
        }
        intent_segment_[r.lsn] = seq;
        batches[r.lsn] = std::move(b);
      } else {
        batches.erase(r.intent_lsn);
        intent_segment_.erase(r.intent_lsn);
      }
      return n;
    };
    const bool newest = seq == seqs.back();
    size_t at = 0;  // the end of what recovery keeps
    if (data.compare(0, kWalSegmentHeader.size(), kWalSegmentHeader) == 0) {
      at = kWalSegmentHeader.size();
      while (at < data.size()) {
        size_t n = 0;
        const WalFrame f = walDecode(data, at, &r, &n);
        if (f == WalFrame::kValid) {
          at += apply(n);
          continue;
        }
        if (f == WalFrame::kCorrupt) {
          quarantine(seg.path, seq, std::string_view(data).substr(at, n), at, "checksum mismatch", rec);
          at += n;
          continue;
        }
        const size_t next = walFindRecord(data, at + 1);
        if (next == std::string_view::npos) {
          // Nothing valid follows. At the end of the newest segment that is
          // a torn write, cut below; in a sealed segment, where every byte
          // was synced before the next segment began, it is damage.
          if (!newest) {
            quarantine(seg.path, seq, std::string_view(data).substr(at), at, "no valid record", rec);
            at = data.size();
          }
          break;
        }
        quarantine(seg.path, seq, std::string_view(data).substr(at, next - at), at,
                   "unreadable record head", rec);
        at = next;
      }
    } else if (data.size() < kWalSegmentHeader.size() &&
               kWalSegmentHeader.substr(0, data.size()) == data) {
      at = 0;  // a format-2 segment whose header was torn: empty
    } else {
      // Format 1: stop at the first invalid record.
      while (at < data.size()) {
        const size_t n = walDecodeV1(data, at, &r);
        if (n == 0) break;
        at += apply(n);
      }
    }
    if (at < data.size()) {
      const uint64_t cut = data.size() - at;
      LOG_WARN("WAL segment %s: cutting %llu bytes of torn tail at offset %zu",
               seg.path.c_str(), static_cast<unsigned long long>(cut), at);
      const int fd = io_.open(seg.path, O_WRONLY | O_CLOEXEC, 0);
      const bool cut_ok = fd >= 0 && io_.ftruncate(fd, static_cast<off_t>(at)) == 0;
      if (fd >= 0) io_.close(fd);
      if (!cut_ok) return errnoStatus("truncate " + seg.path);
      rec->bytes_cut += cut;
      ++rec->segments_cut;
      stats_.recovery_bytes_cut += cut;
      data.resize(at);
    }
    seg.size = data.size();
    seg.fd = ::open(seg.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (seg.fd < 0) return errnoStatus("open " + seg.path);
    total_bytes_ += seg.size;
    segments_[seq] = std::move(seg);
    current_seq_ = seq;
  }
  // What is still owed, per segment.
  for (auto& [lsn, ref] : unbatched) segments_[ref.segment].pending++;
  for (auto& [lsn, b] : batches) {
    segments_[intent_segment_[lsn]].pending++;
    for (auto& ref : b.records) segments_[ref.segment].pending++;
  }
  for (auto& [lsn, ref] : unbatched) rec->unbatched.push_back(ref);
  for (auto& [lsn, b] : batches) rec->batches.push_back(std::move(b));
  next_lsn_ = max_lsn + 1;
  std::lock_guard lock(seg_mu_);
  deleteDoneSegmentsLocked();
  return Status::ok();
}

void Wal::quarantine(const std::string& segment_path, uint64_t seq, std::string_view bytes,
                     uint64_t offset, const char* why, WalRecovery* rec) {
  const std::string dir = options_.dead_letter_dir.empty() ? options_.dir + "/../dead-letters"
                                                           : options_.dead_letter_dir;
  char name[64];
  snprintf(name, sizeof name, "/wal-%020llu-%llu.corrupt", static_cast<unsigned long long>(seq),
           static_cast<unsigned long long>(offset));
  const std::string path = dir + name;
  bool saved = mkdirs(dir).isOk();
  if (saved) {
    const int fd = io_.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    saved = fd >= 0 && walWriteAll(io_, fd, bytes.data(), bytes.size(), 0) && io_.fdatasync(fd) == 0;
    if (fd >= 0) io_.close(fd);
  }
  stats_.quarantined_records++;
  stats_.quarantined_bytes += bytes.size();
  rec->quarantined.push_back(WalQuarantined{seq, offset, bytes.size(), saved ? path : std::string()});
  if (saved) {
    LOG_ERROR("WAL segment %s: %s at offset %llu; quarantined %zu bytes (at most one record, "
              "the records after it are kept) to %s", segment_path.c_str(), why,
              static_cast<unsigned long long>(offset), bytes.size(), path.c_str());
  } else {
    LOG_ERROR("WAL segment %s: %s at offset %llu; %zu bytes skipped (the records after it are "
              "kept); writing them to %s FAILED: %s", segment_path.c_str(), why,
              static_cast<unsigned long long>(offset), bytes.size(), path.c_str(), strerror(errno));
  }
}

Status Wal::openSegment() {
  std::lock_guard lock(seg_mu_);
  const uint64_t seq = current_seq_ + 1;
  Segment seg;
  seg.seq = seq;
  seg.path = options_.dir + "/" + segmentName(seq);
  int wfd = io_.open(seg.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (wfd < 0) return ioFailure("creating", seg.path, errno);
  seg.fd = ::open(seg.path.c_str(), O_RDONLY | O_CLOEXEC);
  // The new name must be durable before a record in it is acknowledged.
  const bool header = seg.fd >= 0 && walWriteAll(io_, wfd, kWalSegmentHeader.data(),
                                                   kWalSegmentHeader.size(), 0);
  if (seg.fd >= 0 && !header) stats_.write_errors++;
  // The header is synced on its own: were it left to the first commit's
  // fdatasync and that failed, cutting back to the header would keep a
  // header the kernel may have dropped (fsyncgate), and every record
  // committed after it would sit in a segment recovery cannot read.
  const bool named = header && (!options_.fsync || (io_.fdatasync(wfd) == 0 &&
                                                     io_.syncDir(options_.dir) == 0));
  if (header && !named) stats_.fsync_errors++;
  if (!named) {
    Status st = ioFailure("creating", seg.path, errno);
    stats_.truncations++;  // the new segment is removed: the log is as it was
    if (seg.fd >= 0) ::close(seg.fd);
    io_.close(wfd);
    io_.unlink(seg.path);
    return st;
  }
  // The segment being sealed holds nothing unsynced (every commit synced
  // it) but perhaps a cut-back after a fault: make its end durable too.
  if (current_fd_ >= 0) {
    if (cut_unsynced_ && options_.fsync && io_.fdatasync(current_fd_) != 0)
      (void)ioFailure("syncing the cut-back end of", segments_[current_seq_].path, errno);
    cut_unsynced_ = false;
    io_.close(current_fd_);
  }
  current_fd_ = wfd;
  current_seq_ = seq;
  seg.size = kWalSegmentHeader.size();
  total_bytes_ += seg.size;
  segments_[seq] = std::move(seg);
  deleteDoneSegmentsLocked();
  return Status::ok();
}

Status Wal::append(const std::vector<Entry>& entries, std::vector<WalDataRef>* refs) {
  Write w;
  size_t total = 0;
  for (auto& e : entries) total += e.native.size() + e.table.size() + 32;
  if (total_bytes_.load() + total > options_.max_bytes) {
    stats_.refused_full++;
    return Status::exhausted("the write-ahead log is full (" + std::to_string(options_.max_bytes) +
                             " bytes); the sink is behind");
  }
  w.bytes.reserve(total);
  refs->clear();
  refs->reserve(entries.size());
  for (auto& e : entries) {
    const uint64_t lsn = next_lsn_.fetch_add(1);
    const size_t before = w.bytes.size();
    walEncodeData(w.bytes, lsn, e.table, e.rows, e.native);
    const size_t payload_at = w.bytes.size() - e.native.size();
    w.payloads.push_back({payload_at, e.native.size()});
    (void)before;
    refs->push_back(WalDataRef{lsn, 0, 0, static_cast<uint32_t>(e.native.size()), e.rows,
                               std::string(e.table)});
  }
  w.refs = refs;
  w.pending = entries.size();
  Status st = submit(w);
  if (st.isOk()) {
    stats_.appends++;
    stats_.records += entries.size();
  }
  return st;
}

Result<uint64_t> Wal::appendIntent(std::string_view table, const std::vector<WalDataRef>& records) {
  Write w;
  const uint64_t lsn = next_lsn_.fetch_add(1);
  std::vector<uint64_t> lsns;
  lsns.reserve(records.size());
  for (auto& r : records) lsns.push_back(r.lsn);
  walEncodeIntent(w.bytes, lsn, table, lsns);
  std::vector<WalDataRef> refs;
  w.refs = &refs;
  w.pending = 1;
  if (Status st = submit(w); !st.isOk()) return st;
  std::lock_guard lock(seg_mu_);
  intent_segment_[lsn] = refs.empty() ? current_seq_ : refs[0].segment;
  return lsn;
}

Status Wal::complete(const WalBatch& batch) {
  Write w;
  walEncodeDone(w.bytes, next_lsn_.fetch_add(1), batch.intent_lsn);
  // The done record need not be durable before we go on: without it the
  // batch is re-sent after a crash with the same token and deduplicated.
  if (Status st = submit(w); !st.isOk()) return st;
  std::lock_guard lock(seg_mu_);
  auto release = [&](uint64_t seq) {
    auto it = segments_.find(seq);
    if (it != segments_.end() && it->second.pending > 0) it->second.pending--;
  };
  for (auto& r : batch.records) release(r.segment);
  if (auto it = intent_segment_.find(batch.intent_lsn); it != intent_segment_.end()) {
    release(it->second);
    intent_segment_.erase(it);
  }
  deleteDoneSegmentsLocked();
  return Status::ok();
}

void Wal::deleteDoneSegmentsLocked() {
  while (!segments_.empty()) {
    auto it = segments_.begin();
    if (it->first == current_seq_ || it->second.pending > 0) break;
    if (it->second.fd >= 0) ::close(it->second.fd);
    io_.unlink(it->second.path);
    total_bytes_ -= it->second.size;
    stats_.segments_deleted++;
    segments_.erase(it);
  }
}

Status Wal::read(const WalDataRef& ref, std::string& out) {
  int fd;
  {
    std::lock_guard lock(seg_mu_);
    auto it = segments_.find(ref.segment);
    if (it == segments_.end()) return Status::internal("WAL segment of record " + std::to_string(ref.lsn) + " is gone");
    fd = it->second.fd;
  }
  const size_t start = out.size();
  out.resize(start + ref.size);
  size_t done = 0;
  while (done < ref.size) {
    ssize_t n = ::pread(fd, out.data() + start + done, ref.size - done,
                        static_cast<off_t>(ref.offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      out.resize(start);
      return Status::internal("reading WAL record " + std::to_string(ref.lsn) + " failed");
    }
    done += static_cast<size_t>(n);
  }
  return Status::ok();
}

Status Wal::submit(Write& w) {
  std::unique_lock lock(queue_mu_);
  if (stopping_) return Status::unavailable("the write-ahead log is closed");
  queue_.push_back(&w);
  queue_cv_.notify_one();
  done_cv_.wait(lock, [&] { return w.done; });
  return w.status;
}

Status Wal::ioFailure(const char* what, const std::string& path, int err) {
  const bool full = err == ENOSPC || err == EDQUOT;
  Status st = Status::unavailable(std::string(full ? "disk full" : "I/O error") + " " + what +
                                  " the write-ahead log (" + path + ": " + strerror(err) +
                                  "); nothing of this request was kept, retry later");
  // One line a second at most: a full disk under load fails every commit.
  const auto now = std::chrono::steady_clock::now();
  if (now - last_fault_log_ >= std::chrono::seconds(1)) {
    LOG_ERROR("%s (%llu more faults since the last line)", st.message().c_str(),
              static_cast<unsigned long long>(faults_unlogged_));
    last_fault_log_ = now;
    faults_unlogged_ = 0;
  } else {
    ++faults_unlogged_;
  }
  return st;
}

Status Wal::prepareSegment(size_t next_bytes) {
  uint64_t size;
  std::string path;
  {
    std::lock_guard lock(seg_mu_);
    size = segments_[current_seq_].size;
    path = segments_[current_seq_].path;
  }
  if (tail_dirty_) {
    if (io_.ftruncate(current_fd_, static_cast<off_t>(size)) != 0)
      return ioFailure("cutting back", path, errno);
    tail_dirty_ = false;
    cut_unsynced_ = true;
    stats_.truncations++;
  }
  if (size > kWalSegmentHeader.size() && size + next_bytes > options_.segment_bytes)
    return openSegment();
  return Status::ok();
}

void Wal::commitRun(Write* const* run, size_t n) {
  uint64_t seq, base;
  std::string path;
  {
    std::lock_guard lock(seg_mu_);
    seq = current_seq_;
    base = segments_[seq].size;
    path = segments_[seq].path;
  }
  uint64_t end = base;
  Status fault;
  for (size_t i = 0; i < n && fault.isOk(); ++i) {
    const std::string& b = run[i]->bytes;
    if (walWriteAll(io_, current_fd_, b.data(), b.size(), static_cast<off_t>(end))) {
      end += b.size();
    } else {
      stats_.write_errors++;
      fault = ioFailure("writing", path, errno);
    }
  }
  if (fault.isOk() && options_.fsync) {
    stats_.syncs++;
    if (io_.fdatasync(current_fd_) == 0) {
      cut_unsynced_ = false;
    } else {
      // The kernel may have dropped these pages and marked them clean: a
      // second fdatasync could succeed without writing them (fsyncgate).
      // They are cut below and their appends refused, never retried as is.
      stats_.fsync_errors++;
      fault = ioFailure("syncing", path, errno);
    }
  }
  if (!fault.isOk()) {
    // Nothing of the run is acknowledged; cut the segment back to where it
    // was, so the next commit does not follow a torn or unsynced record.
    for (size_t i = 0; i < n; ++i) run[i]->status = fault;
    stats_.refused_io += n;
    if (io_.ftruncate(current_fd_, static_cast<off_t>(base)) == 0) {
      stats_.truncations++;
      cut_unsynced_ = true;
    } else {
      tail_dirty_ = true;
      (void)ioFailure("cutting back", path, errno);  // logged; retried before the next write
    }
    return;
  }
  uint64_t pending = 0;
  uint64_t offset = base;
  for (size_t i = 0; i < n; ++i) {
    Write* w = run[i];
    pending += w->pending;
    if (w->refs) {
      for (size_t k = 0; k < w->refs->size() && k < w->payloads.size(); ++k) {
        (*w->refs)[k].segment = seq;
        (*w->refs)[k].offset = offset + w->payloads[k].first;
      }
      if (w->refs->empty()) w->refs->push_back(WalDataRef{0, seq, offset, 0, 0, {}});
    }
    offset += w->bytes.size();
  }
  {
    std::lock_guard lock(seg_mu_);
    Segment& s = segments_[seq];
    s.size = end;
    s.pending += pending;
  }
  total_bytes_ += end - base;
  stats_.bytes_written += end - base;
}

void Wal::writerLoop() {
  std::vector<Write*> group;
  for (;;) {
    {
      std::unique_lock lock(queue_mu_);
      queue_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty() && stopping_) return;
      group.assign(queue_.begin(), queue_.end());
      queue_.clear();
    }
    // The group is committed in runs, one per segment: a run is written and
    // synced as a whole, then the next run may start a new segment.
    size_t i = 0;
    while (i < group.size()) {
      if (Status st = prepareSegment(group[i]->bytes.size()); !st.isOk()) {
        group[i]->status = st;
        stats_.refused_io++;
        ++i;
        continue;
      }
      uint64_t size;
      {
        std::lock_guard lock(seg_mu_);
        size = segments_[current_seq_].size;
      }
      size_t j = i;
      do {
        size += group[j]->bytes.size();
        ++j;
      } while (j < group.size() && size + group[j]->bytes.size() <= options_.segment_bytes);
      commitRun(group.data() + i, j - i);
      i = j;
    }
    {
      std::lock_guard lock(queue_mu_);
      for (Write* w : group) w->done = true;
    }
    done_cv_.notify_all();
  }
}

}  // namespace otelhouse
