// Differential test: for random requests, the OTLP/JSON form decoded by
// decodeMetricsJson must give the same Native bytes as the protobuf form
// decoded by decodeMetricsProto. The JSON is written two ways: by
// OtlpJsonWriter (every spelling freedom of the encoding, chosen at random)
// and by libprotobuf's MessageToJsonString (ids converted to hex).
#include <gtest/gtest.h>

#include <string>

#include "codec/otlp_metrics_json.h"
#include "codec/otlp_metrics_proto.h"
#include "otlp_json_rows_text.h"
#include "otlp_json_writer.h"
#include "codec/otlp_random.h"

namespace otelhouse {
namespace {

using testing::OtlpJsonWriter;
using testing::OtlpRandom;
using testing::OtlpRandomOptions;

// The first row that differs, as TSV, to make a failure readable.
std::string firstDifference(const std::string& a, const std::string& b) {
  auto ra = testing::nativeRows(a);
  auto rb = testing::nativeRows(b);
  if (ra.size() != rb.size()) {
    return "row counts " + std::to_string(ra.size()) + " vs " + std::to_string(rb.size());
  }
  for (size_t i = 0; i < ra.size(); ++i) {
    if (ra[i] != rb[i]) {
      return "row " + std::to_string(i) + ":\n  proto " + ra[i] + "\n  json  " + rb[i];
    }
  }
  return "same rows, different bytes";
}

// Returns the number of rows.
size_t expectSameRows(const std::string& proto, const std::string& json, uint64_t seed) {
  MetricsRows from_proto;
  MetricsRows from_json;
  Status ps = decodeMetricsProto(proto, from_proto);
  EXPECT_TRUE(ps.isOk()) << "seed " << seed << ": " << ps.toString();
  Status js = decodeMetricsJson(json, from_json);
  EXPECT_TRUE(js.isOk()) << "seed " << seed << ": " << js.toString() << "\n" << json.substr(0, 1500);
  if (!ps || !js) return 0;
  EXPECT_TRUE(from_json.consistent());
  auto check = [&](const char* table, const auto& p, const auto& j) {
    std::string a, b;
    encodeNative(p, a);
    encodeNative(j, b);
    EXPECT_TRUE(a == b) << "seed " << seed << ", " << table << ": " << firstDifference(a, b)
                        << "\n" << json.substr(0, 1500);
  };
  check(kGaugeTable, from_proto.gauge, from_json.gauge);
  check(kSumTable, from_proto.sum, from_json.sum);
  check(kHistogramTable, from_proto.histogram, from_json.histogram);
  check(kExponentialHistogramTable, from_proto.exponential_histogram,
        from_json.exponential_histogram);
  check(kSummaryTable, from_proto.summary, from_json.summary);
  return from_json.rows();
}

TEST(OtlpMetricsJsonDifferential, OwnSerializerMatchesProtobufDecoder) {
  size_t rows = 0;
  for (uint64_t seed = 1; seed <= 1500; ++seed) {
    OtlpRandom rnd(seed);
    const auto req = rnd.metricsRequest();
    OtlpJsonWriter writer(rnd);
    rows += expectSameRows(req.SerializeAsString(), writer.write(req), seed);
    if (HasFailure()) return;
  }
  EXPECT_GT(rows, 3000u);  // the requests were not trivially empty
}

TEST(OtlpMetricsJsonDifferential, DeepAndWideRequests) {
  OtlpRandomOptions options;
  options.max_resources = 5;
  options.max_records = 6;
  options.max_attributes = 10;
  options.max_depth = 4;
  options.max_points = 5;
  options.special_chance = 0.4;
  for (uint64_t seed = 100000; seed < 100100; ++seed) {
    OtlpRandom rnd(seed, options);
    const auto req = rnd.metricsRequest();
    OtlpJsonWriter writer(rnd);
    expectSameRows(req.SerializeAsString(), writer.write(req), seed);
    if (HasFailure()) return;
  }
}

TEST(OtlpMetricsJsonDifferential, LibprotobufJsonMatchesProtobufDecoder) {
  size_t rows = 0;
  for (uint64_t seed = 5000; seed < 6000; ++seed) {
    OtlpRandom rnd(seed);
    const auto req = rnd.metricsRequest();
    rows += expectSameRows(req.SerializeAsString(), testing::libprotobufJson(req, rnd), seed);
    if (HasFailure()) return;
  }
  EXPECT_GT(rows, 2000u);
}

}  // namespace
}  // namespace otelhouse
