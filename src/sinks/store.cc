#include "sinks/store.h"

#include <algorithm>
#include <chrono>

#include "common/log.h"
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

}  // namespace

std::vector<std::string> Store::schemaStatements(const StoreOptions& o, SchemaVariant variant) {
  SchemaOptions s = o.schema;
  s.variant = variant;
  std::vector<std::string> out = clickStackSchema(s);
  if (!o.cluster_name.empty()) return clusterSchema(out, o.cluster_name, s.database);
  // Deduplication of re-sent batches (their tokens) on the tables we write;
  // Replicated tables deduplicate without it.
  for (const std::string& table : clickStackWrittenTables())
    out.push_back("ALTER TABLE " + s.database + "." + table +
                  " MODIFY SETTING non_replicated_deduplication_window = 10000");
  return out;
}

namespace {

// One server, or a FailoverSink over the list in order.
std::unique_ptr<Sink> serversSink(const std::vector<ClickHouseEndpoint>& eps, const ServerSinkOptions& o) {
  std::vector<FailoverSink::Member> members;
  for (const auto& ep : eps) members.push_back({ep.text, serverSink(ep, o)});
  if (members.size() == 1) return std::move(members.front().sink);
  return std::make_unique<FailoverSink>(std::move(members));
}

}  // namespace

Result<std::unique_ptr<Sink>> Store::openForwardSink(const std::string& user, const std::string& password) const {
  if (options_.endpoints.empty()) return std::unique_ptr<Sink>();
  auto eps = parseClickHouseEndpoints(options_.endpoints);
  if (!eps.isOk()) return eps.status();
  ServerSinkOptions o = options_.server;
  useLogin(eps.value(), o, user, password);
  return serversSink(eps.value(), o);
}

Result<std::unique_ptr<Store>> Store::open(const StoreOptions& c, const std::string& exe_dir) {
  std::unique_ptr<Store> store(new Store());
  store->options_ = c;
  if (!c.endpoints.empty()) {
    auto eps = parseClickHouseEndpoints(c.endpoints);
    if (!eps.isOk()) return eps.status();
    for (const auto& ep : eps.value()) {
      if (!store->target_.empty()) store->target_ += ", ";
      store->target_ += ep.text;
    }
    store->owned_ = serversSink(eps.value(), c.server);
    store->inner_ = store->owned_.get();
    LOG_INFO("storing into ClickHouse at %s (database %s)", store->target_.c_str(), c.server.database.c_str());
  } else if (!c.null_sink) {
    const std::string lib = c.chdb_lib.empty() ? defaultChdbLibPath(exe_dir) : c.chdb_lib;
    LOG_INFO("opening the embedded store in %s", c.data_dir.c_str());
    auto opened = ChdbSink::open(lib, c.data_dir, c.schema.database);
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

Result<SchemaVariant> Store::chooseVariant() {
  if (options_.schema_variant == "full_text") return SchemaVariant::kFullText;
  if (options_.schema_variant == "compat") return SchemaVariant::kCompat;
  if (options_.schema_variant == "legacy") return SchemaVariant::kLegacy;
  // The null sink answers no queries; its DDL goes nowhere anyway.
  if (!chdb_ && options_.endpoints.empty()) return SchemaVariant::kFullText;
  QueryResult r;
  Status st = inner_->query("SELECT version()", "TabSeparated", &r);
  if (!st.isOk()) return Status(st.code(), "asking the engine's version: " + st.message());
  std::string version = r.data;
  while (!version.empty() && (version.back() == '\n' || version.back() == '\r')) version.pop_back();
  return schemaVariantForVersion(version);
}

void Store::reportOlderLayouts(SchemaVariant variant) {
  if (variant == SchemaVariant::kLegacy || !options_.cluster_name.empty()) return;
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
           older.c_str(), schemaVariantName(variant));
}

void Store::reconcileTtls() {
  if (!options_.reconcile_ttl) return;
  if (!options_.cluster_name.empty()) {
    LOG_WARN("storage.reconcile_ttl: not done for clustered tables (alter the _local tables ON CLUSTER)");
    return;
  }
  const std::string& database = options_.schema.database;
  for (const auto& [table, want] : clickStackTableTtls(options_.schema)) {
    QueryResult r;
    Status st = inner_->query("SELECT engine_full FROM system.tables WHERE database = '" + database +
                                  "' AND name = '" + table + "'",
                              "TabSeparatedRaw", &r);
    if (!st.isOk() || r.data.empty()) continue;  // a table we do not have
    const std::string qualified = database + "." + table;
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
  const bool server = !options_.endpoints.empty();
  auto variant = chooseVariant();
  if (!variant.isOk()) {
    if (server) return variant.status();
    return Status(variant.status().code(), "creating the schema failed: " + variant.status().message());
  }
  LOG_INFO("ClickStack schema variant: %s", schemaVariantName(variant.value()));
  for (const auto& ddl : schemaStatements(options_, variant.value())) {
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
  const bool server = !options_.endpoints.empty();
  if (!server || !options_.create_schema) {
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
  auto delay = std::chrono::milliseconds(std::max<int64_t>(options_.retry_initial_ms, 100));
  const auto max_delay = std::chrono::milliseconds(std::max<int64_t>(options_.retry_max_ms, 100));
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
