// Differential tests: decodeMetricsProto against an oracle that parses with
// libprotobuf and fills MetricsRows by walking the parsed messages, written
// independently here from the collector's internal/metrics/*_metrics.go.
// Both must accept and reject the same payloads and, when they accept,
// produce byte-identical Native blocks for all five tables.
//
// The one documented difference, as for logs: libprotobuf rejects invalid
// UTF-8 in proto3 strings, the decoder (like the Go collector) keeps it.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "codec/otlp_metrics_proto.h"
#include "codec/otlp_oracle.h"
#include "codec/otlp_random.h"
#include "rows/metrics_rows.h"

namespace otelhouse {
namespace {

namespace metricspb = opentelemetry::proto::metrics::v1;
namespace collector = opentelemetry::proto::collector::metrics::v1;
namespace resourcepb = opentelemetry::proto::resource::v1;
namespace commonpb = opentelemetry::proto::common::v1;
namespace oracle = testing::oracle;
using testing::OtlpRandom;
using testing::OtlpRandomOptions;
using testing::WireOptions;

struct Outcome {
  bool ok = false;
  bool utf8 = false;
  std::string error;
  MetricsRows rows;
};

bool badId(const std::string& id, size_t want) { return !id.empty() && id.size() != want; }

// Everything an oracle row needs from above the data point.
struct Context {
  const metricspb::ResourceMetrics* rm;
  const metricspb::ScopeMetrics* sm;
  const metricspb::Metric* m;
  std::string service;
  std::map<std::string, std::string> res_attrs, scope_attrs;
};

template <class Point>
void oraclePoint(const Context& c, const Point& p, MetricPointColumns& out) {
  for (const auto& [k, v] : c.res_attrs) out.resource_attributes.addEntry(k, v);
  out.resource_attributes.endRow();
  out.resource_schema_url.append(c.rm->schema_url());
  out.scope_name.append(c.sm->scope().name());
  out.scope_version.append(c.sm->scope().version());
  for (const auto& [k, v] : c.scope_attrs) out.scope_attributes.addEntry(k, v);
  out.scope_attributes.endRow();
  out.scope_dropped_attr_count.append(c.sm->scope().dropped_attributes_count());
  out.scope_schema_url.append(c.sm->schema_url());
  out.service_name.append(c.service);
  out.metric_name.append(c.m->name());
  out.metric_description.append(c.m->description());
  out.metric_unit.append(c.m->unit());
  for (const auto& [k, v] : oracle::attributes(p.attributes())) out.attributes.addEntry(k, v);
  out.attributes.endRow();
  out.start_time_unix.append(static_cast<int64_t>(p.start_time_unix_nano()));
  out.time_unix.append(static_cast<int64_t>(p.time_unix_nano()));
  out.flags.append(p.flags());
}

// hex.EncodeToString of pdata's fixed-size id array: zeros when empty.
std::string fixedHex(const std::string& id, size_t size) {
  return oracle::hex(id.empty() ? std::string(size, '\0') : id);
}

template <class Point>
bool oracleExemplars(const Point& p, ExemplarColumns& e) {
  for (const auto& x : p.exemplars()) {
    if (badId(x.trace_id(), 16) || badId(x.span_id(), 8)) return false;
  }
  for (const auto& x : p.exemplars()) {
    for (const auto& [k, v] : oracle::attributes(x.filtered_attributes())) {
      e.filtered_attributes.element().addEntry(k, v);
    }
    e.filtered_attributes.element().endRow();
    e.time_unix.add(static_cast<int64_t>(x.time_unix_nano()));
    double v = 0;
    if (x.value_case() == metricspb::Exemplar::kAsDouble) v = x.as_double();
    if (x.value_case() == metricspb::Exemplar::kAsInt) v = static_cast<double>(x.as_int());
    e.value.add(v);
    e.span_id.add(fixedHex(x.span_id(), 8));
    e.trace_id.add(fixedHex(x.trace_id(), 16));
  }
  e.filtered_attributes.endRow();
  e.time_unix.endRow();
  e.value.endRow();
  e.span_id.endRow();
  e.trace_id.endRow();
  return true;
}

double numberValue(const metricspb::NumberDataPoint& p) {
  if (p.value_case() == metricspb::NumberDataPoint::kAsDouble) return p.as_double();
  if (p.value_case() == metricspb::NumberDataPoint::kAsInt) return static_cast<double>(p.as_int());
  return 0;
}

Outcome runOracle(const std::string& bytes) {
  Outcome o;
  collector::ExportMetricsServiceRequest req;
  if (!oracle::parse(bytes, &req, &o.utf8)) {
    o.error = "libprotobuf parse failed";
    return o;
  }
  MetricsRows& rows = o.rows;
  for (const auto& rm : req.resource_metrics()) {
    for (const auto& sm : rm.scope_metrics()) {
      for (const auto& m : sm.metrics()) {
        Context c{&rm, &sm, &m, oracle::serviceName(rm.resource().attributes()),
                  oracle::attributes(rm.resource().attributes()),
                  oracle::attributes(sm.scope().attributes())};
        switch (m.data_case()) {
          case metricspb::Metric::kGauge:
            for (const auto& p : m.gauge().data_points()) {
              oraclePoint(c, p, rows.gauge.point);
              rows.gauge.value.append(numberValue(p));
              if (!oracleExemplars(p, rows.gauge.exemplars)) return o.error = "bad id", o;
            }
            break;
          case metricspb::Metric::kSum:
            for (const auto& p : m.sum().data_points()) {
              oraclePoint(c, p, rows.sum.point);
              rows.sum.value.append(numberValue(p));
              if (!oracleExemplars(p, rows.sum.exemplars)) return o.error = "bad id", o;
              rows.sum.aggregation_temporality.append(m.sum().aggregation_temporality());
              rows.sum.is_monotonic.append(m.sum().is_monotonic() ? 1 : 0);
            }
            break;
          case metricspb::Metric::kHistogram:
            for (const auto& p : m.histogram().data_points()) {
              HistogramRows& h = rows.histogram;
              oraclePoint(c, p, h.point);
              h.count.append(p.count());
              h.sum.append(p.has_sum() ? p.sum() : 0);
              for (uint64_t v : p.bucket_counts()) h.bucket_counts.add(v);
              h.bucket_counts.endRow();
              for (double v : p.explicit_bounds()) h.explicit_bounds.add(v);
              h.explicit_bounds.endRow();
              if (!oracleExemplars(p, h.exemplars)) return o.error = "bad id", o;
              h.min.append(p.has_min() ? p.min() : 0);
              h.max.append(p.has_max() ? p.max() : 0);
              h.aggregation_temporality.append(m.histogram().aggregation_temporality());
            }
            break;
          case metricspb::Metric::kExponentialHistogram:
            for (const auto& p : m.exponential_histogram().data_points()) {
              ExponentialHistogramRows& e = rows.exponential_histogram;
              oraclePoint(c, p, e.point);
              e.count.append(p.count());
              e.sum.append(p.has_sum() ? p.sum() : 0);
              e.scale.append(p.scale());
              e.zero_count.append(p.zero_count());
              e.positive_offset.append(p.positive().offset());
              for (uint64_t v : p.positive().bucket_counts()) e.positive_bucket_counts.add(v);
              e.positive_bucket_counts.endRow();
              e.negative_offset.append(p.negative().offset());
              for (uint64_t v : p.negative().bucket_counts()) e.negative_bucket_counts.add(v);
              e.negative_bucket_counts.endRow();
              if (!oracleExemplars(p, e.exemplars)) return o.error = "bad id", o;
              e.min.append(p.has_min() ? p.min() : 0);
              e.max.append(p.has_max() ? p.max() : 0);
              e.aggregation_temporality.append(
                  m.exponential_histogram().aggregation_temporality());
            }
            break;
          case metricspb::Metric::kSummary:
            for (const auto& p : m.summary().data_points()) {
              SummaryRows& s = rows.summary;
              oraclePoint(c, p, s.point);
              s.count.append(p.count());
              s.sum.append(p.sum());
              for (const auto& q : p.quantile_values()) {
                s.quantiles.add(q.quantile());
                s.values.add(q.value());
              }
              s.quantiles.endRow();
              s.values.endRow();
            }
            break;
          case metricspb::Metric::DATA_NOT_SET:
            break;  // no rows (the decoder's documented choice)
        }
      }
    }
  }
  o.ok = true;
  return o;
}

Outcome runDecoder(const std::string& bytes) {
  Outcome o;
  Status s = decodeMetricsProto(bytes, o.rows);
  o.ok = s.isOk();
  o.error = s.message();
  if (!o.ok) {
    EXPECT_EQ(s.code(), Code::kInvalidArgument) << s.message();
  } else {
    EXPECT_TRUE(o.rows.consistent());
  }
  return o;
}

std::string encodeAll(const MetricsRows& r) {
  std::string out;
  for (const auto* part : {"gauge", "sum", "histogram", "exp", "summary"}) {
    std::string block;
    if (!std::strcmp(part, "gauge")) encodeNative(r.gauge, block);
    if (!std::strcmp(part, "sum")) encodeNative(r.sum, block);
    if (!std::strcmp(part, "histogram")) encodeNative(r.histogram, block);
    if (!std::strcmp(part, "exp")) encodeNative(r.exponential_histogram, block);
    if (!std::strcmp(part, "summary")) encodeNative(r.summary, block);
    out += std::string(part) + ":" + std::to_string(block.size()) + ":" + block;
  }
  return out;
}

template <class R>
std::string diffColumns(const R& a, const R& b, const char* table,
                        std::initializer_list<const char*> names) {
  for (const char* name : names) {
    std::string ea, eb;
    encodeNative(a, ea, ColumnSet({name}));
    encodeNative(b, eb, ColumnSet({name}));
    if (ea != eb) return std::string(table) + "." + name;
  }
  return "";
}

std::string firstDiff(const MetricsRows& a, const MetricsRows& b) {
  static const std::initializer_list<const char*> kAll = {
      "ResourceAttributes", "ResourceSchemaUrl", "ScopeName", "ScopeVersion", "ScopeAttributes",
      "ScopeDroppedAttrCount", "ScopeSchemaUrl", "ServiceName", "MetricName",
      "MetricDescription", "MetricUnit", "Attributes", "StartTimeUnix", "TimeUnix", "Flags",
      "Value", "Exemplars.FilteredAttributes", "Exemplars.TimeUnix", "Exemplars.Value",
      "Exemplars.SpanId", "Exemplars.TraceId", "AggregationTemporality", "IsMonotonic", "Count",
      "Sum", "BucketCounts", "ExplicitBounds", "Min", "Max", "Scale", "ZeroCount",
      "PositiveOffset", "PositiveBucketCounts", "NegativeOffset", "NegativeBucketCounts",
      "ValueAtQuantiles.Quantile", "ValueAtQuantiles.Value"};
  std::string d;
  if (d.empty()) d = diffColumns(a.gauge, b.gauge, "gauge", kAll);
  if (d.empty()) d = diffColumns(a.sum, b.sum, "sum", kAll);
  if (d.empty()) d = diffColumns(a.histogram, b.histogram, "histogram", kAll);
  if (d.empty()) {
    d = diffColumns(a.exponential_histogram, b.exponential_histogram, "exp", kAll);
  }
  if (d.empty()) d = diffColumns(a.summary, b.summary, "summary", kAll);
  return d.empty() ? "row count" : d;
}

struct Tally {
  int both_ok = 0;
  int both_rejected = 0;
  int utf8_allowed = 0;
  size_t rows = 0;
  size_t tables[5] = {};
};

bool agree(const std::string& bytes, Tally* tally, const std::string& label) {
  Outcome want = runOracle(bytes);
  Outcome got = runDecoder(bytes);
  if (!want.ok && want.utf8 && got.ok) {
    ++tally->utf8_allowed;
    return true;
  }
  if (want.ok != got.ok) {
    ADD_FAILURE() << label << ": oracle " << (want.ok ? "accepted" : "rejected (" + want.error + ")")
                  << ", decoder " << (got.ok ? "accepted" : "rejected (" + got.error + ")")
                  << "\npayload: " << oracle::hex(bytes);
    return false;
  }
  if (!want.ok) {
    ++tally->both_rejected;
    return true;
  }
  if (encodeAll(want.rows) != encodeAll(got.rows) || want.rows.rows() != got.rows.rows()) {
    ADD_FAILURE() << label << ": rows differ in column " << firstDiff(want.rows, got.rows)
                  << "\npayload: " << oracle::hex(bytes);
    return false;
  }
  ++tally->both_ok;
  tally->rows += got.rows.rows();
  tally->tables[0] += rowCount(got.rows.gauge);
  tally->tables[1] += rowCount(got.rows.sum);
  tally->tables[2] += rowCount(got.rows.histogram);
  tally->tables[3] += rowCount(got.rows.exponential_histogram);
  tally->tables[4] += rowCount(got.rows.summary);
  return true;
}

// --- hand-written payloads

std::string varint(uint64_t v) {
  std::string s;
  while (v >= 0x80) {
    s.push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  s.push_back(static_cast<char>(v));
  return s;
}
std::string tag(uint32_t field, int wt) { return varint((uint64_t{field} << 3) | wt); }
std::string len(uint32_t field, const std::string& payload) {
  return tag(field, 2) + varint(payload.size()) + payload;
}
std::string fixed64(uint32_t field, uint64_t v) {
  std::string s = tag(field, 1);
  for (int i = 0; i < 8; ++i) s.push_back(static_cast<char>(v >> (8 * i)));
  return s;
}
std::string dbl(uint32_t field, double d) {
  uint64_t b;
  std::memcpy(&b, &d, 8);
  return fixed64(field, b);
}
std::string raw64(uint64_t v) {
  std::string s;
  for (int i = 0; i < 8; ++i) s.push_back(static_cast<char>(v >> (8 * i)));
  return s;
}
std::string vfield(uint32_t field, uint64_t v) { return tag(field, 0) + varint(v); }
std::string str(const std::string& s) { return len(1, s); }
std::string kv(const std::string& k, const std::string& any) { return len(1, k) + len(2, any); }
uint64_t zz(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
// A request with one metric.
std::string request(const std::string& metric, const std::string& resource = "",
                    const std::string& scope = "") {
  return len(1, len(1, resource) + len(2, len(1, scope) + len(2, metric)));
}
std::string metric(uint32_t kind, const std::string& data) {
  return len(1, "m") + len(2, "d") + len(3, "ms") + len(kind, data);
}

TEST(OtlpMetricsDifferential, HandWrittenEdgeCases) {
  const std::string tid(16, '\x11'), sid(8, '\x22');
  const std::string ex_int = len(7, kv("f", str("1"))) + fixed64(2, 99) + fixed64(6, 0xFFFFFFFFFFFFFFFBull) +
                             len(4, sid) + len(5, tid);
  const std::string ex_double = fixed64(2, 100) + dbl(3, 2.5);
  const std::string np = len(7, kv("a", str("b"))) + fixed64(2, 10) + fixed64(3, 20) + dbl(4, 1.5) +
                         vfield(8, 1);
  std::vector<std::pair<std::string, std::string>> cases = {
      {"empty", ""},
      {"empty metric", request("")},
      {"metric without data", request(len(1, "nodata") + len(12, kv("meta", str("x"))))},
      {"gauge without points", request(metric(5, ""))},
      {"gauge", request(metric(5, len(1, np)), len(1, kv("service.name", str("svc"))),
                        len(1, "meter") + len(2, "1") + len(3, kv("s", str("t"))) + vfield(4, 7))},
      {"gauge int value", request(metric(5, len(1, fixed64(6, 0x8000000000000000ull))))},
      {"gauge value oneof last wins", request(metric(5, len(1, dbl(4, 3) + fixed64(6, 4))))},
      {"gauge value oneof last wins 2", request(metric(5, len(1, fixed64(6, 4) + dbl(4, 3))))},
      {"empty point", request(metric(5, len(1, "")))},
      {"exemplars int and double",
       request(metric(5, len(1, np + len(5, ex_int) + len(5, ex_double) + len(5, ""))))},
      {"exemplar zero ids", request(metric(5, len(1, len(5, len(4, std::string(8, '\0')) +
                                                          len(5, std::string(16, '\0'))))))},
      {"exemplar bad trace id", request(metric(5, len(1, len(5, len(5, "abc")))))},
      {"exemplar bad span id", request(metric(7, len(1, len(5, len(4, "abcdefghi")))))},
      {"sum", request(metric(7, len(1, np) + vfield(2, 2) + vfield(3, 1)))},
      {"sum unknown temporality", request(metric(7, len(1, np) + vfield(2, ~uint64_t{0})))},
      {"sum temporality 2^32+1", request(metric(7, len(1, np) + vfield(2, (1ull << 32) + 1)))},
      {"sum monotonic 2", request(metric(7, len(1, np) + vfield(3, 2)))},
      {"sum twice merges", request(len(7, len(1, np) + vfield(2, 1)) + len(7, len(1, np) + vfield(3, 1)))},
      {"oneof switch gauge->sum", request(len(5, len(1, np)) + len(7, len(1, np) + vfield(2, 1)))},
      {"oneof switch back", request(len(5, len(1, np)) + len(7, len(1, np)) + len(5, len(1, "")))},
      {"histogram packed",
       request(metric(9, len(1, fixed64(4, 6) + dbl(5, 12.5) + len(6, raw64(1) + raw64(2) + raw64(3)) +
                                    len(7, raw64(0x3FF0000000000000) + raw64(0x4000000000000000)) +
                                    dbl(11, -1) + dbl(12, 9) + len(8, ex_double)) +
                         vfield(2, 1)))},
      {"histogram unpacked",
       request(metric(9, len(1, fixed64(6, 4) + fixed64(6, 5) + dbl(7, 1.5) + dbl(7, 2.5) +
                                    len(6, raw64(6)))))},
      {"histogram absent sum/min/max", request(metric(9, len(1, fixed64(4, 3))))},
      {"histogram bad packed length", request(metric(9, len(1, len(6, "1234567"))))},
      {"histogram bucket as varint is unknown", request(metric(9, len(1, vfield(6, 5))))},
      {"exponential histogram",
       request(metric(10, len(1, len(1, kv("x", str("y"))) + fixed64(4, 9) + dbl(5, 3) +
                                     vfield(6, zz(-3)) + fixed64(7, 2) +
                                     len(8, vfield(1, zz(-2)) + len(2, varint(1) + varint(300))) +
                                     len(9, vfield(1, zz(5)) + vfield(2, 7)) + vfield(10, 1) +
                                     len(11, ex_int) + dbl(12, 0.5) + dbl(13, 8) + dbl(14, 1e-9)) +
                          vfield(2, 2)))},
      {"exponential histogram no buckets", request(metric(10, len(1, vfield(6, zz(20)))))},
      {"exponential buckets merge",
       request(metric(10, len(1, len(8, vfield(1, zz(1)) + vfield(2, 1)) +
                                     len(8, vfield(2, 2) + vfield(2, 3)))))},
      {"scale 10-byte varint", request(metric(10, len(1, vfield(6, ~uint64_t{0}))))},
      {"scale extreme", request(metric(10, len(1, vfield(6, 0xFFFFFFFFull))))},
      {"buckets truncated packed", request(metric(10, len(1, len(8, len(2, "\x80")))))},
      {"summary",
       request(metric(11, len(1, fixed64(4, 5) + dbl(5, 7.5) + len(6, dbl(1, 0.5) + dbl(2, 3)) +
                                     len(6, dbl(1, 0.99)) + len(6, "") + vfield(8, 1))))},
      {"summary no quantiles", request(metric(11, len(1, fixed64(4, 5))))},
      {"points in two data messages",
       request(len(11, len(1, fixed64(4, 1))) + len(11, len(1, fixed64(4, 2))))},
      {"resource after scope_metrics",
       len(1, len(2, len(2, metric(5, len(1, np)))) + len(1, len(1, kv("service.name", str("late")))))},
      {"scope twice merges",
       len(1, len(2, len(1, len(1, "n1") + vfield(4, 3)) + len(2, metric(5, len(1, np))) +
                         len(1, len(2, "v2"))))},
      {"unknown fields", request(metric(5, len(1, np + vfield(99, 1) + len(98, "x")) + fixed64(50, 1)) +
                                 vfield(77, 1))},
      {"foreign wire types", request(metric(7, len(1, vfield(2, 1) + vfield(3, 1) + vfield(4, 1) +
                                                       fixed64(8, 1) + vfield(6, 3)) +
                                               fixed64(2, 1) + fixed64(3, 1)))},
      {"malformed metadata", request(len(12, "\x0a\x09"))},
      {"malformed quantile", request(metric(11, len(1, len(6, "\x09\x01"))))},
      {"truncated", request(metric(5, len(1, np))).substr(0, 25)},
  };
  Tally t;
  for (const auto& [name, bytes] : cases) agree(bytes, &t, name);
  EXPECT_GE(t.both_ok, 30);
  EXPECT_GE(t.both_rejected, 7);
}

TEST(OtlpMetricsDifferential, RandomPayloads) {
  Tally t;
  int failures = 0;
  for (uint64_t seed = 1; seed <= 1500 && failures < 5; ++seed) {
    OtlpRandom rnd(seed);
    const auto req = rnd.metricsRequest();
    const std::string bytes = seed % 3 == 0 ? req.SerializeAsString() : rnd.wireEncode(req);
    if (!agree(bytes, &t, "seed " + std::to_string(seed))) ++failures;
  }
  EXPECT_EQ(t.both_rejected, 0);
  EXPECT_GE(t.both_ok, 1500);
  for (size_t n : t.tables) EXPECT_GT(n, 100u);
  std::printf("random metrics requests: %d agreed, %zu points (gauge %zu, sum %zu, histogram %zu, "
              "exponential %zu, summary %zu)\n",
              t.both_ok, t.rows, t.tables[0], t.tables[1], t.tables[2], t.tables[3], t.tables[4]);
}

TEST(OtlpMetricsDifferential, RandomPayloadsHeavyWireVariation) {
  Tally t;
  int failures = 0;
  WireOptions w;
  w.unknown_chance = 0.6;
  w.split_chance = 0.5;
  w.decoy_chance = 0.5;
  w.pad_chance = 0.3;
  for (uint64_t seed = 10001; seed <= 10600 && failures < 5; ++seed) {
    OtlpRandom rnd(seed);
    const auto req = rnd.metricsRequest();
    if (!agree(rnd.wireEncode(req, w), &t, "seed " + std::to_string(seed))) ++failures;
  }
  EXPECT_GE(t.both_ok, 550);
}

TEST(OtlpMetricsDifferential, RandomBadIds) {
  Tally t;
  OtlpRandomOptions opt;
  opt.bad_ids = true;
  for (uint64_t seed = 20001; seed <= 20400; ++seed) {
    OtlpRandom rnd(seed, opt);
    agree(rnd.metricsRequest().SerializeAsString(), &t, "seed " + std::to_string(seed));
  }
  EXPECT_GT(t.both_rejected, 20);
  EXPECT_GT(t.both_ok, 50);
}

TEST(OtlpMetricsDifferential, RandomMutations) {
  Tally t;
  int failures = 0;
  for (uint64_t seed = 30001; seed <= 33000 && failures < 5; ++seed) {
    OtlpRandomOptions opt;
    opt.max_resources = 2;
    opt.max_records = 3;
    OtlpRandom rnd(seed, opt);
    const auto req = rnd.metricsRequest();
    const std::string base = seed % 2 ? req.SerializeAsString() : rnd.wireEncode(req);
    if (!agree(rnd.mutate(base), &t, "seed " + std::to_string(seed))) ++failures;
  }
  std::printf("metrics mutations: %d both accepted, %d both rejected, %d UTF-8 only\n", t.both_ok,
              t.both_rejected, t.utf8_allowed);
  EXPECT_GT(t.both_rejected, 400);
  EXPECT_GT(t.both_ok, 400);
}

TEST(OtlpMetricsDifferential, InvalidUtf8IsKeptWhereLibprotobufRejects) {
  Tally t;
  OtlpRandomOptions opt;
  opt.invalid_utf8 = true;
  for (uint64_t seed = 40001; seed <= 40200; ++seed) {
    OtlpRandom rnd(seed, opt);
    agree(rnd.metricsRequest().SerializeAsString(), &t, "seed " + std::to_string(seed));
  }
  EXPECT_GT(t.utf8_allowed, 30);
}

}  // namespace
}  // namespace otelhouse
