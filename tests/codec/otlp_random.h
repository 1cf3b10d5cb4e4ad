// OtlpRandom: random OTLP payloads for differential tests, built with the
// libprotobuf classes generated from tests/proto (test-only).
//
// - fill*/logsRequest()/tracesRequest()/metricsRequest(): random messages:
//   several resources / scopes / records (spans with events and links;
//   metrics of every type, some without data, with exemplars, absent
//   optional fields and extreme enum / scale / offset values), every AnyValue type, nested arrays and kvlists, empty and unset
//   fields, duplicate keys, special doubles (NaN, Inf, -0, 1e-7, 1e21...),
//   strings with escapes, control characters, U+2028 and multi-byte UTF-8.
// - wireEncode(): serializes any message by reflection with wire-level
//   variation libprotobuf must accept: shuffled field order (repeated fields
//   keep their relative order), unknown fields of every wire type (groups
//   included) and known numbers with a foreign wire type, singular messages
//   split into two occurrences (merged on parse), decoy values before the
//   real one (last wins; another oneof member for oneofs), varints padded
//   with redundant continuation bytes.
// - mutate(): random byte-level damage (flips, inserts, deletes, truncation,
//   duplicated ranges) for accept/reject agreement tests.
// Deterministic for a given seed. Not thread-safe.
#pragma once

#include <cstdint>
#include <random>
#include <string>

#include <google/protobuf/message.h>

#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "opentelemetry/proto/common/v1/common.pb.h"
#include "opentelemetry/proto/logs/v1/logs.pb.h"
#include "opentelemetry/proto/metrics/v1/metrics.pb.h"
#include "opentelemetry/proto/resource/v1/resource.pb.h"
#include "opentelemetry/proto/trace/v1/trace.pb.h"

namespace otelhouse::testing {

struct OtlpRandomOptions {
  int max_resources = 3;
  int max_scopes = 3;
  int max_records = 4;
  int max_attributes = 6;
  int max_depth = 3;             // AnyValue nesting below an attribute / body
  double empty_chance = 0.2;     // a field left unset or empty
  double special_chance = 0.15;  // special doubles, odd strings, edge values
  bool invalid_utf8 = false;     // strings may hold invalid UTF-8
  bool bad_ids = false;          // trace / span ids of a wrong length
  int max_points = 3;            // data points per metric; events / links per span
};

struct WireOptions {
  double unknown_chance = 0.15;  // per message: insert unknown fields
  double split_chance = 0.15;    // per singular message field: two occurrences
  double decoy_chance = 0.1;     // per singular scalar / oneof: a value before it
  double pad_chance = 0.05;      // per varint: redundant continuation bytes
  bool shuffle = true;
};

class OtlpRandom {
 public:
  explicit OtlpRandom(uint64_t seed, OtlpRandomOptions options = {});

  std::mt19937_64& engine() { return rng_; }
  const OtlpRandomOptions& options() const { return opt_; }
  uint64_t below(uint64_t n);  // uniform in [0, n); 0 when n == 0
  bool chance(double p);

  std::string text();             // a random string value
  std::string key();              // an attribute key, often from a small pool
  std::string bytes(size_t max);  // random bytes
  double number();                // a double, sometimes special
  int64_t integer();              // an int64, sometimes extreme

  void fillAnyValue(opentelemetry::proto::common::v1::AnyValue* v, int depth);
  void fillAttributes(
      google::protobuf::RepeatedPtrField<opentelemetry::proto::common::v1::KeyValue>* attrs,
      int depth);
  void fillResource(opentelemetry::proto::resource::v1::Resource* r);
  void fillScope(opentelemetry::proto::common::v1::InstrumentationScope* s);
  void fillLogRecord(opentelemetry::proto::logs::v1::LogRecord* r);
  opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest logsRequest();

  // An id of `len` bytes: sometimes all zero, sometimes (bad_ids) of a
  // wrong length.
  std::string randomId(size_t len);
  void fillSpan(opentelemetry::proto::trace::v1::Span* s);
  opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest tracesRequest();
  void fillExemplar(opentelemetry::proto::metrics::v1::Exemplar* e);
  void fillMetric(opentelemetry::proto::metrics::v1::Metric* m);
  opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest metricsRequest();

  std::string wireEncode(const google::protobuf::Message& m, const WireOptions& w = {});
  std::string mutate(std::string bytes);

 private:
  void encodeMessage(const google::protobuf::Message& m, const WireOptions& w, std::string* out);
  void appendVarint(std::string* out, uint64_t v, int max_bytes, const WireOptions& w);
  void appendUnknown(const google::protobuf::Descriptor* d, std::string* out,
                     const WireOptions& w);

  std::mt19937_64 rng_;
  OtlpRandomOptions opt_;
};

}  // namespace otelhouse::testing
