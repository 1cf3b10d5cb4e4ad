// The Pipeline writes a logs request's session chunks and ordinary logs as
// two tables of one WAL append, and each reaches the sink as its own insert.
#include "pipeline/pipeline.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "codec/otlp_logs_json.h"
#include "log_test_util.h"
#include "sinks/sink.h"
#include "wal/wal.h"

namespace otelhouse {
namespace {

class RecordingSink : public Sink {
 public:
  InsertOutcome insert(std::string_view table, std::string_view native, std::string_view) override {
    std::lock_guard lock(mu);
    inserts.push_back({std::string(table), std::string(native)});
    return InsertOutcome::fromStatus(Status::ok());
  }
  Status execute(std::string_view) override { return Status::ok(); }
  Status query(std::string_view, std::string_view, QueryResult*) override { return Status::ok(); }
  Result<std::vector<ColumnInfo>> describe(std::string_view) override {
    return std::vector<ColumnInfo>{};
  }
  std::mutex mu;
  std::vector<std::pair<std::string, std::string>> inserts;
};

TEST(Pipeline, SessionsAndLogsInOneRequestGoToTheirTables) {
  char tmpl[] = "/tmp/otelhouse-pipe-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  {
    WalOptions wo;
    wo.dir = dir + "/wal";
    WalRecovery recovery;
    auto wal = Wal::open(wo, &recovery);
    ASSERT_TRUE(wal.isOk()) << wal.status().message();
    RecordingSink sink;
    ExporterOptions eo;
    eo.dead_letter_dir = dir + "/dead";
    Exporter exporter(sink, *wal.value(), eo);
    exporter.start();
    Pipeline pipeline(exporter, PipelineOptions{});
    const std::string json = testing::logsRequest(
        R"({"attributes":[{"key":"rr-web.event","value":{"stringValue":"2"}}],)"
        R"("body":{"stringValue":"chunk"}},{"body":{"stringValue":"warn: low disk"}},)"
        R"({"body":{"stringValue":"ok"}})");
    IngestResult r = ingestAndWait(pipeline, Signal::kLogs, PayloadFormat::kJson, json);
    ASSERT_TRUE(r.status.isOk()) << r.status.message();
    EXPECT_EQ(r.accepted, 3u);
    EXPECT_EQ(pipeline.stats().session_records.load(), 1u);
    exporter.flush();

    // What the sink got is what the builders encode for the same rows.
    LogsRows logs, sessions;
    LogProcessingOptions options;
    LogProcessor processor(options, logs, sessions);
    ASSERT_TRUE(decodeLogsJson(json, logs, &processor).isOk());
    std::string logs_native, sessions_native;
    logs.encodeNative(logs_native);
    sessions.encodeNative(sessions_native);
    std::lock_guard lock(sink.mu);
    ASSERT_EQ(sink.inserts.size(), 2u);
    std::vector<std::pair<std::string, std::string>> want = {
        {"hyperdx_sessions", sessions_native}, {"otel_logs", logs_native}};
    std::sort(sink.inserts.begin(), sink.inserts.end());
    EXPECT_EQ(sink.inserts, want);
    exporter.stop();
  }
  std::filesystem::remove_all(dir);
}

TEST(Pipeline, RequestWithOnlySessionsWritesNoOtelLogsRows) {
  char tmpl[] = "/tmp/otelhouse-pipe-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  {
    WalOptions wo;
    wo.dir = dir + "/wal";
    WalRecovery recovery;
    auto wal = Wal::open(wo, &recovery);
    ASSERT_TRUE(wal.isOk());
    RecordingSink sink;
    ExporterOptions eo;
    eo.dead_letter_dir = dir + "/dead";
    Exporter exporter(sink, *wal.value(), eo);
    exporter.start();
    Pipeline pipeline(exporter, PipelineOptions{});
    const std::string json = testing::logsRequest(
        R"({"attributes":[{"key":"rr-web.event","value":{"stringValue":"3"}}]})");
    IngestResult r = ingestAndWait(pipeline, Signal::kLogs, PayloadFormat::kProtobuf,
                                     testing::toProtobuf(json));
    ASSERT_TRUE(r.status.isOk()) << r.status.message();
    exporter.flush();
    std::lock_guard lock(sink.mu);
    ASSERT_EQ(sink.inserts.size(), 1u);
    EXPECT_EQ(sink.inserts[0].first, "hyperdx_sessions");
    exporter.stop();
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace otelhouse

namespace otelhouse {
namespace {

TEST(Pipeline, MemoryBudgetRefusesOverlapsButNeverALoneRequest) {
  char tmpl[] = "/tmp/otelhouse-pipe-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  {
    WalOptions wo;
    wo.dir = dir + "/wal";
    wo.fsync = false;
    WalRecovery recovery;
    auto wal = Wal::open(wo, &recovery);
    ASSERT_TRUE(wal.isOk()) << wal.status().message();
    RecordingSink sink;
    ExporterOptions eo;
    eo.dead_letter_dir = dir + "/dead";
    Exporter exporter(sink, *wal.value(), eo);
    exporter.start();
    PipelineOptions po;
    po.max_inflight_bytes = 1;  // any two requests at once are over it
    Pipeline pipeline(exporter, po);
    std::string records;
    for (int i = 0; i < 200; ++i) {
      if (i) records += ',';
      records += R"({"body":{"stringValue":"a log line long enough to take a moment to decode )" +
                 std::to_string(i) + R"("}})";
    }
    const std::string json = testing::logsRequest(records);
    // Alone, a request far over the budget passes: a 429 here could never
    // be retried through.
    IngestResult alone = ingestAndWait(pipeline, Signal::kLogs, PayloadFormat::kJson, json);
    ASSERT_TRUE(alone.status.isOk()) << alone.status.message();
    std::atomic<int> ok{0}, refused{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&] {
        for (int i = 0; i < 50; ++i) {
          IngestResult r = ingestAndWait(pipeline, Signal::kLogs, PayloadFormat::kJson, json);
          if (r.status.isOk()) {
            ok++;
          } else {
            EXPECT_EQ(r.status.code(), Code::kResourceExhausted);
            EXPECT_NE(r.status.message().find("memory budget"), std::string::npos);
            refused++;
          }
        }
      });
    for (auto& t : threads) t.join();
    EXPECT_GT(ok.load(), 0);
    EXPECT_GT(refused.load(), 0);
    EXPECT_EQ(pipeline.stats().refused_overload.load(), static_cast<uint64_t>(refused.load()));
    exporter.stop();
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace otelhouse
