// ClickStack's log processing, rule by rule: each case is one OTLP/JSON log
// record, decoded by the real decoders (JSON, and protobuf through
// libprotobuf's JSON mapping) with the LogProcessor hook, and the row it
// became.
#include "pipeline/log_processor.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "codec/otlp_logs_json.h"
#include "codec/otlp_logs_proto.h"
#include "log_test_util.h"

namespace otelhouse {
namespace {

using testing::Attrs;
using testing::logsRequest;
using testing::maps;
using testing::strings;
using testing::toProtobuf;

struct Case {
  const char* name;
  std::string record;  // one LogRecord object
  const char* table;   // "otel_logs" or "hyperdx_sessions"
  const char* severity_text;
  int severity_number;
  Attrs attributes;
};

std::string kv(const std::string& key, const std::string& value) {
  return R"({"key":")" + key + R"(","value":{"stringValue":")" + value + R"("}})";
}

std::string body(const std::string& text) {
  return R"("body":{"stringValue":")" + text + R"("})";
}

const std::vector<Case>& cases() {
  static const std::vector<Case> c = {
      // --- a producer's severity is never overwritten (only lower-cased)
      {"producer_severity_wins",
       R"({"severityText":"ERROR","severityNumber":17,)" + body("debug: all fine") + "}",
       "otel_logs", "error", 17, {}},
      {"producer_text_only",
       R"({"severityText":"Warning",)" + body("fatal crash") + "}", "otel_logs", "warning", 0,
       {}},
      {"producer_number_only", R"({"severityNumber":9,)" + body("error here") + "}",
       "otel_logs", "", 9, {}},
      {"producer_text_beats_level_attribute",
       R"({"severityText":"INFO","attributes":[)" + kv("level", "error") + "]," +
           body("x") + "}",
       "otel_logs", "info", 0, {{"level", "error"}}},
      // --- level attributes, in every spelling, in order
      {"level", R"({"attributes":[)" + kv("level", "WARN") + "]," + body("error x") + "}",
       "otel_logs", "warn", 13, {{"level", "WARN"}}},
      {"Level", R"({"attributes":[)" + kv("Level", "Error") + "]," + body("x") + "}",
       "otel_logs", "error", 17, {{"Level", "Error"}}},
      {"LEVEL", R"({"attributes":[)" + kv("LEVEL", "debug") + "]," + body("x") + "}",
       "otel_logs", "debug", 5, {{"LEVEL", "debug"}}},
      {"severity", R"({"attributes":[)" + kv("severity", "info") + "]," + body("error") + "}",
       "otel_logs", "info", 9, {{"severity", "info"}}},
      {"Severity", R"({"attributes":[)" + kv("Severity", "CRITICAL") + "]," + body("x") + "}",
       "otel_logs", "critical", 21, {{"Severity", "CRITICAL"}}},
      {"SEVERITY", R"({"attributes":[)" + kv("SEVERITY", "Notice") + "]," + body("x") + "}",
       "otel_logs", "notice", 13, {{"SEVERITY", "Notice"}}},
      {"log_level", R"({"attributes":[)" + kv("log.level", "TRACE") + "]," + body("x") + "}",
       "otel_logs", "trace", 1, {{"log.level", "TRACE"}}},
      {"level_without_keyword_is_info",
       R"({"attributes":[)" + kv("level", "Verbose") + "]," + body("error") + "}", "otel_logs",
       "verbose", 9, {{"level", "Verbose"}}},
      {"level_before_severity",
       R"({"attributes":[)" + kv("severity", "error") + "," + kv("level", "info") + "]," +
           body("x") + "}",
       "otel_logs", "info", 9, {{"level", "info"}, {"severity", "error"}}},
      {"empty_level_skipped",
       R"({"attributes":[)" + kv("level", "") + "," + kv("Severity", "warning") + "]," +
           body("x") + "}",
       "otel_logs", "warning", 13, {{"Severity", "warning"}, {"level", ""}}},
      {"numeric_level_skipped",
       R"({"attributes":[{"key":"level","value":{"intValue":"30"}}],)" + body("an error") + "}",
       "otel_logs", "error", 17, {{"level", "30"}}},
      // --- keywords in the body
      {"keyword_inside_word", "{" + body("the terror of it") + "}", "otel_logs", "info", 9, {}},
      {"keyword_begins_word", "{" + body("WARNING: disk 91%") + "}", "otel_logs", "warn", 13,
       {}},
      {"keyword_plural", "{" + body("3 errors happened") + "}", "otel_logs", "error", 17, {}},
      {"first_keyword_wins", "{" + body("xdebug said: fatal, then debug") + "}", "otel_logs",
       "fatal", 21, {}},
      {"alert", "{" + body("[Alert] cpu") + "}", "otel_logs", "fatal", 21, {}},
      {"crit", "{" + body("crit: x") + "}", "otel_logs", "fatal", 21, {}},
      {"emerg", "{" + body("EMERG") + "}", "otel_logs", "fatal", 21, {}},
      {"err", "{" + body("err=timeout") + "}", "otel_logs", "error", 17, {}},
      {"notice", "{" + body("notice me") + "}", "otel_logs", "warn", 13, {}},
      {"dbug", "{" + body("[DBUG] x") + "}", "otel_logs", "debug", 5, {}},
      {"trace", "{" + body("Trace id x") + "}", "otel_logs", "trace", 1, {}},
      {"underscore_is_a_word_char", "{" + body("my_error") + "}", "otel_logs", "info", 9, {}},
      {"no_body", "{}", "otel_logs", "info", 9, {}},
      {"keyword_after_256_bytes", "{" + body(std::string(300, 'a') + " error") + "}",
       "otel_logs", "info", 9, {}},
      {"keyword_cut_at_256_bytes", "{" + body(std::string(251, 'x') + " error") + "}",
       "otel_logs", "error", 17, {}},  // "erro" is left, and "err" matches
      {"keyword_just_inside_256", "{" + body(std::string(250, 'x') + " warn!") + "}",
       "otel_logs", "warn", 13, {}},
      {"unicode_lowercase", R"({"severityText":"ÉRROR Σ",)" + body("x") + "}", "otel_logs",
       "érror σ", 0, {}},
      // --- JSON bodies
      {"json_inside_text",
       "{" + body(R"(done {\"status\":200,\"user\":{\"id\":\"u1\"}} ok)") + "}", "otel_logs",
       "info", 9, {{"status", "200"}, {"user.id", "u1"}}},
      {"json_level_promoted",
       "{" + body(R"({\"level\":\"error\",\"msg\":\"boom\"})") + "}", "otel_logs", "error", 17,
       {{"level", "error"}, {"msg", "boom"}}},
      // The records of hyperdx's smoke tests for the level promotion (HDX-4383,
      // smoke-tests/otel-collector/data/severity-inference/from-json-*), with
      // their expected severities.
      {"hdx4383_level_beats_body_keyword",
       "{" + body(R"({\"level\": \"INFO\", \"msg\": \"the mimir-alertmanager-dashboard\"})") + "}",
       "otel_logs", "info", 9, {{"level", "INFO"}, {"msg", "the mimir-alertmanager-dashboard"}}},
      {"hdx4383_uppercase_SEVERITY",
       "{" + body(R"({\"SEVERITY\":\"ERROR\",\"message\":\"GCP-style\"})") + "}", "otel_logs",
       "error", 17, {{"SEVERITY", "ERROR"}, {"message", "GCP-style"}}},
      {"hdx4383_ecs_nested_log_level",
       "{" + body(R"({\"log\":{\"level\":\"fatal\"},\"message\":\"ECS\"})") + "}", "otel_logs",
       "fatal", 21, {{"log.level", "fatal"}, {"message", "ECS"}}},
      {"hdx4383_unknown_level_is_info",
       "{" + body(R"({\"level\":\"verbose\",\"msg\":\"x\"})") + "}", "otel_logs", "verbose", 9,
       {{"level", "verbose"}, {"msg", "x"}}},
      {"hdx4383_producer_text_wins_snake_case_keys",
       R"({"severity_number":0,"severity_text":"info",)" +
           body(R"({\"level\":\"warn\",\"msg\":\"x\"})") + "}",
       "otel_logs", "info", 0, {{"level", "warn"}, {"msg", "x"}}},
      {"nested_json_and_arrays",
       "{" + body(R"({\"a\":{\"b\":[1,{\"c\":true}],\"d\":[[1,2]]},\"e\":null,\"f\":{},\"g\":[]})") +
           "}",
       "otel_logs", "info", 9,
       {{"a.b.0", "1"}, {"a.b.1.c", "true"}, {"a.d.00", "1"}, {"a.d.01", "2"}, {"e", ""}}},
      {"json_numbers_are_doubles",
       "{" + body(R"({\"n\":12345678901234567890,\"f\":1.50,\"i\":10,\"s\":1e21})") + "}",
       "otel_logs", "info", 9,
       {{"f", "1.5"}, {"i", "10"}, {"n", "12345678901234567000"}, {"s", "1e+21"}}},
      {"json_upserts_existing_attribute",
       R"({"attributes":[)" + kv("status", "old") + "," + kv("keep", "k") + "]," +
           body(R"({\"status\":\"new\"})") + "}",
       "otel_logs", "info", 9, {{"keep", "k"}, {"status", "new"}}},
      {"broken_json", "{" + body(R"({\"a\":1)") + "}", "otel_logs", "info", 9, {}},
      {"two_objects_are_not_json", "{" + body(R"({\"a\":1} and {\"b\":2})") + "}", "otel_logs",
       "info", 9, {}},
      {"json_array_of_objects", "{" + body(R"([{\"a\":1},{\"b\":2}])") + "}", "otel_logs", "info",
       9, {}},
      {"json_array_of_one_object", "{" + body(R"([{\"a\":1}])") + "}", "otel_logs", "info", 9,
       {{"a", "1"}}},
      {"plain_text", "{" + body("hello world") + "}", "otel_logs", "info", 9, {}},
      {"json_on_one_line_only", "{" + body(R"({\n\"a\":1\n})") + "}", "otel_logs", "info", 9,
       {}},
      {"map_body_merged_unflattened",
       R"({"attributes":[)" + kv("user", "alice") + R"(],"body":{"kvlistValue":{"values":[)" +
           kv("user", "bob") + R"(,{"key":"ctx","value":{"kvlistValue":{"values":[)" +
           kv("k", "v") + "]}}}]}}}",
       "otel_logs", "info", 9, {{"ctx", R"({"k":"v"})"}, {"user", "bob"}}},
      {"map_body_level",
       R"({"body":{"kvlistValue":{"values":[)" + kv("level", "Warn") + "]}}}", "otel_logs",
       "warn", 13, {{"level", "Warn"}}},
      {"map_body_keyword_in_its_json",
       R"({"body":{"kvlistValue":{"values":[)" + kv("msg", "error!") + "]}}}", "otel_logs",
       "error", 17, {{"msg", "error!"}}},
      {"attributes_flattened_for_every_record",
       R"({"attributes":[{"key":"http","value":{"kvlistValue":{"values":[)" + kv("method", "GET") +
           R"(]}}},{"key":"tags","value":{"arrayValue":{"values":[{"stringValue":"a"},)"
           R"({"intValue":"2"}]}}}],)" +
           body("plain") + "}",
       "otel_logs", "info", 9, {{"http.method", "GET"}, {"tags.0", "a"}, {"tags.1", "2"}}},
      {"flatten_collision_last_wins",
       R"({"attributes":[)" + kv("a.b", "first") +
           R"(,{"key":"a","value":{"kvlistValue":{"values":[)" + kv("b", "second") + "]}}}]," +
           body("x") + "}",
       "otel_logs", "info", 9, {{"a.b", "second"}}},
      // --- routing
      {"session_untouched",
       R"({"attributes":[)" + kv("rr-web.event", "2") + "," + kv("level", "error") +
           R"(,{"key":"m","value":{"kvlistValue":{"values":[)" + kv("k", "v") + "]}}}]," +
           body(R"({\"type\":2,\"error\":1})") + "}",
       "hyperdx_sessions", "", 0,
       {{"level", "error"}, {"m", R"({"k":"v"})"}, {"rr-web.event", "2"}}},
      {"session_event_of_any_type",
       R"({"severityText":"INFO","attributes":[{"key":"rr-web.event","value":{"intValue":"3"}}],)" +
           body("x") + "}",
       "hyperdx_sessions", "INFO", 0, {{"rr-web.event", "3"}}},
      {"session_event_without_value",
       R"({"attributes":[{"key":"rr-web.event","value":{}}],)" + body("x") + "}", "otel_logs",
       "info", 9, {{"rr-web.event", ""}}},
  };
  return c;
}

struct Decoded {
  LogsRows logs, sessions;
};

void decode(const std::string& request, bool proto, Decoded& out,
            const LogProcessingOptions& options) {
  LogProcessor processor(options, out.logs, out.sessions);
  Status st = proto ? decodeLogsProto(request, out.logs, &processor)
                    : decodeLogsJson(request, out.logs, &processor);
  ASSERT_TRUE(st.isOk()) << st.message();
  ASSERT_TRUE(out.logs.consistent());
  ASSERT_TRUE(out.sessions.consistent());
}

void expectCase(const Case& c, bool proto) {
  SCOPED_TRACE(std::string(c.name) + (proto ? " (protobuf)" : " (json)"));
  const std::string json = logsRequest(c.record);
  const std::string request = proto ? toProtobuf(json) : json;
  Decoded d;
  decode(request, proto, d, LogProcessingOptions{});
  const bool session = std::string(c.table) == "hyperdx_sessions";
  LogsRows& rows = session ? d.sessions : d.logs;
  ASSERT_EQ(rows.rows(), 1u);
  ASSERT_EQ((session ? d.logs : d.sessions).rows(), 0u);
  EXPECT_EQ(strings(rows.severity_text)[0], c.severity_text);
  EXPECT_EQ(rows.severity_number.values()[0], c.severity_number);
  EXPECT_EQ(maps(rows.log_attributes)[0], c.attributes);
  EXPECT_EQ(strings(rows.service_name)[0], "svc");

  // Everything else is what the decoder writes without processing.
  LogsRows plain;
  Status st = proto ? decodeLogsProto(request, plain) : decodeLogsJson(request, plain);
  ASSERT_TRUE(st.isOk());
  EXPECT_EQ(rows.body.serialized(), plain.body.serialized());
  EXPECT_EQ(rows.timestamp.values(), plain.timestamp.values());
  EXPECT_EQ(maps(rows.resource_attributes), maps(plain.resource_attributes));
  EXPECT_EQ(strings(rows.scope_name), strings(plain.scope_name));
  if (session) {
    EXPECT_EQ(rows.severity_text.serialized(), plain.severity_text.serialized());
    EXPECT_EQ(rows.log_attributes.keys().serialized(), plain.log_attributes.keys().serialized());
    EXPECT_EQ(rows.log_attributes.values().serialized(),
              plain.log_attributes.values().serialized());
  }
}

TEST(LogProcessor, RulesFromJson) {
  for (const Case& c : cases()) expectCase(c, false);
}

TEST(LogProcessor, RulesFromProtobuf) {
  for (const Case& c : cases()) expectCase(c, true);
}

TEST(LogProcessor, SessionNextToOrdinaryLogInOneRequest) {
  const std::string big(1 << 20, 'x');
  const std::string json = logsRequest(
      R"({"attributes":[)" + kv("rr-web.event", "2") + "," + kv("rr-web.chunk", "1") + "]," +
      body(big) + "},{" + body("error: payment declined") + "}");
  for (bool proto : {false, true}) {
    SCOPED_TRACE(proto ? "protobuf" : "json");
    Decoded d;
    decode(proto ? toProtobuf(json) : json, proto, d, LogProcessingOptions{});
    ASSERT_EQ(d.sessions.rows(), 1u);
    ASSERT_EQ(d.logs.rows(), 1u);
    EXPECT_EQ(strings(d.sessions.body)[0], big);
    EXPECT_EQ(strings(d.sessions.severity_text)[0], "");
    EXPECT_EQ(maps(d.sessions.log_attributes)[0],
              (Attrs{{"rr-web.chunk", "1"}, {"rr-web.event", "2"}}));
    EXPECT_EQ(strings(d.logs.body)[0], "error: payment declined");
    EXPECT_EQ(strings(d.logs.severity_text)[0], "error");
    EXPECT_EQ(d.logs.severity_number.values()[0], 17);
  }
}

TEST(LogProcessor, StepsSwitchOff) {
  const std::string json = logsRequest(
      R"({"attributes":[)" + kv("rr-web.event", "2") + "]," + body("x") + "},{" +
      R"("attributes":[{"key":"m","value":{"kvlistValue":{"values":[)" + kv("k", "v") + "]}}}]," +
      body(R"(ERROR {\"a\":1})") + "}");
  LogProcessingOptions off;
  off.route_sessions = false;
  off.parse_json_body = false;
  off.infer_severity = false;
  EXPECT_FALSE(off.any());
  Decoded d;
  decode(json, false, d, off);
  ASSERT_EQ(d.logs.rows(), 2u);
  EXPECT_EQ(d.sessions.rows(), 0u);
  EXPECT_EQ(strings(d.logs.severity_text), (std::vector<std::string>{"", ""}));
  EXPECT_EQ(maps(d.logs.log_attributes)[1], (Attrs{{"m", R"({"k":"v"})"}}));

  LogProcessingOptions severity_only = off;
  severity_only.infer_severity = true;
  Decoded s;
  decode(json, false, s, severity_only);
  ASSERT_EQ(s.logs.rows(), 2u);
  EXPECT_EQ(strings(s.logs.severity_text), (std::vector<std::string>{"info", "error"}));
  EXPECT_EQ(maps(s.logs.log_attributes)[1], (Attrs{{"m", R"({"k":"v"})"}}));

  LogProcessingOptions json_only = off;
  json_only.parse_json_body = true;
  Decoded j;
  decode(json, false, j, json_only);
  EXPECT_EQ(maps(j.logs.log_attributes)[1], (Attrs{{"a", "1"}, {"m.k", "v"}}));
  EXPECT_EQ(strings(j.logs.severity_text)[1], "");
}

TEST(LogProcessor, ResourceDetectionAddsWhatIsMissing) {
  auto detector = ResourceDetector::fromValues(
      "service.name=from-env, deployment.environment=prod%20eu , host.name=envhost", "myhost",
      "linux");
  ASSERT_TRUE(detector.isOk()) << detector.status().message();
  LogProcessingOptions options;
  options.resource_detector = &detector.value();
  // One resource with service.name, one without.
  const std::string json =
      R"({"resourceLogs":[{"resource":{"attributes":[)" + kv("service.name", "svc") + "," +
      kv("os.type", "custom") + R"(]},"scopeLogs":[{"logRecords":[{}]}]},)"
      R"({"scopeLogs":[{"logRecords":[{}]}]}]})";
  for (bool proto : {false, true}) {
    SCOPED_TRACE(proto ? "protobuf" : "json");
    Decoded d;
    decode(proto ? toProtobuf(json) : json, proto, d, options);
    ASSERT_EQ(d.logs.rows(), 2u);
    const auto resources = maps(d.logs.resource_attributes);
    EXPECT_EQ(resources[0], (Attrs{{"deployment.environment", "prod eu"},
                                   {"host.name", "envhost"},
                                   {"os.type", "custom"},
                                   {"service.name", "svc"}}));
    EXPECT_EQ(resources[1], (Attrs{{"deployment.environment", "prod eu"},
                                   {"host.name", "envhost"},
                                   {"os.type", "linux"},
                                   {"service.name", "from-env"}}));
    EXPECT_EQ(strings(d.logs.service_name), (std::vector<std::string>{"svc", "from-env"}));
  }
}

TEST(LogProcessor, ResourceAttributesParsing) {
  std::vector<std::pair<std::string, std::string>> out;
  EXPECT_TRUE(parseResourceAttributes("a=1,b=x+y%2Cz,c=", &out).isOk());
  EXPECT_EQ(out, (std::vector<std::pair<std::string, std::string>>{
                     {"a", "1"}, {"b", "x y,z"}, {"c", ""}}));
  EXPECT_FALSE(parseResourceAttributes("novalue", &out).isOk());
  EXPECT_FALSE(parseResourceAttributes("a=%zz", &out).isOk());
  auto d = ResourceDetector::fromValues("", "h1", "linux");
  ASSERT_TRUE(d.isOk());
  EXPECT_EQ(d.value().attributes(), (std::vector<std::pair<std::string, std::string>>{
                                        {"host.name", "h1"}, {"os.type", "linux"}}));
}

}  // namespace
}  // namespace otelhouse
