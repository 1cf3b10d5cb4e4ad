// WAL benchmarks: appending one request's Native block (100 log records of
// the corpus) with fsync on and off, from 1 and 8 threads (group commit
// shares one fdatasync among concurrent appends). Every 100 appends the
// records are batched and completed, as the exporter does, so segments are
// recycled and the disk use stays flat. Real time, since fsync waits.
#include <benchmark/benchmark.h>

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "codec/otlp_logs_proto.h"
#include "corpus.h"
#include "wal/wal.h"

namespace otelhouse::bench {
namespace {

struct WalHolder {
  std::string dir;
  std::unique_ptr<Wal> wal;
  std::string native;
  uint32_t rows = 0;
  ~WalHolder() {
    wal.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

// One WAL per fsync mode, shared by the benchmark's threads.
WalHolder* walFor(bool fsync, std::string* error) {
  static std::mutex mu;
  static std::unique_ptr<WalHolder> holders[2];
  std::lock_guard<std::mutex> lock(mu);
  auto& h = holders[fsync ? 1 : 0];
  if (h) return h.get();
  auto fresh = std::make_unique<WalHolder>();
  const char* tmp = getenv("TMPDIR");
  std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/otelhouse-wal-bench-XXXXXX";
  if (!mkdtemp(templ.data())) {
    *error = "mkdtemp failed";
    return nullptr;
  }
  fresh->dir = templ;
  WalOptions o;
  o.dir = fresh->dir + "/wal";
  o.fsync = fsync;
  WalRecovery recovery;
  auto opened = Wal::open(o, &recovery);
  if (!opened.isOk()) {
    *error = opened.status().message();
    return nullptr;
  }
  fresh->wal = std::move(opened.value());
  const Corpus& c = corpus(loadgen::LoadSignal::kLogs, loadgen::LoadFormat::kProtobuf);
  LogsRows rows;
  if (!decodeLogsProto(c.requests[0], rows).isOk()) {
    *error = "corpus does not decode";
    return nullptr;
  }
  rows.encodeNative(fresh->native);
  fresh->rows = static_cast<uint32_t>(rows.rows());
  h = std::move(fresh);
  return h.get();
}

void BM_WalAppend(benchmark::State& state) {
  std::string error;
  WalHolder* h = walFor(state.range(0) != 0, &error);
  if (!h) {
    state.SkipWithError(error.c_str());
    return;
  }
  Wal& wal = *h->wal;
  const std::vector<Wal::Entry> entries{{"otel_logs", h->native, h->rows}};
  std::vector<WalDataRef> refs, batch;
  for (auto _ : state) {
    refs.clear();
    Status st = wal.append(entries, &refs);
    if (!st.isOk()) {
      state.SkipWithError(st.message().c_str());
      return;
    }
    batch.insert(batch.end(), refs.begin(), refs.end());
    if (batch.size() >= 100) {
      auto lsn = wal.appendIntent("otel_logs", batch);
      if (!lsn.isOk()) {
        state.SkipWithError(lsn.status().message().c_str());
        return;
      }
      WalBatch b{lsn.value(), "otel_logs", std::move(batch)};
      if (Status done = wal.complete(b); !done.isOk()) {
        state.SkipWithError(done.message().c_str());
        return;
      }
      batch.clear();
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * h->native.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * h->rows));
  state.counters["syncs"] = static_cast<double>(wal.stats().syncs.load());
}
BENCHMARK(BM_WalAppend)->ArgName("fsync")->Arg(0)->Arg(1)->Threads(1)->Threads(8)->UseRealTime();

}  // namespace
}  // namespace otelhouse::bench
