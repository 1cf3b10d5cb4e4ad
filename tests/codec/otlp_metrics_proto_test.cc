// decodeMetricsProto on hand-built payloads, with exact expected column values.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "codec/otlp_metrics_proto.h"
#include "codec/otlp_random.h"
#include "rows/metrics_rows.h"

namespace otelhouse {
namespace {

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
std::string raw64(uint64_t v) {
  std::string s;
  for (int i = 0; i < 8; ++i) s.push_back(static_cast<char>(v >> (8 * i)));
  return s;
}
uint64_t bits(double d) {
  uint64_t b;
  std::memcpy(&b, &d, 8);
  return b;
}
std::string fixed64(uint32_t field, uint64_t v) { return tag(field, 1) + raw64(v); }
std::string dbl(uint32_t field, double d) { return fixed64(field, bits(d)); }
std::string vfield(uint32_t field, uint64_t v) { return tag(field, 0) + varint(v); }
std::string sv(const std::string& s) { return len(1, s); }
std::string kv(const std::string& k, const std::string& any) { return len(1, k) + len(2, any); }
uint64_t zz(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }

std::string request(const std::vector<std::string>& metrics, const std::string& resource = "",
                    const std::string& scope = "") {
  std::string sm = len(1, scope);
  for (const auto& m : metrics) sm += len(2, m);
  return len(1, len(1, resource) + len(2, sm) + len(3, "https://res"));
}
std::string metric(uint32_t kind, const std::string& data, const std::string& name = "m") {
  return len(1, name) + len(2, "desc") + len(3, "ms") + len(kind, data);
}

std::vector<std::string> strings(const StringColumn& c) {
  std::vector<std::string> out;
  const std::string& d = c.serialized();
  size_t p = 0;
  while (p < d.size()) {
    uint64_t n = 0;
    for (int s = 0;; s += 7) {
      uint8_t b = static_cast<uint8_t>(d[p++]);
      n |= uint64_t{b & 0x7Fu} << s;
      if (b < 0x80) break;
    }
    out.push_back(d.substr(p, n));
    p += n;
  }
  return out;
}

using Map = std::vector<std::pair<std::string, std::string>>;
std::vector<Map> maps(const MapColumn& c) {
  const auto keys = strings(c.keys());
  const auto values = strings(c.values());
  std::vector<Map> out;
  uint64_t prev = 0;
  for (uint64_t off : c.offsets().values()) {
    Map m;
    for (uint64_t i = prev; i < off; ++i) m.emplace_back(keys[i], values[i]);
    out.push_back(std::move(m));
    prev = off;
  }
  return out;
}

MetricsRows decodeOk(const std::string& body) {
  MetricsRows rows;
  Status s = decodeMetricsProto(body, rows);
  EXPECT_TRUE(s.isOk()) << s.message();
  EXPECT_TRUE(rows.consistent());
  return rows;
}

std::string decodeError(const std::string& body) {
  MetricsRows rows;
  Status s = decodeMetricsProto(body, rows);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  return s.message();
}

const std::string kTid("\x5b\x8e\xff\x66\x79\x8e\xa7\x84\x74\x0e\x2b\x5a\x1f\x00\x99\x0a", 16);
const std::string kSid("\xee\x57\xf0\x1b\x20\x00\x11\xff", 8);

TEST(OtlpMetricsProto, EmptyRequestHasNoRows) {
  EXPECT_EQ(decodeOk("").rows(), 0u);
  EXPECT_EQ(decodeOk(request({})).rows(), 0u);
  EXPECT_EQ(decodeOk(request({metric(5, "")})).rows(), 0u);
}

TEST(OtlpMetricsProto, MetricWithoutDataYieldsNoRows) {
  MetricsRows rows = decodeOk(request({len(1, "empty"), metric(5, len(1, dbl(4, 1)))}));
  EXPECT_EQ(rows.rows(), 1u);
  EXPECT_EQ(strings(rows.gauge.point.metric_name)[0], "m");
}

TEST(OtlpMetricsProto, GaugeExactColumns) {
  const std::string point = len(7, kv("route", sv("/x"))) + fixed64(2, 1700000000123456789ull) +
                            fixed64(3, 1700000001987654321ull) + dbl(4, 1.5) + vfield(8, 1) +
                            len(5, len(7, kv("k", sv("v"))) + fixed64(2, 1700000001000000000ull) +
                                       fixed64(6, static_cast<uint64_t>(-3)) + len(4, kSid) +
                                       len(5, kTid)) +
                            len(5, dbl(3, 2.5));
  const std::string resource = len(1, kv("service.name", sv("api"))) + len(1, kv("a", vfield(2, 1)));
  const std::string scope = len(1, "meter") + len(2, "1.2") + len(3, kv("s", sv("t"))) + vfield(4, 3);
  MetricsRows rows = decodeOk(request({metric(5, len(1, point), "g")}, resource, scope));
  ASSERT_EQ(rows.rows(), 1u);
  const MetricPointColumns& p = rows.gauge.point;
  EXPECT_EQ(maps(p.resource_attributes)[0], (Map{{"a", "true"}, {"service.name", "api"}}));
  EXPECT_EQ(strings(p.resource_schema_url)[0], "https://res");
  EXPECT_EQ(strings(p.scope_name)[0], "meter");
  EXPECT_EQ(strings(p.scope_version)[0], "1.2");
  EXPECT_EQ(maps(p.scope_attributes)[0], (Map{{"s", "t"}}));
  EXPECT_EQ(p.scope_dropped_attr_count.values()[0], 3u);
  EXPECT_EQ(strings(p.scope_schema_url)[0], "");
  EXPECT_EQ(strings(p.service_name)[0], "api");
  EXPECT_EQ(strings(p.metric_name)[0], "g");
  EXPECT_EQ(strings(p.metric_description)[0], "desc");
  EXPECT_EQ(strings(p.metric_unit)[0], "ms");
  EXPECT_EQ(maps(p.attributes)[0], (Map{{"route", "/x"}}));
  EXPECT_EQ(p.start_time_unix.values()[0], 1700000000123456789ll);
  EXPECT_EQ(p.time_unix.values()[0], 1700000001987654321ll);
  EXPECT_EQ(p.flags.values()[0], 1u);
  EXPECT_EQ(rows.gauge.value.values()[0], 1.5);
  const ExemplarColumns& e = rows.gauge.exemplars;
  EXPECT_EQ(maps(e.filtered_attributes.data()), (std::vector<Map>{{{"k", "v"}}, {}}));
  EXPECT_EQ(e.time_unix.data().values(), (std::vector<int64_t>{1700000001000000000ll, 0}));
  EXPECT_EQ(e.value.data().values(), (std::vector<double>{-3.0, 2.5}));
  // Exemplar ids: always hex of the fixed-size array (zeros when absent).
  EXPECT_EQ(strings(e.span_id.data()), (std::vector<std::string>{"ee57f01b200011ff",
                                                                 "0000000000000000"}));
  EXPECT_EQ(strings(e.trace_id.data()),
            (std::vector<std::string>{"5b8eff66798ea784740e2b5a1f00990a",
                                      "00000000000000000000000000000000"}));
  EXPECT_EQ(e.trace_id.offsets().values(), (std::vector<uint64_t>{2}));
}

TEST(OtlpMetricsProto, ValueIntConvertedAndUnsetIsZero) {
  MetricsRows rows = decodeOk(request({metric(5, len(1, fixed64(6, static_cast<uint64_t>(-7))) +
                                                     len(1, "") + len(1, dbl(4, 2) + fixed64(6, 9)))}));
  EXPECT_EQ(rows.gauge.value.values(), (std::vector<double>{-7.0, 0.0, 9.0}));
}

TEST(OtlpMetricsProto, SumTemporalityAndMonotonic) {
  MetricsRows rows =
      decodeOk(request({metric(7, len(1, dbl(4, 3)) + vfield(2, 2) + vfield(3, 1)),
                        metric(7, len(1, "") + vfield(2, ~uint64_t{0}))}));
  ASSERT_EQ(rowCount(rows.sum), 2u);
  EXPECT_EQ(rows.sum.aggregation_temporality.values(), (std::vector<int32_t>{2, -1}));
  EXPECT_EQ(rows.sum.is_monotonic.values(), (std::vector<uint8_t>{1, 0}));
  EXPECT_EQ(rows.sum.value.values(), (std::vector<double>{3, 0}));
}

TEST(OtlpMetricsProto, HistogramPackedUnpackedAndAbsentOptionals) {
  const std::string packed = fixed64(4, 6) + dbl(5, 12.5) +
                             len(6, raw64(1) + raw64(2) + raw64(3)) +
                             len(7, raw64(bits(1)) + raw64(bits(5))) + dbl(11, -1) + dbl(12, 9);
  const std::string unpacked = fixed64(6, 4) + fixed64(6, 5) + dbl(7, 2.5);
  MetricsRows rows = decodeOk(request({metric(9, len(1, packed) + len(1, unpacked) + vfield(2, 1))}));
  const HistogramRows& h = rows.histogram;
  ASSERT_EQ(rowCount(h), 2u);
  EXPECT_EQ(h.count.values(), (std::vector<uint64_t>{6, 0}));
  EXPECT_EQ(h.sum.values(), (std::vector<double>{12.5, 0}));
  EXPECT_EQ(h.bucket_counts.data().values(), (std::vector<uint64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(h.bucket_counts.offsets().values(), (std::vector<uint64_t>{3, 5}));
  EXPECT_EQ(h.explicit_bounds.data().values(), (std::vector<double>{1, 5, 2.5}));
  EXPECT_EQ(h.min.values(), (std::vector<double>{-1, 0}));
  EXPECT_EQ(h.max.values(), (std::vector<double>{9, 0}));
  EXPECT_EQ(h.aggregation_temporality.values(), (std::vector<int32_t>{1, 1}));
}

TEST(OtlpMetricsProto, ExponentialHistogram) {
  const std::string point = fixed64(4, 9) + dbl(5, 3) + vfield(6, zz(-3)) + fixed64(7, 2) +
                            len(8, vfield(1, zz(-2)) + len(2, varint(1) + varint(300))) +
                            len(8, vfield(2, 7)) + dbl(12, 0.5) + dbl(13, 8);
  MetricsRows rows = decodeOk(request({metric(10, len(1, point) + vfield(2, 2))}));
  const ExponentialHistogramRows& e = rows.exponential_histogram;
  ASSERT_EQ(rowCount(e), 1u);
  EXPECT_EQ(e.count.values()[0], 9u);
  EXPECT_EQ(e.sum.values()[0], 3);
  EXPECT_EQ(e.scale.values()[0], -3);
  EXPECT_EQ(e.zero_count.values()[0], 2u);
  EXPECT_EQ(e.positive_offset.values()[0], -2);
  EXPECT_EQ(e.positive_bucket_counts.data().values(), (std::vector<uint64_t>{1, 300, 7}));
  EXPECT_EQ(e.negative_offset.values()[0], 0);
  EXPECT_EQ(e.negative_bucket_counts.offsets().values(), (std::vector<uint64_t>{0}));
  EXPECT_EQ(e.min.values()[0], 0.5);
  EXPECT_EQ(e.max.values()[0], 8);
  EXPECT_EQ(e.aggregation_temporality.values()[0], 2);
}

TEST(OtlpMetricsProto, Summary) {
  const std::string point = fixed64(4, 5) + dbl(5, 7.5) + len(6, dbl(1, 0.5) + dbl(2, 3)) +
                            len(6, dbl(1, 0.99)) + vfield(8, 1);
  MetricsRows rows = decodeOk(request({metric(11, len(1, point))}));
  const SummaryRows& s = rows.summary;
  ASSERT_EQ(rowCount(s), 1u);
  EXPECT_EQ(s.count.values()[0], 5u);
  EXPECT_EQ(s.sum.values()[0], 7.5);
  EXPECT_EQ(s.quantiles.data().values(), (std::vector<double>{0.5, 0.99}));
  EXPECT_EQ(s.values.data().values(), (std::vector<double>{3, 0}));
  EXPECT_EQ(s.point.flags.values()[0], 1u);
}

TEST(OtlpMetricsProto, OneofLastMemberWins) {
  // gauge, then sum: only the sum's points; gauge, sum, gauge: only the last gauge.
  MetricsRows rows = decodeOk(request({len(5, len(1, "")) + len(7, len(1, "") + len(1, ""))}));
  EXPECT_EQ(rowCount(rows.gauge), 0u);
  EXPECT_EQ(rowCount(rows.sum), 2u);
  rows = decodeOk(request({len(5, len(1, "")) + len(7, len(1, "")) + len(5, len(1, dbl(4, 4)))}));
  EXPECT_EQ(rowCount(rows.sum), 0u);
  EXPECT_EQ(rows.gauge.value.values(), (std::vector<double>{4}));
}

TEST(OtlpMetricsProto, BadExemplarIdsNameThePlace) {
  EXPECT_EQ(decodeError(request({len(1, "a"), metric(7, len(1, "") + len(1, len(5, len(5, "abc"))))})),
            "resource_metrics[0].scope_metrics[0].metrics[1].sum.data_points[1].exemplars[0]"
            ".trace_id: invalid length 3 (want 0 or 16)");
  EXPECT_EQ(decodeError(request({metric(9, len(1, len(8, "") + len(8, len(4, "123456789"))))})),
            "resource_metrics[0].scope_metrics[0].metrics[0].histogram.data_points[0]"
            ".exemplars[1].span_id: invalid length 9 (want 0 or 8)");
}

TEST(OtlpMetricsProto, WireErrorsNameThePlace) {
  EXPECT_EQ(decodeError(request({metric(9, len(1, len(6, "1234567")))})),
            "resource_metrics[0].scope_metrics[0].metrics[0].histogram.data_points[0]"
            ".bucket_counts: malformed packed repeated field at byte 29");
}

TEST(OtlpMetricsProto, TruncationAtEveryOffsetFailsCleanly) {
  const std::string body = request({metric(10, len(1, len(8, len(2, varint(1) + varint(2))) +
                                                          len(11, len(5, kTid))))});
  for (size_t n = 0; n < body.size(); ++n) {
    MetricsRows rows;
    Status s = decodeMetricsProto(std::string_view(body).substr(0, n), rows);
    if (!s.isOk()) {
      EXPECT_EQ(s.code(), Code::kInvalidArgument);
    }
  }
}

TEST(OtlpMetricsProto, DecodeSpeedPrintout) {
  // Not an assertion: a rough MB/s figure for the test log.
  testing::OtlpRandomOptions opt;
  opt.special_chance = 0.02;
  opt.max_attributes = 4;
  opt.max_points = 4;
  testing::OtlpRandom rnd(9, opt);
  opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest req;
  auto* rm = req.add_resource_metrics();
  rnd.fillResource(rm->mutable_resource());
  auto* sm = rm->add_scope_metrics();
  for (int i = 0; i < 1000; ++i) rnd.fillMetric(sm->add_metrics());
  const std::string body = req.SerializeAsString();
  MetricsRows rows;
  const int iters = 20;
  size_t points = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < iters; ++i) {
    rows.clear();
    ASSERT_TRUE(decodeMetricsProto(body, rows).isOk());
    points = rows.rows();
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  auto t1 = std::chrono::steady_clock::now();
  for (int i = 0; i < iters; ++i) {
    opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest parsed;
    ASSERT_TRUE(parsed.ParseFromString(body));
  }
  const double pb = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
  const double mb = static_cast<double>(body.size()) * iters / 1e6;
  std::printf("decodeMetricsProto: %.1f MB/s, %.0f points/s (libprotobuf parse only: %.1f MB/s); "
              "payload %zu bytes, %zu points\n",
              mb / secs, static_cast<double>(points) * iters / secs, mb / pb, body.size(), points);
}

}  // namespace
}  // namespace otelhouse
