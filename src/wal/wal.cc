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

bool writeAll(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
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

void syncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
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
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return errnoStatus("create " + tmp);
    std::string line = id + "\n";
    bool written = writeAll(fd, line.data(), line.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!written || ::rename(tmp.c_str(), id_path.c_str()) != 0) return errnoStatus("write " + id_path);
    syncDir(options.dir);
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
  if (current_fd_ >= 0) ::close(current_fd_);
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
    size_t at = 0;
    WalDecoded r;
    while (at < data.size()) {
      size_t n = walDecode(data, at, &r);
      if (n == 0) break;
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
          if (it == unbatched.end()) continue;  // its segment was lost to corruption
          b.records.push_back(std::move(it->second));
          unbatched.erase(it);
        }
        intent_segment_[r.lsn] = seq;
        batches[r.lsn] = std::move(b);
      } else {
        batches.erase(r.intent_lsn);
        intent_segment_.erase(r.intent_lsn);
      }
      at += n;
    }
    if (at < data.size()) {
      const uint64_t cut = data.size() - at;
      LOG_WARN("WAL segment %s: cutting %llu bytes of torn or corrupt tail at offset %zu",
               seg.path.c_str(), static_cast<unsigned long long>(cut), at);
      if (::truncate(seg.path.c_str(), static_cast<off_t>(at)) != 0)
        return errnoStatus("truncate " + seg.path);
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

Status Wal::openSegment() {
  std::lock_guard lock(seg_mu_);
  const uint64_t seq = current_seq_ + 1;
  Segment seg;
  seg.seq = seq;
  seg.path = options_.dir + "/" + segmentName(seq);
  int wfd = ::open(seg.path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (wfd < 0) return errnoStatus("create " + seg.path);
  seg.fd = ::open(seg.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (seg.fd < 0) {
    ::close(wfd);
    return errnoStatus("open " + seg.path);
  }
  if (options_.fsync) syncDir(options_.dir);
  if (current_fd_ >= 0) {
    if (options_.fsync) ::fdatasync(current_fd_);
    ::close(current_fd_);
  }
  current_fd_ = wfd;
  current_seq_ = seq;
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
    ::unlink(it->second.path.c_str());
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
    Status st;
    uint64_t written = 0;
    for (Write* w : group) {
      uint64_t seq, offset;
      {
        std::lock_guard lock(seg_mu_);
        if (segments_[current_seq_].size > 0 &&
            segments_[current_seq_].size + w->bytes.size() > options_.segment_bytes) {
          seg_mu_.unlock();
          Status os = openSegment();
          seg_mu_.lock();
          if (!os.isOk()) st = os;
        }
        seq = current_seq_;
        offset = segments_[seq].size;
      }
      if (!st.isOk()) {
        w->status = st;
        continue;
      }
      if (!writeAll(current_fd_, w->bytes.data(), w->bytes.size())) {
        w->status = errnoStatus("writing the WAL");
        LOG_ERROR("%s", w->status.message().c_str());
        continue;
      }
      {
        std::lock_guard lock(seg_mu_);
        Segment& s = segments_[seq];
        s.size += w->bytes.size();
        s.pending += w->pending;
      }
      total_bytes_ += w->bytes.size();
      written += w->bytes.size();
      if (w->refs) {
        for (size_t i = 0; i < w->refs->size() && i < w->payloads.size(); ++i) {
          (*w->refs)[i].segment = seq;
          (*w->refs)[i].offset = offset + w->payloads[i].first;
        }
        if (w->refs->empty()) w->refs->push_back(WalDataRef{0, seq, offset, 0, 0, {}});
      }
    }
    if (options_.fsync && written > 0) {
      if (::fdatasync(current_fd_) != 0) {
        Status fs = errnoStatus("fdatasync of the WAL");
        LOG_ERROR("%s", fs.message().c_str());
        for (Write* w : group)
          if (w->status.isOk()) w->status = fs;
      }
      stats_.syncs++;
    }
    stats_.bytes_written += written;
    {
      std::lock_guard lock(queue_mu_);
      for (Write* w : group) w->done = true;
    }
    done_cv_.notify_all();
  }
}

}  // namespace otelhouse
