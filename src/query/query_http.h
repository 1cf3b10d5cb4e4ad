// QueryHttpServer: a ClickHouse-compatible HTTP interface (:8123) over a
// Sink's query(), so ClickHouse clients (the official JS client, curl, the
// ClickStack UI) can read the embedded store as if it were a ClickHouse server.
//
// What it speaks (ClickHouse docs, "HTTP interface"):
// - GET /?query=SQL (read-only: only SELECT/WITH/SHOW/DESCRIBE/EXISTS/EXPLAIN,
//   else READONLY 164), POST / with the SQL in the body, or ?query= plus a
//   body appended after a newline (INSERT ... FORMAT X + data). Request bodies
//   may be Content-Encoding gzip / deflate / zstd / lz4 (another encoding:
//   NOT_IMPLEMENTED 48 / 501).
// - POST /?query=INSERT INTO [default.]t [(cols)] [SETTINGS ...] FORMAT Native
//   with Native blocks in the body (what ClickHouseHttpSink sends): the body,
//   decompressed, goes to Sink::insert(t, body, token) as bytes, never through
//   SQL text; the token is the insert_deduplication_token URL parameter, else
//   the statement's SETTINGS. The column list is not needed (Native blocks
//   name their columns; the sink matches them by name). An empty body stores
//   nothing and answers 200.
// - GET /ping, GET /replicas_status and GET / without a query: "Ok.\n".
// - URL parameters: query, query_id (echoed in X-ClickHouse-Query-Id, a UUID
//   made when absent), default_format (or header X-ClickHouse-Format; default
//   TabSeparated; passed to the sink as the format, a FORMAT clause in the SQL
//   wins there), database (or header X-ClickHouse-Database; only "default" or
//   empty, else UNKNOWN_DATABASE 81 / 404, since the Sink has no USE),
//   param_<name> ({name:Type} query parameters, see sql_text.h),
//   enable_http_compression=1 (then Accept-Encoding zstd / gzip / deflate
//   compresses the response, errors included), add_http_cors_header=1.
//   Everything else (user, password, session_id, role, wait_end_of_query,
//   output_format_*, other settings) is accepted and ignored; credentials
//   (user / password, Authorization, X-ClickHouse-User/Key) are the auth
//   hook's (ops/query_auth.h), which runs on query requests only: /ping,
//   /replicas_status, OPTIONS and a bare GET / stay open, as in ClickHouse.
// - Response headers: X-ClickHouse-Query-Id, X-ClickHouse-Format,
//   X-ClickHouse-Timezone, X-ClickHouse-Server-Display-Name,
//   X-ClickHouse-Summary (ClickHouse's JSON with numbers as strings),
//   Keep-Alive: timeout=N; on error X-ClickHouse-Exception-Code and the body
//   "Code: N. DB::Exception: ...\n" with ClickHouse's HTTP status for N.
// - Not supported: multipart/form-data bodies (external tables, params in the
//   body), sessions, progress headers.
//
// Thread-safety: handle() runs on every I/O thread at once; the Sink must be
// thread-safe (it is, by contract) and outlive the server.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "net/http_server.h"
#include "sinks/sink.h"

namespace otelhouse {

struct QueryHttpOptions {
  std::string display_name = "otelhouse";
  std::string timezone = "UTC";
  unsigned keep_alive_timeout_seconds = 10;
  int compression_level = 3;  // ClickHouse's http_zlib_compression_level default
  // Cap on a request body after decompression (INSERT data).
  size_t max_decompressed_bytes = 256 * 1024 * 1024;
};

// Returns true to let a query request in; otherwise it has filled `response`.
// `params` are the decoded URL parameters. Runs on the I/O threads.
using QueryAuthHook =
    std::function<bool(const HttpRequest& request, const HttpHeaders& params, HttpResponse& response)>;

class QueryHttpServer {
 public:
  QueryHttpServer(HttpServerConfig config, Sink& sink, QueryHttpOptions options = {});
  ~QueryHttpServer();

  // Set before start().
  void setAuthHook(QueryAuthHook hook) { auth_ = std::move(hook); }

  Status start();
  void stop();
  uint16_t port() const;

  // The whole request path without a socket; what the server calls.
  void handle(const HttpRequest& request, HttpResponse& response);

 private:
  HttpServerConfig config_;
  Sink& sink_;
  QueryHttpOptions options_;
  QueryAuthHook auth_;
  std::unique_ptr<HttpServer> server_;
};

}  // namespace otelhouse
