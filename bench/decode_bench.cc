// Decoding benchmarks: OTLP request bytes -> column builders (-> Native), per
// signal and format, on the fixed corpus. Bytes are request bytes decoded;
// items are log records / spans / data points.
#include <benchmark/benchmark.h>

#include <string>

#include "codec/otlp_logs_json.h"
#include "codec/otlp_logs_proto.h"
#include "codec/otlp_metrics_json.h"
#include "codec/otlp_metrics_proto.h"
#include "codec/otlp_traces_json.h"
#include "codec/otlp_traces_proto.h"
#include "corpus.h"
#include "pipeline/log_processor.h"

namespace otelhouse::bench {
namespace {

using loadgen::LoadFormat;
using loadgen::LoadSignal;

void finish(benchmark::State& state, const Corpus& c) {
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.bytes));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * c.items));
}

// Decode only: the builders are cleared per request, as the pipeline does.
template <class Rows, class Decode>
void decodeCorpus(benchmark::State& state, const Corpus& c, Decode decode) {
  Rows rows;
  for (auto _ : state) {
    for (const std::string& body : c.requests) {
      rows.clear();
      Status st = decode(body, rows);
      if (!st.isOk()) {
        state.SkipWithError(st.message().c_str());
        return;
      }
      benchmark::DoNotOptimize(rows);
    }
  }
  finish(state, c);
}

void BM_LogsProtoDecode(benchmark::State& state) {
  decodeCorpus<LogsRows>(state, corpus(LoadSignal::kLogs, LoadFormat::kProtobuf),
                         [](std::string_view b, LogsRows& r) { return decodeLogsProto(b, r); });
}
BENCHMARK(BM_LogsProtoDecode);

// The pipeline's whole per-request job for logs: decode, then one Native block.
void BM_LogsProtoToNative(benchmark::State& state) {
  const Corpus& c = corpus(LoadSignal::kLogs, LoadFormat::kProtobuf);
  LogsRows rows;
  std::string native;
  for (auto _ : state) {
    for (const std::string& body : c.requests) {
      rows.clear();
      native.clear();
      Status st = decodeLogsProto(body, rows);
      if (!st.isOk()) {
        state.SkipWithError(st.message().c_str());
        return;
      }
      rows.encodeNative(native);
      benchmark::DoNotOptimize(native.data());
    }
  }
  finish(state, c);
}
BENCHMARK(BM_LogsProtoToNative);

// What the gateway runs by default: decode with ClickStack's log processing
// (session routing, JSON bodies, severity inference) as the decoder's hook.
void BM_LogsProtoDecodeProcessed(benchmark::State& state) {
  const Corpus& c = corpus(LoadSignal::kLogs, LoadFormat::kProtobuf);
  const LogProcessingOptions options;
  LogsRows rows, sessions;
  for (auto _ : state) {
    for (const std::string& body : c.requests) {
      rows.clear();
      sessions.clear();
      LogProcessor processor(options, rows, sessions);
      Status st = decodeLogsProto(body, rows, &processor);
      if (!st.isOk()) {
        state.SkipWithError(st.message().c_str());
        return;
      }
      benchmark::DoNotOptimize(rows);
    }
  }
  finish(state, c);
}
BENCHMARK(BM_LogsProtoDecodeProcessed);

void BM_LogsJsonDecode(benchmark::State& state) {
  decodeCorpus<LogsRows>(state, corpus(LoadSignal::kLogs, LoadFormat::kJson),
                         [](std::string_view b, LogsRows& r) { return decodeLogsJson(b, r); });
}
BENCHMARK(BM_LogsJsonDecode);

void BM_TracesProtoDecode(benchmark::State& state) {
  decodeCorpus<TracesRows>(state, corpus(LoadSignal::kTraces, LoadFormat::kProtobuf),
                           [](std::string_view b, TracesRows& r) { return decodeTracesProto(b, r); });
}
BENCHMARK(BM_TracesProtoDecode);

void BM_TracesJsonDecode(benchmark::State& state) {
  decodeCorpus<TracesRows>(state, corpus(LoadSignal::kTraces, LoadFormat::kJson),
                           [](std::string_view b, TracesRows& r) { return decodeTracesJson(b, r); });
}
BENCHMARK(BM_TracesJsonDecode);

void BM_MetricsProtoDecode(benchmark::State& state) {
  decodeCorpus<MetricsRows>(
      state, corpus(LoadSignal::kMetrics, LoadFormat::kProtobuf),
      [](std::string_view b, MetricsRows& r) { return decodeMetricsProto(b, r); });
}
BENCHMARK(BM_MetricsProtoDecode);

void BM_MetricsJsonDecode(benchmark::State& state) {
  decodeCorpus<MetricsRows>(
      state, corpus(LoadSignal::kMetrics, LoadFormat::kJson),
      [](std::string_view b, MetricsRows& r) { return decodeMetricsJson(b, r); });
}
BENCHMARK(BM_MetricsJsonDecode);

}  // namespace
}  // namespace otelhouse::bench
