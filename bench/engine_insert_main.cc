// otelhouse-engine-bench: the embedded engine's own insert rate for the
// Native blocks the gateway sends, the ceiling the gateway is measured
// against ("engine-bound throughput" in docs/BENCHMARKS.md).
//
// Builds the same blocks as the pipeline (load generator payloads decoded and
// encoded per request), concatenates them into batches of --batch rows as the
// exporter does, and inserts --rows rows into otel_logs of a fresh store with
// ClickStack's schema (rollups on unless --no-rollups) and a deduplication
// token per batch, as the gateway does. Prints one key=value line.
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "codec/otlp_logs_proto.h"
#include "corpus.h"
#include "loadgen/payload_builder.h"
#include "schema/clickstack_schema.h"
#include "sinks/chdb_sink.h"

namespace {

using namespace otelhouse;

double cpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

std::string exeDir() {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return ".";
  std::string p(buf, static_cast<size_t>(n));
  return p.substr(0, p.rfind('/'));
}

int usage() {
  fprintf(stderr,
          "usage: otelhouse-engine-bench [--rows N (default 1000000)] [--batch N (default 10000)]\n"
          "       [--data-dir DIR (default: a fresh temporary folder, removed after)]\n"
          "       [--chdb-lib PATH] [--no-rollups] [--schema full_text|compat|legacy (default full_text)]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  size_t total_rows = 1000000, batch_rows = 10000;
  std::string data_dir, lib;
  bool rollups = true;
  SchemaVariant schema = SchemaVariant::kFullText;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    if (a == "--rows" || a == "--batch") {
      const char* v = next();
      if (!v || atoll(v) <= 0) return usage();
      (a == "--rows" ? total_rows : batch_rows) = static_cast<size_t>(atoll(v));
    } else if (a == "--data-dir") {
      const char* v = next();
      if (!v) return usage();
      data_dir = v;
    } else if (a == "--chdb-lib") {
      const char* v = next();
      if (!v) return usage();
      lib = v;
    } else if (a == "--no-rollups") {
      rollups = false;
    } else if (a == "--schema") {
      const char* v = next();
      const std::string name = v ? v : "";
      if (name == "full_text") schema = SchemaVariant::kFullText;
      else if (name == "compat") schema = SchemaVariant::kCompat;
      else if (name == "legacy") schema = SchemaVariant::kLegacy;
      else return usage();
    } else {
      return usage();
    }
  }
  bool temporary = data_dir.empty();
  if (temporary) {
    std::string templ = "/tmp/otelhouse-engine-bench-XXXXXX";
    if (!mkdtemp(templ.data())) return perror("mkdtemp"), 1;
    data_dir = templ;
  }
  if (lib.empty()) lib = defaultChdbLibPath(exeDir());

  // Distinct batches of distinct requests (unique loadgen.id, current
  // timestamps so the table TTL keeps them), each batch the concatenation of
  // its requests' blocks, as the exporter sends them. Batches repeat after
  // kDistinctBatches, under new deduplication tokens.
  constexpr size_t kDistinctBatches = 8;
  loadgen::PayloadOptions po;
  po.records = bench::kCorpusRecords;
  po.run_id = "enginebn";
  po.seed = 42;
  std::vector<std::string> batches_native(kDistinctBatches);
  size_t rows_per_batch = 0;
  LogsRows rows;
  uint64_t seq = 0, variant = 0;
  for (std::string& batch : batches_native) {
    rows_per_batch = 0;
    while (rows_per_batch < batch_rows) {
      loadgen::Payload p = loadgen::buildPayload(po, variant++);
      loadgen::stampIds(p, seq);
      seq += po.records;
      rows.clear();
      if (Status st = decodeLogsProto(p.body, rows); !st.isOk()) {
        fprintf(stderr, "payload: %s\n", st.message().c_str());
        return 1;
      }
      rows.encodeNative(batch);
      rows_per_batch += rows.rows();
    }
  }

  auto opened = ChdbSink::open(lib, data_dir, "default");
  if (!opened.isOk()) {
    fprintf(stderr, "%s\n", opened.status().message().c_str());
    return 1;
  }
  ChdbSink& sink = *opened.value();
  SchemaOptions so;
  so.logs_rollups = rollups;
  so.variant = schema;
  for (const auto& ddl : clickStackLogsSchema(so)) {
    if (Status st = sink.execute(ddl); !st.isOk()) {
      fprintf(stderr, "schema: %s\n", st.message().c_str());
      sink.close();
      return 1;
    }
  }
  (void)sink.execute(
      "ALTER TABLE default.otel_logs MODIFY SETTING non_replicated_deduplication_window = 10000");

  size_t inserted = 0, batches = 0, batch_bytes = 0;
  double insert_seconds = 0;
  const double cpu0 = cpuSeconds();
  while (inserted < total_rows) {
    const std::string token = "engine-bench-" + std::to_string(batches);
    const std::string& batch = batches_native[batches % kDistinctBatches];
    batch_bytes += batch.size();
    const auto t0 = std::chrono::steady_clock::now();
    Status st = sink.insert("otel_logs", batch, token);
    insert_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!st.isOk()) {
      fprintf(stderr, "insert: %s\n", st.message().c_str());
      sink.close();
      return 1;
    }
    inserted += rows_per_batch;
    ++batches;
  }
  const double cpu = cpuSeconds() - cpu0;
  QueryResult count;
  Status cst = sink.query("SELECT count() FROM default.otel_logs", "TabSeparated", &count);
  sink.close();
  if (temporary) {
    std::error_code ec;
    std::filesystem::remove_all(data_dir, ec);
  }
  printf("engine schema=%s rows=%zu batches=%zu batch_rows=%zu batch_bytes=%zu rollups=%d seconds=%.3f "
         "rows_per_s=%.0f cpu_s=%.3f cpu_s_per_m=%.3f stored=%s\n",
         schemaVariantName(schema), inserted, batches, rows_per_batch, batches ? batch_bytes / batches : 0,
         rollups ? 1 : 0, insert_seconds,
         static_cast<double>(inserted) / insert_seconds, cpu,
         cpu * 1e6 / static_cast<double>(inserted),
         cst.isOk() ? std::string(count.data.substr(0, count.data.find('\n'))).c_str() : "?");
  return 0;
}
