// PayloadBuilder: realistic OTLP export requests for load generation and
// benchmarks, built once and sent many times.
//
// A request holds `records` items (log records, spans, or metric data points)
// spread over a few resources (service, host and k8s attributes, SDK info),
// each with one instrumentation scope. Every item carries a string attribute
// `loadgen.id` = "<run id>-<12 hex digits of a sequence number>"; the digits
// sit at fixed offsets (Payload::id_offsets), so stampIds() makes a template
// unique per send with a few memcpys and no re-encoding, and a reader can
// check for loss and duplicates by counting distinct ids.
//
// Encoding is hand-written (loadgen/otlp_writer.h), protobuf or OTLP/JSON, so
// the load generator needs no generated protobuf classes. Deterministic for a
// given seed, variant and clock value. Thread-safety: stateless functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace otelhouse::loadgen {

enum class LoadSignal { kLogs, kTraces, kMetrics };
enum class LoadFormat { kProtobuf, kJson };

const char* loadSignalName(LoadSignal signal);  // "logs", "traces", "metrics"

struct PayloadOptions {
  LoadSignal signal = LoadSignal::kLogs;
  LoadFormat format = LoadFormat::kProtobuf;
  size_t records = 100;        // items per request
  size_t resources = 2;        // items are split evenly over this many resources
  size_t attributes = 10;      // per item, loadgen.id included (at least 1)
  size_t body_bytes = 200;     // log body length
  size_t events_per_span = 2;  // span events, each with two attributes
  std::string run_id = "00000000";  // 8 characters, no '-'
  uint64_t seed = 1;
  uint64_t time_unix_nano = 0;  // the items' time; 0: now
};

struct Payload {
  std::string body;
  std::vector<uint32_t> id_offsets;  // of each item's sequence digits in body
};

constexpr size_t kSeqDigits = 12;

// A request; `variant` picks different attribute values and ids for the same
// shape. Its ids start as sequence 0..records-1.
Payload buildPayload(const PayloadOptions& options, uint64_t variant);

// Writes sequence numbers first_seq, first_seq + 1, ... into the items' ids.
void stampIds(Payload& payload, uint64_t first_seq);

// A random 8-hex-digit run id.
std::string makeRunId();

}  // namespace otelhouse::loadgen
