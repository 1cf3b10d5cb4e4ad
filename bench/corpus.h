// The benchmarks' fixed corpus: realistic OTLP export requests from the load
// generator's payload builder (same seed, same clock value, so every run and
// machine decodes the same bytes). Header-only, bench-only.
#pragma once

#include <string>
#include <vector>

#include "loadgen/payload_builder.h"

namespace otelhouse::bench {

constexpr size_t kCorpusRequests = 32;
constexpr size_t kCorpusRecords = 100;  // items per request

struct Corpus {
  std::vector<std::string> requests;
  size_t bytes = 0;
  size_t items = 0;
};

inline Corpus makeCorpus(loadgen::LoadSignal signal, loadgen::LoadFormat format) {
  loadgen::PayloadOptions o;
  o.signal = signal;
  o.format = format;
  o.records = kCorpusRecords;
  o.run_id = "bench000";
  o.seed = 42;
  o.time_unix_nano = 1732000000000000000ull;
  Corpus c;
  for (size_t i = 0; i < kCorpusRequests; ++i) {
    loadgen::Payload p = loadgen::buildPayload(o, i);
    loadgen::stampIds(p, i * kCorpusRecords);
    c.bytes += p.body.size();
    c.items += kCorpusRecords;
    c.requests.push_back(std::move(p.body));
  }
  return c;
}

// Built once per process and signal / format.
inline const Corpus& corpus(loadgen::LoadSignal signal, loadgen::LoadFormat format) {
  static Corpus cache[3][2];
  Corpus& c = cache[static_cast<int>(signal)][static_cast<int>(format)];
  if (c.requests.empty()) c = makeCorpus(signal, format);
  return c;
}

}  // namespace otelhouse::bench
