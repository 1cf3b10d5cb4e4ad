#include <gtest/gtest.h>

#include <filesystem>
#include <mutex>
#include <set>
#include <regex>
#include <sstream>
#include <thread>

#include "net/http_test_client.h"
#include "ops/metered_ingest.h"
#include "ops/metrics_registry.h"
#include "ops/metrics_server.h"
#include "ops/self_metrics.h"

namespace otelhouse {
namespace {

namespace fs = std::filesystem;
using otelhouse::testing::TestClient;

TEST(MetricsRegistryTest, RendersPrometheusTextExactly) {
  MetricsRegistry r;
  r.counter("b_total", "B help", {{"k", "v\"x\\y\nz"}}).inc(3);
  r.gauge("a_gauge", "A").set(1.5);
  Histogram& h = r.histogram("c_seconds", "C", {0.1, 1}, {{"t", "x"}});
  h.observe(0.0625);
  h.observe(0.1);  // bounds are inclusive
  h.observe(2);
  r.addCollector([](MetricsWriter& w) {
    w.sample("d_total", MetricType::kCounter, "D\nline", {}, 7);
    w.sample("b_total", MetricType::kCounter, "B help", {{"k", "w"}}, 4);
    w.sample("e_ratio", MetricType::kGauge, "E", {{"a", "1"}, {"b", "2"}}, 0.25);
  });
  // The same name and labels give the same series.
  r.counter("b_total", "B help", {{"k", "v\"x\\y\nz"}}).inc();
  EXPECT_EQ(r.render(),
            "# HELP a_gauge A\n"
            "# TYPE a_gauge gauge\n"
            "a_gauge 1.5\n"
            "# HELP b_total B help\n"
            "# TYPE b_total counter\n"
            "b_total{k=\"v\\\"x\\\\y\\nz\"} 4\n"
            "b_total{k=\"w\"} 4\n"
            "# HELP c_seconds C\n"
            "# TYPE c_seconds histogram\n"
            "c_seconds_bucket{t=\"x\",le=\"0.1\"} 2\n"
            "c_seconds_bucket{t=\"x\",le=\"1\"} 2\n"
            "c_seconds_bucket{t=\"x\",le=\"+Inf\"} 3\n"
            "c_seconds_sum{t=\"x\"} 2.1625\n"
            "c_seconds_count{t=\"x\"} 3\n"
            "# HELP d_total D\\nline\n"
            "# TYPE d_total counter\n"
            "d_total 7\n"
            "# HELP e_ratio E\n"
            "# TYPE e_ratio gauge\n"
            "e_ratio{a=\"1\",b=\"2\"} 0.25\n");
}

TEST(MetricsRegistryTest, FormatsValues) {
  EXPECT_EQ(formatMetricValue(0), "0");
  EXPECT_EQ(formatMetricValue(18446744073709.0), "18446744073709");
  EXPECT_EQ(formatMetricValue(0.1), "0.1");
  EXPECT_EQ(formatMetricValue(1e21), "1e+21");
  EXPECT_EQ(formatMetricValue(0.0005), "0.0005");
  EXPECT_EQ(formatMetricValue(0.00005), "5e-05");
  EXPECT_EQ(formatMetricValue(1234567.5), "1234567.5");
  EXPECT_EQ(formatMetricValue(-2.5), "-2.5");
  EXPECT_EQ(formatMetricValue(1.0 / 0.0), "+Inf");
  EXPECT_EQ(formatMetricValue(0.0 / 0.0), "NaN");
}

TEST(MetricsRegistryTest, CountsFromManyThreads) {
  MetricsRegistry r;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        r.counter("n_total", "N").inc();
        r.histogram("h", "H", latencyBuckets()).observe(0.001);
      }
    });
  for (auto& t : threads) t.join();
  const std::string text = r.render();
  EXPECT_NE(text.find("n_total 4000\n"), std::string::npos);
  EXPECT_NE(text.find("h_bucket{le=\"0.001\"} 4000\n"), std::string::npos) << text;
  EXPECT_NE(text.find("h_bucket{le=\"0.0005\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("h_count 4000\n"), std::string::npos);
}

// Answers by the body it is given, so the test knows every number.
class ScriptedIngest : public ImmediateIngest {
 public:
  IngestResult ingestNow(const IngestRequest& request) override {
    const std::string_view body = request.body;
    IngestResult r;
    if (body.find("partial") != std::string_view::npos) {
      r.accepted = 2;
      r.rejected = 1;
      r.rejected_message = "one bad record";
    } else if (body.find("full") != std::string_view::npos) {
      r.status = Status::exhausted("the write-ahead log is full");
    } else if (body.find("bad") != std::string_view::npos) {
      r.status = Status::invalid("cannot decode");
    } else {
      r.accepted = 3;
    }
    return r;
  }
};

// Every line is a comment or `name{labels} value`; each family is announced once.
void expectWellFormed(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  std::set<std::string> typed;
  const std::regex sample(R"([a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*"(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*")*\})? (-?[0-9.e+-]+|\+Inf|NaN))");
  while (std::getline(in, line)) {
    if (line.rfind("# TYPE ", 0) == 0) {
      std::string name = line.substr(7, line.find(' ', 7) - 7);
      EXPECT_TRUE(typed.insert(name).second) << "family announced twice: " << name;
      continue;
    }
    if (line.rfind("# HELP ", 0) == 0) continue;
    EXPECT_TRUE(std::regex_match(line, sample)) << line;
  }
}

TEST(SelfMetricsTest, ReceiverNumbersMatchWhatWasSent) {
  MetricsRegistry registry;
  registerProcessMetrics(registry);
  ScriptedIngest scripted;
  MeteredIngest metered(scripted, registry, "http");
  OtlpHttpConfig hc;
  hc.host = "127.0.0.1";
  hc.port = 0;
  hc.threads = 1;
  OtlpHttpReceiver receiver(hc, metered);
  registerHttpReceiverMetrics(registry, receiver);
  ASSERT_TRUE(receiver.start().isOk());
  HttpServerConfig mc;
  mc.host = "127.0.0.1";
  mc.port = 0;
  mc.threads = 1;
  MetricsServer server(mc, registry);
  ASSERT_TRUE(server.start().isOk());

  TestClient client(receiver.port());
  const HttpHeaders json = {{"Content-Type", "application/json"}};
  EXPECT_EQ(client.request("POST", "/v1/logs", json, R"({"a":1})").status, 200);        // 7 bytes
  EXPECT_EQ(client.request("POST", "/v1/logs", json, R"({"partial":1})").status, 200);  // 13
  EXPECT_EQ(client.request("POST", "/v1/traces", json, R"({"full":1})").status, 429);   // 10
  EXPECT_EQ(client.request("POST", "/v1/metrics", json, R"({"bad":1})").status, 400);   // 9
  EXPECT_EQ(client.request("POST", "/v1/logs", {{"Content-Type", "text/plain"}}, "x").status, 415);

  TestClient scraper(server.port());
  auto r = scraper.request("GET", "/metrics");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  const std::string& text = r.body;
  expectWellFormed(text);
  auto has = [&](const std::string& line) {
    EXPECT_NE(text.find("\n" + line + "\n"), std::string::npos) << "missing: " << line << "\n"
                                                                 << text;
  };
  const std::string logs = R"({transport="http",signal="logs")";
  const std::string traces = R"({transport="http",signal="traces")";
  const std::string metrics = R"({transport="http",signal="metrics")";
  has("otelhouse_receiver_received_bytes_total" + logs + "} 20");
  has("otelhouse_receiver_accepted_bytes_total" + logs + "} 20");
  has("otelhouse_receiver_received_records_total" + logs + "} 6");
  has("otelhouse_receiver_accepted_records_total" + logs + "} 5");
  has("otelhouse_receiver_refused_records_total" + logs + R"(,reason="rejected"} 1)");
  has("otelhouse_receiver_request_duration_seconds_count" + logs + "} 2");
  has("otelhouse_receiver_request_duration_seconds_bucket" + logs + R"(,le="+Inf"} 2)");
  has("otelhouse_receiver_received_bytes_total" + traces + "} 10");
  has("otelhouse_receiver_accepted_bytes_total" + traces + "} 0");
  has("otelhouse_receiver_received_records_total" + traces + "} 0");
  has("otelhouse_receiver_refused_requests_total" + traces + R"(,reason="overloaded"} 1)");
  has("otelhouse_receiver_refused_bytes_total" + traces + R"(,reason="overloaded"} 10)");
  has("otelhouse_receiver_refused_requests_total" + metrics + R"(,reason="invalid"} 1)");
  has("otelhouse_receiver_refused_bytes_total" + metrics + R"(,reason="invalid"} 9)");
  has("otelhouse_receiver_request_duration_seconds_count" + metrics + "} 1");
  has(R"(otelhouse_receiver_requests_total{transport="http"} 5)");
  has(R"(otelhouse_receiver_failed_requests_total{transport="http"} 3)");
  EXPECT_EQ(text.find("reason=\"too_large\""), std::string::npos);  // none happened

  std::smatch m;
  ASSERT_TRUE(std::regex_search(text, m, std::regex(R"(\nprocess_resident_memory_bytes (\d+)\n)")));
  EXPECT_GT(std::stoull(m[1]), 1000000u);
  EXPECT_TRUE(std::regex_search(text, std::regex(R"(\nprocess_cpu_seconds_total [0-9.e+-]+\n)")));
  EXPECT_TRUE(std::regex_search(text, std::regex(R"(\nprocess_open_fds \d+\n)")));

  EXPECT_EQ(scraper.request("GET", "/").status, 404);
  EXPECT_EQ(scraper.request("POST", "/metrics", {}, "x").status, 405);
  server.stop();
  receiver.stop();
}

class RecordingSink : public Sink {
 public:
  InsertOutcome insert(std::string_view, std::string_view, std::string_view) override {
    std::lock_guard lock(mu);
    if (fail_next > 0) {
      --fail_next;
      return InsertOutcome::fromStatus(Status::unavailable("down"));
    }
    ++inserts;
    return InsertOutcome::fromStatus(Status::ok());
  }
  Status execute(std::string_view) override { return Status::ok(); }
  Status query(std::string_view, std::string_view, QueryResult*) override { return Status::ok(); }
  Result<std::vector<ColumnInfo>> describe(std::string_view) override {
    return std::vector<ColumnInfo>{};
  }
  std::mutex mu;
  int fail_next = 0;
  int inserts = 0;
};

TEST(SelfMetricsTest, ExporterAndWalPerTable) {
  char tmpl[] = "/tmp/otelhouse-metrics-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  {
    WalOptions wo;
    wo.dir = dir + "/wal";
    wo.fsync = false;
    WalRecovery recovery;
    auto wal = Wal::open(wo, &recovery);
    ASSERT_TRUE(wal.isOk()) << wal.status().message();
    RecordingSink sink;
    sink.fail_next = 1;
    ExporterOptions eo;
    eo.batch_rows = 1000;
    eo.timeout = std::chrono::milliseconds(60000);
    eo.initial_backoff = std::chrono::milliseconds(1);
    Exporter exporter(sink, *wal.value(), eo);
    exporter.start(std::move(recovery));
    MetricsRegistry registry;
    registerExporterMetrics(registry, exporter, *wal.value());

    EXPECT_EQ(exporter.oldestUnexportedSeconds(), 0);
    ASSERT_TRUE(exporter.append({{"otel_logs", "abcd", 2}, {"otel_traces", "xyz", 1}}).isOk());
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    ASSERT_TRUE(exporter.append({{"otel_logs", "efgh", 2}}).isOk());
    std::string text = registry.render();
    std::smatch m;
    ASSERT_TRUE(std::regex_search(
        text, m, std::regex(R"(\notelhouse_wal_oldest_unexported_age_seconds ([0-9.e-]+)\n)")))
        << text;
    EXPECT_GE(std::stod(m[1]), 0.03);
    EXPECT_LT(std::stod(m[1]), 30.0);
    EXPECT_NE(text.find("\notelhouse_exporter_backlog_rows 5\n"), std::string::npos) << text;
    ASSERT_TRUE(std::regex_search(text, m, std::regex(R"(\notelhouse_wal_size_bytes (\d+)\n)")));
    EXPECT_GT(std::stoull(m[1]), 11u);

    exporter.flush();
    text = registry.render();
    auto has = [&](const std::string& line) {
      EXPECT_NE(text.find("\n" + line + "\n"), std::string::npos) << "missing: " << line << "\n"
                                                                   << text;
    };
    has(R"(otelhouse_exporter_sent_rows_total{table="otel_logs"} 4)");
    has(R"(otelhouse_exporter_sent_bytes_total{table="otel_logs"} 8)");
    has(R"(otelhouse_exporter_sent_batches_total{table="otel_logs"} 1)");
    has(R"(otelhouse_exporter_sent_rows_total{table="otel_traces"} 1)");
    has(R"(otelhouse_exporter_sent_bytes_total{table="otel_traces"} 3)");
    has(R"(otelhouse_exporter_dead_letter_rows_total{table="otel_logs"} 0)");
    has("otelhouse_exporter_backlog_rows 0");
    has("otelhouse_wal_oldest_unexported_age_seconds 0");
    // One insert failed once, on whichever table went first.
    EXPECT_TRUE(text.find("\notelhouse_exporter_retries_total{table=\"otel_logs\"} 1\n") !=
                    std::string::npos ||
                text.find("\notelhouse_exporter_retries_total{table=\"otel_traces\"} 1\n") !=
                    std::string::npos)
        << text;
    expectWellFormed(text);
    exporter.stop();
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace otelhouse
