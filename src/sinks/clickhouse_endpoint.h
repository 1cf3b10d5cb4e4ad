// ClickHouseEndpoint / ServerSinkOptions: where a ClickHouse server is and how
// to talk to it. Shared by the server sinks (clickhouse_http_sink for http://
// and https://, clickhouse_native_sink for tcp:// and clickhouse://) and by
// the failover sink that tries several endpoints in order.
//
// Endpoint syntax, as ClickStack's CLICKHOUSE_ENDPOINT and the collector's
// clickhouse exporter accept it:
//   http://host[:8123][/][?params]        HTTP interface
//   https://host[:8443][/][?params]       HTTP interface over TLS
//   tcp://host[:9000][?secure=true]       native protocol (9440 when secure)
//   clickhouse://host[:9000][?secure=true]
// Query parameters understood: secure, database, username, password,
// compress, async_insert, dial_timeout / timeout, ca_file, skip_verify.
// Credentials and database in the URL override ServerSinkOptions' defaults.
//
// Error contract of both sinks (insert()'s verdict: sinks/insert_outcome.h):
// network errors, refused connections, timeouts and HTTP 5xx without a
// ClickHouse code -> Status::unavailable; a server exception -> a Status whose
// message starts with the server's "Code: N. ..." text, kInvalidArgument, so
// transient codes (too many parts, memory limit, read-only...) are retried and
// schema/data errors go to dead letters.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace otelhouse {

enum class ClickHouseProtocol { kHttp, kNative };
enum class ClickHouseCompression { kZstd, kLz4, kGzip, kNone };

struct ClickHouseEndpoint {
  ClickHouseProtocol protocol = ClickHouseProtocol::kHttp;
  bool secure = false;   // https:// or ?secure=true
  std::string host;
  uint16_t port = 0;     // filled with the scheme's default when absent
  std::string text;      // the endpoint as configured, with the password removed (for logs)
  // Per-endpoint overrides from the URL's query; empty: use ServerSinkOptions.
  std::string database;
  std::string user;
  std::string password;
};

struct ServerSinkOptions {
  std::string user = "default";      // CLICKHOUSE_USER
  std::string password;              // CLICKHOUSE_PASSWORD
  std::string database = "default";  // HYPERDX_OTEL_EXPORTER_CLICKHOUSE_DATABASE
  int64_t timeout_ms = 5000;         // HYPERDX_OTEL_EXPORTER_TIMEOUT, per request
  int64_t connect_timeout_ms = 5000;
  ClickHouseCompression compression = ClickHouseCompression::kZstd;
  bool async_insert = false;
  std::string ca_file;               // TLS: CA bundle to verify the server; empty: system CAs
  bool insecure_skip_verify = false; // TLS: opt-in to accept any certificate
  size_t max_connections = 8;        // pooled keep-alive connections per endpoint
};

// Parses one endpoint; the message names what is wrong.
Result<ClickHouseEndpoint> parseClickHouseEndpoint(const std::string& text);
// Comma-separated list, used in order with failover.
Result<std::vector<ClickHouseEndpoint>> parseClickHouseEndpoints(const std::string& text);

// Makes `endpoints` and `o` log in as `user` / `password` and nothing else:
// credentials in the endpoints' URLs (the ingest login) are dropped. An empty
// user is ClickHouse's `default` (with `password`, usually none).
void useLogin(std::vector<ClickHouseEndpoint>& endpoints, ServerSinkOptions& o, const std::string& user,
              const std::string& password);

const char* compressionName(ClickHouseCompression c);
bool parseCompression(const std::string& text, ClickHouseCompression* out);

}  // namespace otelhouse
