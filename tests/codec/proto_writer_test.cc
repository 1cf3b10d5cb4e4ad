// ProtoWriter against libprotobuf: the bytes it writes parse into the message
// the calls describe, and equal libprotobuf's own serialisation of it.
#include "codec/proto_writer.h"

#include <gtest/gtest.h>

#include <string>

#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"

namespace otelhouse {
namespace {

namespace logs = opentelemetry::proto::logs::v1;
namespace common = opentelemetry::proto::common::v1;
using opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;

TEST(ProtoWriterTest, NestedMessagesMatchLibprotobufBytes) {
  std::string body(300, 'x');  // a length that needs a two-byte varint
  std::string out;
  ProtoWriter w(out);
  w.begin(1);  // resource_logs
  w.begin(1);  // resource
  w.begin(1);  // attributes
  w.string(1, "service.name");
  w.begin(2);
  w.string(1, "checkout");
  w.end();
  w.end();
  w.end();
  w.begin(2);  // scope_logs
  w.begin(2);  // log_records
  w.fixed64(1, 1700000000123456789ull);
  w.varint(2, 17);
  w.string(3, "ERROR");
  w.begin(5);
  w.string(1, body);
  w.end();
  w.begin(6);
  w.string(1, "n");
  w.begin(2);
  w.sint64(3, -5);
  w.end();
  w.end();
  w.begin(6);
  w.string(1, "d");
  w.begin(2);
  w.dbl(4, 2.5);
  w.end();
  w.end();
  w.begin(6);
  w.string(1, "b");
  w.begin(2);
  w.boolean(2, true);
  w.end();
  w.end();
  w.fixed32(8, 1);
  w.bytes(9, std::string(16, '\x01'));
  w.end();
  w.end();
  w.end();
  EXPECT_EQ(w.depth(), 0u);

  ExportLogsServiceRequest want;
  auto* rl = want.add_resource_logs();
  auto* attr = rl->mutable_resource()->add_attributes();
  attr->set_key("service.name");
  attr->mutable_value()->set_string_value("checkout");
  auto* rec = rl->add_scope_logs()->add_log_records();
  rec->set_time_unix_nano(1700000000123456789ull);
  rec->set_severity_number(logs::SEVERITY_NUMBER_ERROR);
  rec->set_severity_text("ERROR");
  rec->mutable_body()->set_string_value(body);
  auto add = [&](const char* k) {
    auto* kv = rec->add_attributes();
    kv->set_key(k);
    return kv->mutable_value();
  };
  add("n")->set_int_value(-5);
  add("d")->set_double_value(2.5);
  add("b")->set_bool_value(true);
  rec->set_flags(1);
  rec->set_trace_id(std::string(16, '\x01'));

  std::string expected;
  ASSERT_TRUE(want.SerializeToString(&expected));
  EXPECT_EQ(out, expected);
  ExportLogsServiceRequest got;
  ASSERT_TRUE(got.ParseFromString(out));
  EXPECT_EQ(got.resource_logs(0).scope_logs(0).log_records(0).attributes(0).value().int_value(), -5);
}

}  // namespace
}  // namespace otelhouse
