// Store: where `otelhouse run` puts rows, chosen from StoreOptions (the cli
// fills them from the config), and the ClickStack schema in it.
//
// - No clickhouse.endpoint: the embedded engine (chDB) in data_dir; the
//   schema is created before anything is served, and a failure stops start.
// - clickhouse.endpoint: a ClickHouse server (HTTP or native protocol; a list
//   is a FailoverSink). A server that is down (or refusing the DDL) does not
//   stop start: the gateway acks into the WAL while a background thread
//   creates the schema, retrying with backoff, and inserts wait (as
//   Status::unavailable, which the exporter retries) until it has.
// - --sink null: rows are dropped (benchmarks).
//
// Which schema: storage.schema, or (auto) the variant ClickStack's migrator
// would pick for the engine's version(). Tables that exist are left as they
// are (CREATE ... IF NOT EXISTS): an older layout keeps taking rows, with the
// columns it has, and one log line at start names such tables.
//
// sink() is for the exporter and, over the embedded engine, the SQL endpoint.
// With a server, the SQL endpoint reads through openForwardSink(): the same
// endpoints and options with another login, never the ingest one. Every
// method of the sinks is thread-safe. close() stops the bootstrap thread and closes the engine;
// call it on every exit path (chDB crashes at exit otherwise).
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "schema/clickstack_schema.h"
#include "sinks/clickhouse_endpoint.h"
#include "sinks/sink.h"

namespace otelhouse {

class ChdbSink;

struct StoreOptions {
  // clickhouse.endpoint: one server or a comma-separated failover list; "":
  // the embedded engine (or the null sink).
  std::string endpoints;
  bool null_sink = false;           // --sink null: count and drop (benchmarks)
  std::string data_dir;             // the embedded engine's folder
  std::string chdb_lib;             // libchdb.so; "": found beside the executable
  ServerSinkOptions server;         // login, database, timeouts, compression, TLS
  // The schema: database, TTLs, rollups, metrics_ts. Its variant is the one
  // below (auto: chosen from the engine's version at prepare()).
  SchemaOptions schema;
  std::string schema_variant = "auto";  // auto | full_text | compat | legacy
  std::string cluster_name;         // ON CLUSTER DDL and Distributed tables
  bool create_schema = true;        // on a server; the embedded store always has it
  bool reconcile_ttl = false;       // align existing tables' TTL with the options
  int64_t retry_initial_ms = 5000;  // schema bootstrap backoff on a server
  int64_t retry_max_ms = 30000;
};

class Store {
 public:
  static Result<std::unique_ptr<Store>> open(const StoreOptions& options, const std::string& exe_dir);
  ~Store();

  // Creates the schema (see above); an error only for the embedded engine.
  Status prepare();
  bool schemaReady() const { return ready_.load(std::memory_order_acquire); }
  // Waits up to `ms` for the schema (tests, and describe at start).
  bool waitSchemaReady(int64_t ms);

  Sink& sink();
  // With a server: a sink to the same endpoints (failover and options alike)
  // that logs in as `user` / `password` (empty user: the anonymous `default`),
  // dropping the ingest credentials of CLICKHOUSE_USER and the endpoint URLs.
  // Without a server: nullptr (the endpoint reads sink()).
  Result<std::unique_ptr<Sink>> openForwardSink(const std::string& user, const std::string& password) const;
  bool embedded() const { return chdb_ != nullptr; }
  std::string describeTarget() const { return target_; }
  void close();

  // The statements prepare() runs, in order (the cluster form when configured).
  static std::vector<std::string> schemaStatements(const StoreOptions& options, SchemaVariant variant);
  // The variant for this store: the configured one, or from the engine's version.
  Result<SchemaVariant> chooseVariant();

 private:
  class Gate;
  Store() = default;
  Status runSchema();
  void reportOlderLayouts(SchemaVariant variant);
  void reconcileTtls();
  void bootstrapLoop();

  StoreOptions options_;
  std::unique_ptr<ChdbSink> chdb_;  // owned here when embedded; inner_ points at it
  std::unique_ptr<Sink> owned_;     // the server / null sink otherwise
  Sink* inner_ = nullptr;
  std::unique_ptr<Gate> gate_;
  std::string target_;
  std::atomic<bool> ready_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread bootstrap_;
};

}  // namespace otelhouse
