#include "cli/store.h"

#include <algorithm>
#include <chrono>

#include "common/log.h"
#include "schema/clickstack_schema.h"
#include "rows/metrics_rows.h"
#include "schema/cluster_ddl.h"
#include "schema/ttl_reconcile.h"
#include "sinks/chdb_sink.h"
#include "sinks/clickhouse_endpoint.h"
#include "sinks/clickhouse_http_sink.h"
#include "sinks/clickhouse_native_sink.h"
#include "sinks/column_filter_sink.h"
#include "sinks/failover_sink.h"
#include "sinks/null_sink.h"

namespace otelhouse {

// Inserts wait for the schema: until it exists they fail as unavailable, so
// the exporter keeps the batch in the WAL and retries it.
class Store::Gate final : public Sink {
 public:
  Gate(Store& store, Sink& inner) : store_(store), inner_(inner) {}
  InsertOutcome insert(std::string_view table, std::string_view native, std::string_view token) override {
    if (!store_.schemaReady())
      return InsertOutcome::retryLater(
          Status::unavailable("waiting for the schema on " + store_.target_ + " before inserting"));
    return inner_.insert(table, native, token);
  }
  Status execute(std::string_view sql) override { return inner_.execute(sql); }
  Status query(std::string_view sql, std::string_view format, QueryResult* out) override {
    return inner_.query(sql, format, out);
  }
  Result<std::vector<ColumnInfo>> describe(std::string_view table) override { return inner_.describe(table); }

