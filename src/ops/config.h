// Config: every setting of the gateway, and where it comes from.
//
// Precedence, lowest first: built-in defaults, ClickStack's environment
// variables (HYPERDX_OTEL_BATCH_SEND_BATCH_SIZE, HYPERDX_OTEL_BATCH_TIMEOUT,
// HYPERDX_OTEL_EXPORTER_CLICKHOUSE_DATABASE, HYPERDX_OTEL_EXPORTER_TABLES_TTL,
// HYPERDX_LOG_LEVEL, OTLP_AUTH_TOKEN), the YAML file given with --config (values may use
// ${env:NAME:-default}), then command-line flags. Any bad value or unknown
// key is an error whose message names the key and says what is wrong.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "net/tls_settings.h"

namespace otelhouse {

struct ListenAddress {
  std::string host;
  uint16_t port = 0;
  std::string toString() const { return host + ":" + std::to_string(port); }
};

struct Config {
  std::string data_dir = "./otelhouse-data";
  std::string database = "default";
  std::string log_level = "info";
  std::string chdb_lib;  // empty: search the default places
  std::string sink = "chdb";  // chdb | null (benchmarks: count the blocks, store nothing)
  // A ClickHouse server instead of the embedded engine (clickhouse.*): set
  // when clickhouse_endpoint is. ClickStack's names in the comments.
  std::string clickhouse_endpoint;          // CLICKHOUSE_ENDPOINT; comma-separated = failover order
  std::string clickhouse_user = "default";  // CLICKHOUSE_USER
  std::string clickhouse_password;          // CLICKHOUSE_PASSWORD
  int64_t clickhouse_timeout_ms = 5000;     // HYPERDX_OTEL_EXPORTER_TIMEOUT
  std::string clickhouse_compress = "zstd"; // zstd | lz4 | gzip | none
  bool clickhouse_async_insert = false;
  std::string clickhouse_ca_file;           // CLICKHOUSE_TLS_CA_FILE
  bool clickhouse_insecure_skip_verify = false;  // CLICKHOUSE_TLS_INSECURE_SKIP_VERIFY
  bool create_schema = true;                // off when ClickStack's migrations own the tables
  std::string cluster_name;                 // ON CLUSTER DDL, Replicated + Distributed tables
  ListenAddress otlp_http{"0.0.0.0", 4318};
  size_t max_request_bytes = 20u << 20;
  // OTLP/HTTP connection limits and TLS (receivers.otlp_http.*, SECURITY.md).
  size_t http_max_connections = 10000;
  size_t http_max_header_bytes = 64u << 10;
  int64_t http_read_timeout_ms = 30000;   // first to last byte of a request (slowloris)
  int64_t http_idle_timeout_ms = 60000;   // keep-alive connection between requests
  TlsServerSettings otlp_http_tls;        // receivers.otlp_http.tls.*
  TlsServerSettings otlp_grpc_tls;        // receivers.otlp_grpc.tls.*
  ListenAddress otlp_grpc{"0.0.0.0", 4317};
  bool otlp_grpc_enabled = true;
  size_t grpc_max_recv_msg_size_mib = 20;    // per message, after decompression
  size_t grpc_max_concurrent_streams = 250;  // per connection
  int64_t grpc_keepalive_time_ms = 2 * 3600 * 1000;  // server pings idle connections
  int64_t grpc_keepalive_timeout_ms = 20000;
  int64_t grpc_keepalive_min_time_ms = 10000;  // fastest client ping allowed
  bool grpc_keepalive_permit_without_stream = true;
  int io_threads = 0;  // 0: one per core
  ListenAddress query{"127.0.0.1", 8123};
  bool query_enabled = true;
  size_t batch_size = 10000;
  int64_t batch_timeout_ms = 5000;
  int64_t ttl_seconds = 720 * 3600;
  int64_t logs_ttl_seconds = 0;      // HYPERDX_OTEL_EXPORTER_LOGS_TTL; 0: ttl_seconds
  int64_t traces_ttl_seconds = 0;    // HYPERDX_OTEL_EXPORTER_TRACES_TTL
  int64_t metrics_ttl_seconds = 0;   // HYPERDX_OTEL_EXPORTER_METRICS_TTL
  int64_t sessions_ttl_seconds = 0;  // HYPERDX_OTEL_EXPORTER_SESSIONS_TTL
  bool logs_rollups = true;
  // storage.schema: auto (from the engine's version, as ClickStack's migrator),
  // full_text, compat or legacy (HYPERDX_OTEL_EXPORTER_CREATE_LEGACY_SCHEMA=true).
  std::string schema_variant = "auto";
  bool promql = false;  // ENABLE_PROMQL: the metrics_ts TimeSeries table
  bool reconcile_ttl = false;  // HYPERDX_OTEL_EXPORTER_RECONCILE_TABLE_TTL: align existing tables' TTL
  bool wal_fsync = true;                     // wal.durability: fsync | none
  uint64_t wal_max_bytes = 10ull << 30;      // disk budget of the WAL
  uint64_t memory_budget_bytes = 256ull << 20;  // request bytes being decoded at once (429 beyond)
  int64_t retry_initial_ms = 5000;           // as ClickStack's exporter retry_on_failure
  int64_t retry_max_ms = 30000;
  int64_t shutdown_grace_ms = 10000;
  std::string fault_file;                    // test aid: inserts fail while this file exists
  std::string crash_after_insert_file;       // test aid: SIGKILL between insert and done
  // ClickStack's log processing (README "Log processing"): processors.*.
  bool session_routing = true;      // rr-web.event records -> hyperdx_sessions
  bool parse_json_body = true;      // JSON body -> attributes, attributes flattened
  bool infer_severity = true;       // severity from level attributes / body keywords
  bool resource_detection = false;  // OTEL_RESOURCE_ATTRIBUTES + host.name, os.type
  // CORS of the OTLP/HTTP receiver (receivers.otlp_http.cors.*); no origins: off.
  std::vector<std::string> cors_allowed_origins{"*"};
  std::vector<std::string> cors_allowed_headers{"*"};
  int64_t cors_max_age_seconds = 0;
  // Security and operations (SECURITY.md, docs/METRICS.md). Every key source
  // counts: OTLP_AUTH_TOKEN, auth.api_keys and the lines of auth.api_key_file.
  std::string otlp_auth_token;             // OTLP_AUTH_TOKEN (ClickStack's name)
  std::vector<std::string> api_keys;       // auth.api_keys
  std::string api_key_file;                // auth.api_key_file, re-read when it changes
  std::string query_user;                  // query.user / query.password: :8123 login;
  std::string query_password;              //   both empty: no login asked
  std::string query_writer_user;           // query.writer_user / writer_password: the login
  std::string query_writer_password;       //   that may INSERT (default user "writer")
  std::string query_forward_user;          // query.forward_user / forward_password: the login
  std::string query_forward_password;      //   :8123 reads a server with; unset: anonymous default
  std::vector<std::string> query_cors_origins;  // query.cors_origins: browser origins; none: off
  ListenAddress health{"0.0.0.0", 13133};  // health_check.endpoint
  bool health_enabled = true;
  ListenAddress metrics{"0.0.0.0", 8888};  // telemetry.metrics.endpoint
  bool metrics_enabled = true;
  std::string log_format = "text";         // text | json
};

// Replaces ${env:NAME}, ${env:NAME:-default} and ${NAME} with the environment.
std::string substituteEnv(const std::string& text);

bool parseListenAddress(const std::string& text, ListenAddress* out);

Status applyEnvironment(Config& config);
Status applyYamlFile(Config& config, const std::string& path);
Status applyYamlText(Config& config, const std::string& text, const std::string& origin);
// Flags are "--name value" or "--name=value"; consumed ones are removed.
Status applyFlags(Config& config, std::vector<std::string>& args);

// Defaults, environment, then --config FILE (found among args), then flags.
Result<Config> loadConfig(std::vector<std::string> args);

extern const char* const kRunFlagsHelp;

}  // namespace otelhouse
