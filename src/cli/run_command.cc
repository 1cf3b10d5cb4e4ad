// `otelhouse run`: load the config, open the store, create the schema, start
// the export thread and the servers, then wait for SIGINT / SIGTERM and shut
// down in the reverse order: stop accepting, flush, close the engine.
#include <signal.h>

#include <cstdio>
#include <memory>
#include <thread>

#include "cli/commands.h"
#include "common/log.h"
#include "export/exporter.h"
#include "ops/config.h"
#include "pipeline/pipeline.h"
#include "query/query_http.h"
#include "receivers/otlp_http.h"
#include "rows/logs_rows.h"
#include "schema/clickstack_schema.h"
#include "sinks/chdb_sink.h"
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

  const std::string lib = cfg.chdb_lib.empty() ? defaultChdbLibPath(exe_dir) : cfg.chdb_lib;
  LOG_INFO("opening the embedded store in %s", cfg.data_dir.c_str());
  auto opened = ChdbSink::open(lib, cfg.data_dir, cfg.database);
  if (!opened.isOk()) {
    LOG_ERROR("%s", opened.status().message().c_str());
    return 1;
  }
  ChdbSink& sink = *opened.value();

  SchemaOptions schema;
  schema.database = cfg.database;
  schema.ttl_seconds = cfg.ttl_seconds;
  schema.logs_rollups = cfg.logs_rollups;
  for (const auto& ddl : clickStackLogsSchema(schema)) {
    Status st = sink.execute(ddl);
    if (!st.isOk()) {
      LOG_ERROR("creating the schema failed: %s", st.message().c_str());
      sink.close();
      return 1;
    }
  }

  // Deduplication of re-sent batches (their tokens) on the tables we write.
  for (const char* table : {"otel_logs", "hyperdx_sessions"}) {
    Status st = sink.execute("ALTER TABLE " + cfg.database + "." + table +
                             " MODIFY SETTING non_replicated_deduplication_window = 10000");
    if (!st.isOk()) LOG_WARN("enabling deduplication on %s: %s", table, st.message().c_str());
  }

  WalOptions wo;
  wo.dir = cfg.data_dir + "/wal";
  wo.fsync = cfg.wal_fsync;
  wo.max_bytes = cfg.wal_max_bytes;
  WalRecovery recovery;
  auto wal = Wal::open(wo, &recovery);
  if (!wal.isOk()) {
    LOG_ERROR("write-ahead log in %s: %s", wo.dir.c_str(), wal.status().message().c_str());
    sink.close();
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
  Exporter exporter(fault_sink, *wal.value(), eo);
  exporter.start(std::move(recovery));

  PipelineOptions po;
  po.logs_columns = logsColumnsOf(sink, "otel_logs");
  Pipeline pipeline(exporter, po);

  OtlpHttpConfig hc;
  hc.host = cfg.otlp_http.host;
  hc.port = cfg.otlp_http.port;
  hc.threads = static_cast<unsigned>(cfg.io_threads);
  hc.max_request_bytes = cfg.max_request_bytes;
  OtlpHttpReceiver receiver(hc, pipeline);
  if (Status st = receiver.start(); !st.isOk()) {
    LOG_ERROR("OTLP/HTTP receiver on %s: %s", cfg.otlp_http.toString().c_str(), st.message().c_str());
    exporter.stop();
    sink.close();
    return 1;
  }

  std::unique_ptr<QueryHttpServer> query;
  if (cfg.query_enabled) {
    HttpServerConfig qc;
    qc.host = cfg.query.host;
    qc.port = cfg.query.port;
    qc.threads = 2;
    query = std::make_unique<QueryHttpServer>(qc, sink);
    if (Status st = query->start(); !st.isOk()) {
      LOG_ERROR("SQL endpoint on %s: %s", cfg.query.toString().c_str(), st.message().c_str());
      receiver.stop();
      exporter.stop();
      wal.value().reset();
      sink.close();
      return 1;
    }
  }

  std::string ready = "otelhouse ready otlp_http=" + cfg.otlp_http.host + ":" +
                      std::to_string(receiver.port());
  if (query) ready += " query=" + cfg.query.host + ":" + std::to_string(query->port());
  LOG_INFO("%s", ready.c_str());

  int sig = 0;
  sigwait(&sigs, &sig);
  LOG_INFO("received %s, shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");

  receiver.stop();   // no new requests; in-flight ones finish
  exporter.stop();   // flush every pending batch into the store
  if (query) query->stop();
  wal.value().reset();
  const auto& stats = exporter.stats();
  LOG_INFO("exported %llu rows in %llu batches; %llu rows in dead letters",
           static_cast<unsigned long long>(stats.rows_exported.load()),
           static_cast<unsigned long long>(stats.batches_exported.load()),
           static_cast<unsigned long long>(stats.rows_dead_lettered.load()));
  sink.close();
  LOG_INFO("stopped");
  return 0;
}

}  // namespace otelhouse
