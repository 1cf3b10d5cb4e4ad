#include "cli/store_options.h"

#include <algorithm>

namespace otelhouse {

StoreOptions storeOptionsFrom(const Config& c) {
  StoreOptions o;
  o.endpoints = c.clickhouse_endpoint;
  o.null_sink = c.sink == "null";
  o.data_dir = c.data_dir;
  o.chdb_lib = c.chdb_lib;

  o.server.user = c.clickhouse_user;
  o.server.password = c.clickhouse_password;
  o.server.database = c.database;
  o.server.timeout_ms = c.clickhouse_timeout_ms;
  o.server.connect_timeout_ms = std::min<int64_t>(c.clickhouse_timeout_ms, 5000);
  parseCompression(c.clickhouse_compress, &o.server.compression);
  o.server.async_insert = c.clickhouse_async_insert;
  o.server.ca_file = c.clickhouse_ca_file;
  o.server.insecure_skip_verify = c.clickhouse_insecure_skip_verify;

  o.schema.database = c.database;
  o.schema.ttl_seconds = c.ttl_seconds;
  o.schema.logs_ttl_seconds = c.logs_ttl_seconds;
  o.schema.traces_ttl_seconds = c.traces_ttl_seconds;
  o.schema.metrics_ttl_seconds = c.metrics_ttl_seconds;
  o.schema.sessions_ttl_seconds = c.sessions_ttl_seconds;
  o.schema.logs_rollups = c.logs_rollups;
  o.schema.traces_rollups = c.logs_rollups;
  o.schema.metrics_timeseries = c.promql;
  o.schema_variant = c.schema_variant;
  o.cluster_name = c.cluster_name;
  o.create_schema = c.create_schema;
  o.reconcile_ttl = c.reconcile_ttl;
  o.retry_initial_ms = c.retry_initial_ms;
  o.retry_max_ms = c.retry_max_ms;
  return o;
}

}  // namespace otelhouse