 private:
  Store& store_;
  Sink& inner_;
};

namespace {

std::unique_ptr<Sink> serverSink(const ClickHouseEndpoint& ep, const ServerSinkOptions& o) {
  // The native sink drops columns the table lacks itself (it sees the
  // server's header block); over HTTP the table is described first.
  if (ep.protocol == ClickHouseProtocol::kHttp)
    return std::make_unique<ColumnFilterSink>(std::make_unique<ClickHouseHttpSink>(ep, o));
  return std::make_unique<ClickHouseNativeSink>(ep, o);
}

const char* const kWrittenTables[] = {"otel_logs",   "hyperdx_sessions", "otel_traces",
                                      kGaugeTable,   kSumTable,          kHistogramTable,
                                      kExponentialHistogramTable, kSummaryTable};

}  // namespace

std::vector<std::string> Store::schemaStatements(const Config& c, int variant) {
  SchemaOptions s;
  s.variant = static_cast<SchemaVariant>(variant);
  s.metrics_timeseries = c.promql;
  s.database = c.database;
  s.ttl_seconds = c.ttl_seconds;
  s.logs_ttl_seconds = c.logs_ttl_seconds;
  s.traces_ttl_seconds = c.traces_ttl_seconds;
  s.metrics_ttl_seconds = c.metrics_ttl_seconds;
  s.sessions_ttl_seconds = c.sessions_ttl_seconds;
  s.logs_rollups = c.logs_rollups;
  s.traces_rollups = c.logs_rollups;
  std::vector<std::string> out = clickStackSchema(s);
  if (!c.cluster_name.empty()) return clusterSchema(out, c.cluster_name, c.database);
  // Deduplication of re-sent batches (their tokens) on the tables we write;
  // Replicated tables deduplicate without it.
  for (const char* table : kWrittenTables)
    out.push_back("ALTER TABLE " + c.database + "." + table +
                  " MODIFY SETTING non_replicated_deduplication_window = 10000");
  return out;
}

namespace {

ServerSinkOptions serverOptions(const Config& c) {
  ServerSinkOptions o;
  o.user = c.clickhouse_user;
  o.password = c.clickhouse_password;
  o.database = c.database;
  o.timeout_ms = c.clickhouse_timeout_ms;
  o.connect_timeout_ms = std::min<int64_t>(c.clickhouse_timeout_ms, 5000);
  parseCompression(c.clickhouse_compress, &o.compression);
  o.async_insert = c.clickhouse_async_insert;
  o.ca_file = c.clickhouse_ca_file;
  o.insecure_skip_verify = c.clickhouse_insecure_skip_verify;
  return o;
}

// One server, or a FailoverSink over the list in order.
std::unique_ptr<Sink> serversSink(const std::vector<ClickHouseEndpoint>& eps, const ServerSinkOptions& o) {
  std::vector<FailoverSink::Member> members;
  for (const auto& ep : eps) members.push_back({ep.text, serverSink(ep, o)});
  if (members.size() == 1) return std::move(members.front().sink);
  return std::make_unique<FailoverSink>(std::move(members));
}

}  // namespace

Result<std::unique_ptr<Sink>> Store::openForwardSink(const std::string& user, const std::string& password) const {
  if (config_.clickhouse_endpoint.empty()) return std::unique_ptr<Sink>();
  auto eps = parseClickHouseEndpoints(config_.clickhouse_endpoint);
  if (!eps.isOk()) return eps.status();
  ServerSinkOptions o = serverOptions(config_);
  useLogin(eps.value(), o, user, password);
  return serversSink(eps.value(), o);
}

Result<std::unique_ptr<Store>> Store::open(const Config& c, const std::string& exe_dir) {
  std::unique_ptr<Store> store(new Store());
  store->config_ = c;
  if (!c.clickhouse_endpoint.empty()) {
    auto eps = parseClickHouseEndpoints(c.clickhouse_endpoint);
    if (!eps.isOk()) return eps.status();
    for (const auto& ep : eps.value()) {
      if (!store->target_.empty()) store->target_ += ", ";
      store->target_ += ep.text;
    }
    store->owned_ = serversSink(eps.value(), serverOptions(c));
    store->inner_ = store->owned_.get();
    LOG_INFO("storing into ClickHouse at %s (database %s)", store->target_.c_str(), c.database.c_str());
  } else if (c.sink == "chdb") {
    const std::string lib = c.chdb_lib.empty() ? defaultChdbLibPath(exe_dir) : c.chdb_lib;
    LOG_INFO("opening the embedded store in %s", c.data_dir.c_str());
    auto opened = ChdbSink::open(lib, c.data_dir, c.database);
    if (!opened.isOk()) return opened.status();
    store->chdb_ = std::move(opened.value());
    store->inner_ = store->chdb_.get();
    store->target_ = "the embedded engine";
  } else {
    LOG_WARN("--sink null: rows are counted and dropped, nothing is stored");
    store->owned_ = std::make_unique<NullSink>();
    store->inner_ = store->owned_.get();
    store->target_ = "the null sink";
  }
  store->gate_ = std::make_unique<Gate>(*store, *store->inner_);
  return store;
}

Store::~Store() { close(); }

Sink& Store::sink() { return *gate_; }

Result<int> Store::chooseVariant() {
  if (config_.schema_variant == "full_text") return static_cast<int>(SchemaVariant::kFullText);
  if (config_.schema_variant == "compat") return static_cast<int>(SchemaVariant::kCompat);
  if (config_.schema_variant == "legacy") return static_cast<int>(SchemaVariant::kLegacy);
  // The null sink answers no queries; its DDL goes nowhere anyway.
  if (!chdb_ && config_.clickhouse_endpoint.empty()) return static_cast<int>(SchemaVariant::kFullText);
  QueryResult r;
  Status st = inner_->query("SELECT version()", "TabSeparated", &r);
  if (!st.isOk()) return Status(st.code(), "asking the engine's version: " + st.message());
  std::string version = r.data;
  while (!version.empty() && (version.back() == '\n' || version.back() == '\r')) version.pop_back();
  return static_cast<int>(schemaVariantForVersion(version));
}

void Store::reportOlderLayouts(int variant) {
  if (static_cast<SchemaVariant>(variant) == SchemaVariant::kLegacy || !config_.cluster_name.empty()) return;
  std::string older;
  auto cols = inner_->describe("otel_logs");
  if (cols.isOk()) {
    bool event_name = false, timestamp_time = false;
    for (const auto& c : cols.value()) {
      event_name |= c.name == "EventName";
      timestamp_time |= c.name == "TimestampTime";
    }
    if (timestamp_time || !event_name)
      older += std::string("otel_logs (") + (event_name ? "" : "no EventName, ") +
               (timestamp_time ? "TimestampTime key" : "") + ")";
  }
  for (const char* t : {"otel_logs_key_rollup_15m", "otel_traces_key_rollup_15m"}) {
    if (!inner_->describe(t).isOk()) continue;
    older += older.empty() ? "" : ", ";
    older += t;
  }
  if (older.empty()) return;
  LOG_WARN("tables on an older ClickStack layout, still written with the columns they have: %s; "
           "docs/COLUMNS.md (Upgrading) shows how to move them to the %s layout",
           older.c_str(), schemaVariantName(static_cast<SchemaVariant>(variant)));
}

void Store::reconcileTtls() {
  if (!config_.reconcile_ttl) return;
  if (!config_.cluster_name.empty()) {
    LOG_WARN("storage.reconcile_ttl: not done for clustered tables (alter the _local tables ON CLUSTER)");
    return;
  }
  const Config& c = config_;
  const int64_t logs = ttlOr(c.logs_ttl_seconds, c.ttl_seconds), traces = ttlOr(c.traces_ttl_seconds, c.ttl_seconds);
  const std::pair<const char*, int64_t> tables[] = {
      {"otel_logs", logs},
      {"otel_logs_kv_rollup_15m", logs},
      {"otel_logs_key_rollup_15m", logs},
      {"hyperdx_sessions", ttlOr(c.sessions_ttl_seconds, c.ttl_seconds)},
      {"otel_traces", traces},
      {"otel_traces_kv_rollup_15m", traces},
      {"otel_traces_key_rollup_15m", traces},
      {kGaugeTable, ttlOr(c.metrics_ttl_seconds, c.ttl_seconds)},
      {kSumTable, ttlOr(c.metrics_ttl_seconds, c.ttl_seconds)},
      {kHistogramTable, ttlOr(c.metrics_ttl_seconds, c.ttl_seconds)},
      {kExponentialHistogramTable, ttlOr(c.metrics_ttl_seconds, c.ttl_seconds)},
      {kSummaryTable, ttlOr(c.metrics_ttl_seconds, c.ttl_seconds)},
  };
  for (const auto& [table, want] : tables) {
    QueryResult r;
    Status st = inner_->query("SELECT engine_full FROM system.tables WHERE database = '" + c.database +
                                  "' AND name = '" + table + "'",
                              "TabSeparatedRaw", &r);
    if (!st.isOk() || r.data.empty()) continue;  // a table we do not have
    const std::string qualified = c.database + "." + table;
    TtlPlan plan = planTtl(qualified, r.data, want);
    if (plan.kind == TtlPlan::kUnsupported) {
      LOG_WARN("TTL of %s left as it is: %s", qualified.c_str(), plan.reason.c_str());
    } else if (plan.kind == TtlPlan::kModify) {
      Status alter = inner_->execute(plan.statement);
      if (alter.isOk())
        LOG_INFO("TTL of %s: %s -> %s%s", qualified.c_str(), ttlInterval(plan.current_seconds).c_str(),
                 ttlInterval(want).c_str(),
                 want < plan.current_seconds ? " (rows past it go as parts are merged, no bulk delete now)" : "");
      else
        LOG_WARN("TTL of %s not changed: %s", qualified.c_str(), alter.message().c_str());
    }
  }
}

Status Store::runSchema() {
  const bool server = !config_.clickhouse_endpoint.empty();
  auto variant = chooseVariant();
  if (!variant.isOk()) {
    if (server) return variant.status();
    return Status(variant.status().code(), "creating the schema failed: " + variant.status().message());
  }
  LOG_INFO("ClickStack schema variant: %s", schemaVariantName(static_cast<SchemaVariant>(variant.value())));
  for (const auto& ddl : schemaStatements(config_, variant.value())) {
    Status st = inner_->execute(ddl);
    if (st.isOk()) continue;
    // The dedup window is a convenience on tables someone else may own.
    if (ddl.rfind("ALTER TABLE", 0) == 0) {
      LOG_WARN("%s: %s", ddl.substr(0, ddl.find(" MODIFY")).c_str(), st.message().c_str());
      continue;
    }
    if (server) return st;
    return Status(st.code(), "creating the schema failed: " + st.message());
  }
  reportOlderLayouts(variant.value());
  reconcileTtls();
  return Status::ok();
}

Status Store::prepare() {
  const bool server = !config_.clickhouse_endpoint.empty();
  if (!server || !config_.create_schema) {
    if (!server) {
      Status st = runSchema();
      if (!st.isOk()) return st;
    } else {
      LOG_INFO("clickhouse.create_schema is off: the tables are expected to exist");
    }
    ready_.store(true, std::memory_order_release);
    return Status::ok();
  }
  Status st = runSchema();
  if (st.isOk()) {
    ready_.store(true, std::memory_order_release);
    LOG_INFO("ClickStack schema ready on %s", target_.c_str());
    return st;
  }
  LOG_WARN("creating the schema on %s failed (%s); accepting data into the WAL and retrying in the background",
           target_.c_str(), st.message().c_str());
  bootstrap_ = std::thread([this] { bootstrapLoop(); });
  return Status::ok();
}

void Store::bootstrapLoop() {
  auto delay = std::chrono::milliseconds(std::max<int64_t>(config_.retry_initial_ms, 100));
  const auto max_delay = std::chrono::milliseconds(std::max<int64_t>(config_.retry_max_ms, 100));
  for (;;) {
    {
      std::unique_lock lock(mu_);
      if (cv_.wait_for(lock, delay, [this] { return stopping_; })) return;
    }
    Status st = runSchema();
    if (st.isOk()) {
      ready_.store(true, std::memory_order_release);
      LOG_INFO("ClickStack schema ready on %s; inserts start", target_.c_str());
      std::lock_guard lock(mu_);
      cv_.notify_all();
      return;
    }
    LOG_WARN("creating the schema on %s: %s (next try in %lld ms)", target_.c_str(), st.message().c_str(),
             static_cast<long long>(delay.count()));
    delay = std::min(delay * 2, max_delay);
  }
}

bool Store::waitSchemaReady(int64_t ms) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, std::chrono::milliseconds(ms), [this] { return schemaReady() || stopping_; }) &&
         schemaReady();
}

void Store::close() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  if (bootstrap_.joinable()) bootstrap_.join();
  if (chdb_) chdb_->close();
}

}  // namespace otelhouse
