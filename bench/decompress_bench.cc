// Decompression benchmarks: Content-Encoding bodies of the logs corpus (one
// request at a time, as the receiver sees them) back to protobuf. Bytes are
// decompressed bytes; items are log records.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "compression/decompress.h"
#include "corpus.h"

namespace otelhouse::bench {
namespace {

void decompressCorpus(benchmark::State& state, const char* encoding) {
  const Corpus& c = corpus(loadgen::LoadSignal::kLogs, loadgen::LoadFormat::kProtobuf);
  std::vector<std::string> packed;
  size_t packed_bytes = 0;
  for (const std::string& body : c.requests) {
    std::string z;
    if (!compress(encoding, body, z).isOk()) {
      state.SkipWithError("compress failed");
      return;
    }
    packed_bytes += z.size();
    packed.push_back(std::move(z));
  }
  std::string out;
  for (auto _ : state) {
    for (const std::string& z : packed) {
      Status st = decompress(encoding, z, 64u << 20, out);
      if (!st.isOk()) {
        state.SkipWithError(st.message().c_str());
        return;
      }
      benchmark::DoNotOptimize(out.data());
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.bytes));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * c.items));
  state.counters["ratio"] = static_cast<double>(c.bytes) / static_cast<double>(packed_bytes);
}

void BM_GzipDecompress(benchmark::State& state) { decompressCorpus(state, "gzip"); }
BENCHMARK(BM_GzipDecompress);

void BM_ZstdDecompress(benchmark::State& state) { decompressCorpus(state, "zstd"); }
BENCHMARK(BM_ZstdDecompress);

}  // namespace
}  // namespace otelhouse::bench
