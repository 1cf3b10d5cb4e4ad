#include "ops/self_metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>

namespace otelhouse {
namespace {

void receiverSamples(MetricsWriter& w, const char* transport, uint64_t requests,
                     uint64_t failed) {
  const MetricLabels labels = {{"transport", transport}};
  w.sample("otelhouse_receiver_requests_total", MetricType::kCounter,
           "OTLP requests (HTTP) or calls (gRPC) received, whatever their answer.", labels,
           static_cast<double>(requests));
  w.sample("otelhouse_receiver_failed_requests_total", MetricType::kCounter,
           "OTLP requests or calls answered with anything but success, for any reason.", labels,
           static_cast<double>(failed));
}

void limitSample(MetricsWriter& w, const char* transport, const char* limit, uint64_t n) {
  w.sample("otelhouse_receiver_limit_refusals_total", MetricType::kCounter,
           "Connections or requests refused or cut off by a receiver limit or timeout.",
           {{"transport", transport}, {"limit", limit}}, static_cast<double>(n));
}

int openFds() {
  DIR* d = opendir("/proc/self/fd");
  if (!d) return -1;
  int n = 0;
  while (dirent* e = readdir(d))
    if (e->d_name[0] != '.') ++n;
  closedir(d);
  return n - 1;  // the directory stream's own descriptor
}

}  // namespace

void registerProcessMetrics(MetricsRegistry& registry) {
  const double start = std::chrono::duration<double>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
  registry.addCollector([start](MetricsWriter& w) {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    const double cpu = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                       static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
    w.sample("process_cpu_seconds_total", MetricType::kCounter,
             "Total user and system CPU time spent in seconds.", {}, cpu);
    unsigned long long size_pages = 0, resident_pages = 0;
    if (FILE* f = fopen("/proc/self/statm", "r")) {
      if (fscanf(f, "%llu %llu", &size_pages, &resident_pages) != 2) size_pages = resident_pages = 0;
      fclose(f);
    }
    const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
    w.sample("process_resident_memory_bytes", MetricType::kGauge, "Resident memory size in bytes.",
             {}, static_cast<double>(resident_pages) * page);
    w.sample("process_virtual_memory_bytes", MetricType::kGauge, "Virtual memory size in bytes.",
             {}, static_cast<double>(size_pages) * page);
    w.sample("process_open_fds", MetricType::kGauge, "Number of open file descriptors.", {},
             openFds());
    w.sample("process_start_time_seconds", MetricType::kGauge,
             "Start time of the process since unix epoch in seconds.", {}, start);
  });
}

void registerHttpReceiverMetrics(MetricsRegistry& registry, const OtlpHttpReceiver& receiver) {
  registry.addCollector([&receiver](MetricsWriter& w) {
    const OtlpHttpStats& s = receiver.stats();
    receiverSamples(w, "http", s.requests.load(), s.refused_requests.load());
    limitSample(w, "http", "decompressed_size", s.decompressed_too_large.load());
    const HttpServerStats* server = receiver.serverStats();
    if (!server) return;
    limitSample(w, "http", "max_connections", server->connections_refused.load());
    limitSample(w, "http", "header_size", server->header_too_large.load());
    limitSample(w, "http", "body_size", server->body_too_large.load());
    limitSample(w, "http", "read_timeout", server->read_timeouts.load());
    limitSample(w, "http", "idle_timeout", server->idle_timeouts.load());
    w.sample("otelhouse_receiver_malformed_requests_total", MetricType::kCounter,
             "HTTP requests that did not parse as HTTP/1.x (answered 400).",
             {{"transport", "http"}}, static_cast<double>(server->bad_requests.load()));
    w.sample("otelhouse_receiver_tls_handshake_failures_total", MetricType::kCounter,
             "Connections closed because the TLS handshake failed (plain HTTP on the TLS port, "
             "an old TLS version, a missing or untrusted client certificate, a timeout).",
             {{"transport", "http"}}, static_cast<double>(server->tls_handshake_failures.load()));
  });
}

void registerGrpcReceiverMetrics(MetricsRegistry& registry, const OtlpGrpcReceiver& receiver) {
  registry.addCollector([&receiver](MetricsWriter& w) {
    const OtlpGrpcStats& s = receiver.stats();
    receiverSamples(w, "grpc", s.requests.load(), s.refused_requests.load());
    limitSample(w, "grpc", "decompressed_size", s.decompressed_too_large.load());
  });
}

void registerExporterMetrics(MetricsRegistry& registry, Exporter& exporter, const Wal& wal) {
  registry.addCollector([&exporter, &wal](MetricsWriter& w) {
    for (const auto& [table, t] : exporter.tableStats()) {
      const MetricLabels labels = {{"table", table}};
      w.sample("otelhouse_exporter_sent_rows_total", MetricType::kCounter,
               "Rows inserted into the store.", labels, static_cast<double>(t.rows_exported));
      w.sample("otelhouse_exporter_sent_bytes_total", MetricType::kCounter,
               "Native block bytes inserted into the store.", labels,
               static_cast<double>(t.bytes_exported));
      w.sample("otelhouse_exporter_sent_batches_total", MetricType::kCounter,
               "Insert batches the store accepted.", labels,
               static_cast<double>(t.batches_exported));
      w.sample("otelhouse_exporter_retries_total", MetricType::kCounter,
               "Failed inserts that were retried.", labels, static_cast<double>(t.retries));
      w.sample("otelhouse_exporter_dead_letter_batches_total", MetricType::kCounter,
               "Batches the store rejected for good, moved to the dead-letter folder.", labels,
               static_cast<double>(t.batches_dead_lettered));
      w.sample("otelhouse_exporter_dead_letter_rows_total", MetricType::kCounter,
               "Rows of the dead-lettered batches.", labels,
               static_cast<double>(t.rows_dead_lettered));
    }
    const ExporterStats& es = exporter.stats();
    w.sample("otelhouse_exporter_resent_batches_total", MetricType::kCounter,
             "Batches the last run had intended (maybe stored) and this run sent again with the "
             "same deduplication token.", {}, static_cast<double>(es.batches_resent.load()));
    w.sample("otelhouse_exporter_dead_letter_write_failures_total", MetricType::kCounter,
             "Rejected batches whose dead letter could not be written; they stay in the WAL and "
             "are tried again.", {}, static_cast<double>(es.dead_letter_write_failures.load()));
    w.sample("otelhouse_exporter_wal_retries_total", MetricType::kCounter,
             "Batch intents, read-backs or done records the WAL could not write or read, retried.",
             {}, static_cast<double>(es.wal_retries.load()));
    w.sample("otelhouse_exporter_last_retry_engine_code", MetricType::kGauge,
             "ClickHouse error code of the insert being retried now (0: none, or a failure without code; "
             "243 NOT_ENOUGH_SPACE, 241 MEMORY_LIMIT_EXCEEDED, 252 TOO_MANY_PARTS...).",
             {}, static_cast<double>(es.last_retry_engine_code.load()));
    w.sample("otelhouse_exporter_backlog_rows", MetricType::kGauge,
             "Rows acknowledged to senders and not yet in the store.", {},
             static_cast<double>(exporter.backlogRows()));
    w.sample("otelhouse_wal_oldest_unexported_age_seconds", MetricType::kGauge,
             "Age of the oldest acknowledged record not yet in the store (0: none).", {},
             exporter.oldestUnexportedSeconds());
    w.sample("otelhouse_wal_size_bytes", MetricType::kGauge,
             "Bytes of write-ahead log segments on disk.", {}, static_cast<double>(wal.bytes()));
    w.sample("otelhouse_wal_max_bytes", MetricType::kGauge,
             "Disk budget of the write-ahead log; appends are refused (429) beyond it.", {},
             static_cast<double>(wal.options().max_bytes));
    const WalStats& s = wal.stats();
    w.sample("otelhouse_wal_appended_bytes_total", MetricType::kCounter,
             "Bytes written to the write-ahead log.", {},
             static_cast<double>(s.bytes_written.load()));
    w.sample("otelhouse_wal_syncs_total", MetricType::kCounter,
             "fdatasync calls of the write-ahead log (one per group commit).", {},
             static_cast<double>(s.syncs.load()));
    w.sample("otelhouse_wal_refused_full_total", MetricType::kCounter,
             "Appends refused because the write-ahead log was over its disk budget.", {},
             static_cast<double>(s.refused_full.load()));
    w.sample("otelhouse_wal_write_errors_total", MetricType::kCounter,
             "Failed writes to the write-ahead log (disk full, I/O error); their commits were "
             "refused (503) and cut back.", {}, static_cast<double>(s.write_errors.load()));
    w.sample("otelhouse_wal_fsync_errors_total", MetricType::kCounter,
             "Failed fdatasync calls of the write-ahead log; their commits were refused and cut "
             "back, never synced again as they were.", {},
             static_cast<double>(s.fsync_errors.load()));
    w.sample("otelhouse_wal_truncations_total", MetricType::kCounter,
             "Write-ahead log segments cut back to their last good end after a fault.", {},
             static_cast<double>(s.truncations.load()));
    w.sample("otelhouse_wal_refused_io_total", MetricType::kCounter,
             "Appends, batch intents and done records refused because of a disk fault.", {},
             static_cast<double>(s.refused_io.load()));
    w.sample("otelhouse_wal_quarantined_records_total", MetricType::kCounter,
             "Corrupt write-ahead log records skipped at recovery and copied to the dead-letter "
             "folder; the records after them were kept.", {},
             static_cast<double>(s.quarantined_records.load()));
    w.sample("otelhouse_wal_recovery_cut_bytes_total", MetricType::kCounter,
             "Bytes of torn tail cut from the newest write-ahead log segment at recovery.", {},
             static_cast<double>(s.recovery_bytes_cut.load()));
  });
}

}  // namespace otelhouse
