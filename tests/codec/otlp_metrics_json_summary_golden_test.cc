// Golden files for Summary metrics, which the JS SDK used end to end cannot
// produce: one hand-built request in both encodings (data/summary.json, and
// data/summary.pb serialized from the message built here) and the expected
// rows (data/summary.reference: TSV, one line per row, columns in table
// order, rendered as in otlp_json_rows_text.h). Both decoders must give the
// reference. With OTELHOUSE_REGENERATE_GOLDEN=1 the test rewrites summary.pb
// from the message (review the diff before committing).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "codec/otlp_metrics_json.h"
#include "codec/otlp_metrics_proto.h"
#include "codec/otlp_random.h"
#include "otlp_json_rows_text.h"

namespace otelhouse {
namespace {

namespace common = opentelemetry::proto::common::v1;
namespace metrics = opentelemetry::proto::metrics::v1;
namespace collector = opentelemetry::proto::collector::metrics::v1;

std::string dataPath(const std::string& name) {
  const char* dir = std::getenv("OTELHOUSE_TEST_DATA");
  return std::string(dir ? dir : "tests/codec/data") + "/" + name;
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void addString(google::protobuf::RepeatedPtrField<common::KeyValue>* attrs, const char* key,
               const char* value) {
  auto* kv = attrs->Add();
  kv->set_key(key);
  kv->mutable_value()->set_string_value(value);
}

// The same request as data/summary.json.
collector::ExportMetricsServiceRequest summaryRequest() {
  collector::ExportMetricsServiceRequest req;
  auto* rm = req.add_resource_metrics();
  auto* ra = rm->mutable_resource()->mutable_attributes();
  addString(ra, "service.name", "billing");
  addString(ra, "host.name", "node-1");
  auto* pid = ra->Add();
  pid->set_key("process.pid");
  pid->mutable_value()->set_int_value(4242);
  rm->set_schema_url("https://opentelemetry.io/schemas/1.24.0");
  auto* sm = rm->add_scope_metrics();
  sm->mutable_scope()->set_name("prometheus.receiver");
  sm->mutable_scope()->set_version("0.98.0");
  addString(sm->mutable_scope()->mutable_attributes(), "job", "billing-api");
  sm->mutable_scope()->set_dropped_attributes_count(2);
  sm->set_schema_url("https://scope.example/schema");

  auto* m1 = sm->add_metrics();
  m1->set_name("rpc.server.duration");
  m1->set_description("RPC latency summary");
  m1->set_unit("ms");
  auto* p1 = m1->mutable_summary()->add_data_points();
  addString(p1->mutable_attributes(), "rpc.method", "Charge");
  auto* tags = p1->add_attributes();
  tags->set_key("tags");
  auto* values = tags->mutable_value()->mutable_array_value();
  values->add_values()->set_string_value("a\tb");
  values->add_values()->set_double_value(0.5);
  values->add_values()->set_bool_value(true);
  p1->set_start_time_unix_nano(1700000000000000000ull);
  p1->set_time_unix_nano(1700000060000000000ull);
  p1->set_count(1200);
  p1->set_sum(35421.75);
  const double q1[][2] = {{0, 0.8}, {0.5, 21.5}, {0.99, 180.25}, {1, 950}};
  for (const auto& q : q1) {
    auto* v = p1->add_quantile_values();
    v->set_quantile(q[0]);
    v->set_value(q[1]);
  }
  auto* p2 = m1->mutable_summary()->add_data_points();
  addString(p2->mutable_attributes(), "rpc.method", "Refund");
  p2->set_start_time_unix_nano(1700000000000000000ull);
  p2->set_time_unix_nano(1700000060000000000ull);
  p2->set_count(0);
  p2->set_sum(-0.0);
  p2->set_flags(1);

  auto* m2 = sm->add_metrics();
  m2->set_name("queue.wait");
  m2->set_unit("s");
  auto* p3 = m2->mutable_summary()->add_data_points();
  p3->set_time_unix_nano(1700000120000000001ull);
  p3->set_count(std::numeric_limits<uint64_t>::max());
  p3->set_sum(std::numeric_limits<double>::infinity());
  auto* v1 = p3->add_quantile_values();
  v1->set_quantile(0.25);
  v1->set_value(std::numeric_limits<double>::quiet_NaN());
  auto* v2 = p3->add_quantile_values();
  v2->set_quantile(0.75);
  v2->set_value(1e-7);
  return req;
}

std::vector<std::string> referenceLines() {
  std::vector<std::string> lines;
  std::stringstream ss(readFile(dataPath("summary.reference")));
  for (std::string line; std::getline(ss, line);) lines.push_back(line);
  return lines;
}

std::vector<std::string> summaryLines(const MetricsRows& rows) {
  EXPECT_TRUE(rows.consistent());
  EXPECT_EQ(rows.rows(), rowCount(rows.summary));  // nothing in the other tables
  std::string native;
  encodeNative(rows.summary, native);
  return testing::nativeRows(native);
}

TEST(OtlpMetricsSummaryGolden, ProtobufFileIsTheMessage) {
  const std::string bytes = summaryRequest().SerializeAsString();
  if (std::getenv("OTELHOUSE_REGENERATE_GOLDEN")) {
    std::ofstream(dataPath("summary.pb"), std::ios::binary) << bytes;
  }
  EXPECT_TRUE(readFile(dataPath("summary.pb")) == bytes)
      << "summary.pb is stale; rerun with OTELHOUSE_REGENERATE_GOLDEN=1";
}

TEST(OtlpMetricsSummaryGolden, JsonDecodesToReference) {
  MetricsRows rows;
  Status s = decodeMetricsJson(readFile(dataPath("summary.json")), rows);
  ASSERT_TRUE(s.isOk()) << s.toString();
  EXPECT_EQ(summaryLines(rows), referenceLines());
}

TEST(OtlpMetricsSummaryGolden, ProtobufDecodesToReference) {
  MetricsRows rows;
  Status s = decodeMetricsProto(readFile(dataPath("summary.pb")), rows);
  ASSERT_TRUE(s.isOk()) << s.toString();
  EXPECT_EQ(summaryLines(rows), referenceLines());
}

}  // namespace
}  // namespace otelhouse
