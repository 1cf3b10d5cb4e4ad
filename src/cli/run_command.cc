// `otelhouse run`: load the config, open the store, create the schema, start
// the export thread and the servers, then wait for SIGINT / SIGTERM and shut
// down in the reverse order: stop accepting, flush, close the engine.
#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>
#include <thread>

#include "cli/commands.h"
#include "cli/store_options.h"
#include "common/log.h"
#include "export/exporter.h"
#include "ops/api_keys.h"
#include "ops/config.h"
#include "ops/health_server.h"
#include "ops/metered_ingest.h"
#include "ops/metrics_registry.h"
#include "ops/metrics_server.h"
#include "ops/query_auth.h"
#include "ops/self_metrics.h"
#include "pipeline/pipeline.h"
#include "pipeline/resource_detection.h"
#include "query/query_http.h"
#include "receivers/otlp_grpc.h"
#include "receivers/otlp_http.h"
#include "rows/logs_rows.h"
#include "rows/metrics_rows.h"
#include "schema/clickstack_schema.h"
#include "sinks/fault_sink.h"
#include "wal/wal.h"

namespace otelhouse {
namespace {

// Columns the existing otel_logs has among those we insert, so a table made
// by another ClickStack version (with or without EventName) keeps working.
uint32_t logsColumnsOf(Sink& sink, const std::string& table) {
  auto cols = sink.describe(table);
  if (!cols.isOk() || cols.value().empty()) return kLogsClickStackColumns;
  uint32_t mask = 0;
  for (auto& c : cols.value())
    if (c.default_kind.empty()) mask |= logsColumnBit(c.name);
  return mask;
}

// The columns of a table that an insert may set (no MATERIALIZED / ALIAS /
// DEFAULT), so blocks carry only columns the table has.
ColumnSet insertableColumns(Sink& sink, const std::string& table) {
  auto cols = sink.describe(table);
  if (!cols.isOk() || cols.value().empty()) return {};
  std::vector<std::string> names;
  for (auto& c : cols.value())
    if (c.default_kind.empty()) names.push_back(c.name);
  return ColumnSet(std::move(names));
}

// The engine's table functions, so the SQL endpoint's gate knows every one
// (the allow-list decides which may run); its built-in list covers a failure.
std::vector<std::string> engineTableFunctions(Sink& sink) {
  QueryResult r;
  std::vector<std::string> names;
  if (!sink.query("SELECT name FROM system.table_functions", "TabSeparated", &r).isOk())
    return names;
  size_t begin = 0;
  while (begin < r.data.size()) {
    size_t end = r.data.find('\n', begin);
    if (end == std::string::npos) end = r.data.size();
    if (end > begin) names.push_back(r.data.substr(begin, end - begin));
    begin = end + 1;
  }
  return names;
}

}  // namespace

int runCommand(std::vector<std::string> args, const std::string& exe_dir) {
  // Signals are taken synchronously by this thread; block them before any
  // other thread starts so none of those receives them.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto loaded = loadConfig(std::move(args));
  if (!loaded.isOk()) {
    fprintf(stderr, "otelhouse: %s\n", loaded.status().message().c_str());
    return 2;
  }
  Config& cfg = loaded.value();
  LogLevel level = LogLevel::kInfo;
  parseLogLevel(cfg.log_level, &level);
  setLogLevel(level);
  setLogFormat(cfg.log_format == "json" ? LogFormat::kJson : LogFormat::kText);

  // The health endpoint comes first, so probes see 503 (not a refused
  // connection) while the store opens and the WAL recovers.
  std::unique_ptr<HealthServer> health;
  if (cfg.health_enabled) {
    HttpServerConfig hsc;
    hsc.host = cfg.health.host;
    hsc.port = cfg.health.port;
    hsc.threads = 1;
    health = std::make_unique<HealthServer>(hsc);
    if (Status st = health->start(); !st.isOk()) {
      LOG_ERROR("health check endpoint on %s: %s (set health_check.endpoint or --health-listen)",
                cfg.health.toString().c_str(), st.message().c_str());
      return 1;
    }
  }

  MetricsRegistry metrics;
  registerProcessMetrics(metrics);
  ApiKeyOptions key_options;
  if (!cfg.otlp_auth_token.empty()) key_options.keys.push_back(cfg.otlp_auth_token);
  key_options.keys.insert(key_options.keys.end(), cfg.api_keys.begin(), cfg.api_keys.end());
  key_options.key_file = cfg.api_key_file;
  auto api_keys = ApiKeyAuth::create(key_options, &metrics);
  if (!api_keys.isOk()) {
    fprintf(stderr, "otelhouse: %s\n", api_keys.status().message().c_str());
    return 2;
  }
  ApiKeyAuth& auth = *api_keys.value();
  if (auth.enabled())
    LOG_INFO("OTLP requests need an API key (%zu configured)", auth.keyCount());
  else
    LOG_INFO("no OTLP API key configured (OTLP_AUTH_TOKEN, auth.api_keys, auth.api_key_file): "
             "every OTLP request is accepted");
  QueryAuth query_auth(QueryLogins{cfg.query_user, cfg.query_password, cfg.query_writer_user,
                                   cfg.query_writer_password, &auth},
                       &metrics);

  auto opened = Store::open(storeOptionsFrom(cfg), exe_dir);
  if (!opened.isOk()) {
    LOG_ERROR("%s", opened.status().message().c_str());
    return 1;
  }
  Store& store = *opened.value();
  if (Status st = store.prepare(); !st.isOk()) {
    LOG_ERROR("%s", st.message().c_str());
    store.close();
    return 1;
  }
  Sink& sink = store.sink();

  WalOptions wo;
  wo.dir = cfg.data_dir + "/wal";
  wo.fsync = cfg.wal_fsync;
  wo.max_bytes = cfg.wal_max_bytes;
  WalRecovery recovery;
  auto wal = Wal::open(wo, &recovery);
  if (!wal.isOk()) {
    LOG_ERROR("write-ahead log in %s: %s", wo.dir.c_str(), wal.status().message().c_str());
    store.close();
    return 1;
  }
  if (recovery.bytes_cut > 0)
    LOG_WARN("WAL recovery cut %llu bytes of torn or corrupt tail in %llu segments",
             static_cast<unsigned long long>(recovery.bytes_cut),
             static_cast<unsigned long long>(recovery.segments_cut));

  FaultSink fault_sink(sink, cfg.fault_file);
  ExporterOptions eo;
  eo.batch_rows = cfg.batch_size;
  eo.timeout = std::chrono::milliseconds(cfg.batch_timeout_ms);
  eo.initial_backoff = std::chrono::milliseconds(cfg.retry_initial_ms);
  eo.max_backoff = std::chrono::milliseconds(cfg.retry_max_ms);
  eo.shutdown_grace = std::chrono::milliseconds(cfg.shutdown_grace_ms);
  eo.dead_letter_dir = cfg.data_dir + "/dead-letters";
  eo.crash_after_insert_file = cfg.crash_after_insert_file;
  Exporter exporter(fault_sink, *wal.value(), eo);
  exporter.start(std::move(recovery));

  PipelineOptions po;
  po.max_inflight_bytes = cfg.memory_budget_bytes;
  po.logs_columns = logsColumnsOf(sink, "otel_logs");
  po.sessions_columns = logsColumnsOf(sink, "hyperdx_sessions");
  po.traces_columns = insertableColumns(sink, "otel_traces");
  po.gauge_columns = insertableColumns(sink, kGaugeTable);
  po.sum_columns = insertableColumns(sink, kSumTable);
  po.histogram_columns = insertableColumns(sink, kHistogramTable);
  po.exponential_histogram_columns = insertableColumns(sink, kExponentialHistogramTable);
  po.summary_columns = insertableColumns(sink, kSummaryTable);
  po.log_processing.route_sessions = cfg.session_routing;
  po.log_processing.parse_json_body = cfg.parse_json_body;
  po.log_processing.infer_severity = cfg.infer_severity;
  std::optional<ResourceDetector> detector;
  if (cfg.resource_detection) {
    auto detected = ResourceDetector::detect();
    if (!detected.isOk()) {
      LOG_ERROR("resource detection: %s", detected.status().message().c_str());
      exporter.stop();
      store.close();
      return 2;
    }
    detector = std::move(detected.value());
    po.log_processing.resource_detector = &*detector;
    LOG_INFO("resource detection adds %zu attributes to resources that lack them",
             detector->attributes().size());
  }
  po.logs_ttl_seconds = ttlOr(cfg.logs_ttl_seconds, cfg.ttl_seconds);
  po.sessions_ttl_seconds = ttlOr(cfg.sessions_ttl_seconds, cfg.ttl_seconds);
  po.traces_ttl_seconds = ttlOr(cfg.traces_ttl_seconds, cfg.ttl_seconds);
  Pipeline pipeline(exporter, po);
  metrics.addCollector([&pipeline](MetricsWriter& w) {
    const PipelineStats& s = pipeline.stats();
    const std::pair<const char*, const std::atomic<uint64_t>*> tables[] = {
        {"otel_logs", &s.expired_logs}, {"hyperdx_sessions", &s.expired_sessions}, {"otel_traces", &s.expired_spans}};
    for (const auto& [table, n] : tables)
      w.sample("otelhouse_pipeline_expired_on_arrival_rows_total", MetricType::kCounter,
               "Rows already older than their table's TTL when they arrived (the engine drops them).",
               {{"table", table}}, static_cast<double>(n->load()));
  });
  registerExporterMetrics(metrics, exporter, *wal.value());
  MeteredIngest http_ingest(pipeline, metrics, "http");
  MeteredIngest grpc_ingest(pipeline, metrics, "grpc");

  OtlpHttpConfig hc;
  hc.host = cfg.otlp_http.host;
  hc.port = cfg.otlp_http.port;
  hc.threads = static_cast<unsigned>(cfg.io_threads);
  hc.max_request_bytes = cfg.max_request_bytes;
  hc.max_connections = cfg.http_max_connections;
  hc.max_header_bytes = cfg.http_max_header_bytes;
  hc.read_timeout = std::chrono::milliseconds(cfg.http_read_timeout_ms);
  hc.idle_timeout = std::chrono::milliseconds(cfg.http_idle_timeout_ms);
  hc.tls = cfg.otlp_http_tls;
  hc.cors_allowed_origins = cfg.cors_allowed_origins;
  hc.cors_allowed_headers = cfg.cors_allowed_headers;
  hc.cors_max_age_seconds = static_cast<int>(cfg.cors_max_age_seconds);
  OtlpHttpReceiver receiver(hc, http_ingest);
  if (auth.enabled()) receiver.setAuthHook(auth.httpHook());
  registerHttpReceiverMetrics(metrics, receiver);
  if (Status st = receiver.start(); !st.isOk()) {
    LOG_ERROR("OTLP/HTTP receiver on %s: %s", cfg.otlp_http.toString().c_str(), st.message().c_str());
    exporter.stop();
    store.close();
    return 1;
  }

  std::unique_ptr<OtlpGrpcReceiver> grpc_receiver;
  if (cfg.otlp_grpc_enabled) {
    OtlpGrpcConfig gc;
    gc.host = cfg.otlp_grpc.host;
    gc.port = cfg.otlp_grpc.port;
    gc.threads = static_cast<unsigned>(cfg.io_threads);
    // --max-request-bytes bounds every receiver; the gRPC key may lower it further.
    gc.max_recv_msg_bytes = std::min<size_t>(static_cast<size_t>(cfg.grpc_max_recv_msg_size_mib) << 20,
                                             cfg.max_request_bytes);
    gc.max_concurrent_streams = static_cast<uint32_t>(cfg.grpc_max_concurrent_streams);
    gc.keepalive_time = std::chrono::milliseconds(cfg.grpc_keepalive_time_ms);
    gc.keepalive_timeout = std::chrono::milliseconds(cfg.grpc_keepalive_timeout_ms);
    gc.keepalive_min_time = std::chrono::milliseconds(cfg.grpc_keepalive_min_time_ms);
    gc.keepalive_permit_without_stream = cfg.grpc_keepalive_permit_without_stream;
    gc.tls = cfg.otlp_grpc_tls;
    grpc_receiver = std::make_unique<OtlpGrpcReceiver>(gc, grpc_ingest);
    if (auth.enabled()) grpc_receiver->setAuthHook(auth.grpcHook());
    registerGrpcReceiverMetrics(metrics, *grpc_receiver);
    if (Status st = grpc_receiver->start(); !st.isOk()) {
      LOG_ERROR("OTLP/gRPC receiver on %s: %s", cfg.otlp_grpc.toString().c_str(),
                st.message().c_str());
      receiver.stop();
      exporter.stop();
      store.close();
      return 1;
    }
  }

  // With a server, :8123 reads it through its own login (query.forward_user,
  // else the anonymous default), never the ingest login: the server decides
  // what the endpoint's callers may read.
  std::unique_ptr<Sink> forward_sink;
  if (cfg.query_enabled && !cfg.clickhouse_endpoint.empty()) {
    auto forward = store.openForwardSink(cfg.query_forward_user, cfg.query_forward_password);
    if (!forward.isOk()) {
      LOG_ERROR("SQL endpoint: %s", forward.status().message().c_str());
      if (grpc_receiver) grpc_receiver->stop();
      receiver.stop();
      exporter.stop();
      wal.value().reset();
      store.close();
      return 1;
    }
    forward_sink = std::move(forward.value());
    if (cfg.query_forward_user.empty())
      LOG_INFO("SQL endpoint forwards to ClickHouse as the anonymous user 'default' with no password "
               "(set query.forward_user / query.forward_password for a read-only login)");
    else
      LOG_INFO("SQL endpoint forwards to ClickHouse as user '%s' (query.forward_user)",
               cfg.query_forward_user.c_str());
    if (!cfg.query_forward_user.empty() && cfg.query_forward_user == cfg.clickhouse_user)
      LOG_WARN("query.forward_user is the ingest user (CLICKHOUSE_USER): :8123 callers read with its rights");
  }

  std::unique_ptr<QueryHttpServer> query;
  if (cfg.query_enabled) {
    HttpServerConfig qc;
    qc.host = cfg.query.host;
    qc.port = cfg.query.port;
    qc.threads = 2;
    QueryHttpOptions qo;
    qo.cors_origins = cfg.query_cors_origins;
    qo.engine_table_functions = engineTableFunctions(sink);
    query = std::make_unique<QueryHttpServer>(qc, forward_sink ? *forward_sink : sink, qo);
    query->setAuthHook(query_auth.hook());
    if (Status st = query->start(); !st.isOk()) {
      LOG_ERROR("SQL endpoint on %s: %s", cfg.query.toString().c_str(), st.message().c_str());
      if (grpc_receiver) grpc_receiver->stop();
      receiver.stop();
      exporter.stop();
      wal.value().reset();
      store.close();
      return 1;
    }
  }

  std::unique_ptr<MetricsServer> metrics_server;
  if (cfg.metrics_enabled) {
    HttpServerConfig msc;
    msc.host = cfg.metrics.host;
    msc.port = cfg.metrics.port;
    msc.threads = 1;
    metrics_server = std::make_unique<MetricsServer>(msc, metrics);
    if (Status st = metrics_server->start(); !st.isOk()) {
      LOG_ERROR("metrics endpoint on %s: %s (set telemetry.metrics.endpoint or --metrics-listen)",
                cfg.metrics.toString().c_str(), st.message().c_str());
      if (grpc_receiver) grpc_receiver->stop();
      receiver.stop();
      exporter.stop();
      if (query) query->stop();
      wal.value().reset();
      store.close();
      return 1;
    }
  }

  std::string ready = "otelhouse ready otlp_http=" + cfg.otlp_http.host + ":" +
                      std::to_string(receiver.port());
  if (grpc_receiver)
    ready += " otlp_grpc=" + cfg.otlp_grpc.host + ":" + std::to_string(grpc_receiver->port());
  if (query) ready += " query=" + cfg.query.host + ":" + std::to_string(query->port());
  if (health) ready += " health=" + cfg.health.host + ":" + std::to_string(health->port());
  if (metrics_server)
    ready += " metrics=" + cfg.metrics.host + ":" + std::to_string(metrics_server->port());
  if (health) health->setReady(true);
  LOG_INFO("%s", ready.c_str());

  int sig = 0;
  sigwait(&sigs, &sig);
  LOG_INFO("received %s, shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
  if (health) health->setReady(false);  // load balancers drain us before receivers stop

  if (grpc_receiver) grpc_receiver->stop();  // no new calls; in-flight ones finish
  receiver.stop();   // no new requests; in-flight ones finish
  exporter.stop();   // flush every pending batch into the store
  if (query) query->stop();
  if (metrics_server) metrics_server->stop();  // its collectors read the WAL
  wal.value().reset();
  const auto& stats = exporter.stats();
  LOG_INFO("exported %llu rows in %llu batches; %llu rows in dead letters",
           static_cast<unsigned long long>(stats.rows_exported.load()),
           static_cast<unsigned long long>(stats.batches_exported.load()),
           static_cast<unsigned long long>(stats.rows_dead_lettered.load()));
  store.close();
  if (health) health->stop();
  LOG_INFO("stopped");
  return 0;
}

}  // namespace otelhouse
