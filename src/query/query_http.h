// QueryHttpServer: a ClickHouse-compatible HTTP interface (:8123) over a
// Sink's query(), so ClickHouse clients (the official JS client, curl, the
// ClickStack UI) can read the embedded store as if it were a ClickHouse server.
//
// What it speaks (ClickHouse docs, "HTTP interface"):
// - GET /?query=SQL or POST / with the SQL in the body, or ?query= plus a
//   body appended after a newline. Every statement passes the QueryGate
//   (query_gate.h: one read statement, allowed table functions only, no
//   widening settings) and runs with readonly=2 appended, whoever sends it.
// - multipart/form-data POST bodies (what ClickHouse clients send once bind
//   parameters pass a few KiB): a `query` part (appended to ?query= after a
//   newline, as a plain body would be) and `param_<name>` parts, which are
//   bind parameters like the URL's; other parts (external tables) are
//   NOT_IMPLEMENTED 48. Request bodies
//   may be Content-Encoding gzip / deflate / zstd / lz4 (another encoding:
//   NOT_IMPLEMENTED 48 / 501).
// - POST /?query=INSERT INTO [default.]t [(cols)] [SETTINGS ...] FORMAT Native
//   by the writer login only (QueryRole::kWriter; everyone else gets READONLY
//   164), with Native blocks in the body (what ClickHouseHttpSink sends): the body,
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
//   compresses the response, errors included). Settings a client may change
//   (isClientSetting: max_execution_time, date_time_output_format,
//   output_format_*...) go into the statement's SETTINGS; settings that
//   widen access (readonly, allow_*, paths) are READONLY 164; everything else
//   (user, password, session_id, role, wait_end_of_query, ...) is accepted
//   and ignored; credentials
//   (user / password, Authorization, X-ClickHouse-User/Key) are the auth
//   hook's (ops/query_auth.h), which runs on query requests only: /ping,
//   /replicas_status, OPTIONS and a bare GET / stay open, as in ClickHouse.
// - Response headers: X-ClickHouse-Query-Id, X-ClickHouse-Format,
//   X-ClickHouse-Timezone, X-ClickHouse-Server-Display-Name,
//   X-ClickHouse-Summary (ClickHouse's JSON with numbers as strings),
//   Keep-Alive: timeout=N; on error X-ClickHouse-Exception-Code and the body
//   "Code: N. DB::Exception: ...\n" with ClickHouse's HTTP status for N.
// - CORS: only for the origins in QueryHttpOptions::cors_origins (none by
//   default). A request whose Origin is listed gets that origin back in
//   Access-Control-Allow-Origin (never `*`), with or without
//   add_http_cors_header; any other origin gets no CORS header, so the
//   browser keeps the answer from the page; a preflight from it gets 403.
// - Not supported: external tables, sessions, progress headers.
//
// Thread-safety: handle() runs on every I/O thread at once; the Sink must be
// thread-safe (it is, by contract) and outlive the server.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <vector>

#include "common/status.h"
#include "net/http_server.h"
#include "query/query_gate.h"
#include "sinks/sink.h"

namespace otelhouse {

struct QueryHttpOptions {
  std::string display_name = "otelhouse";
  std::string timezone = "UTC";
  unsigned keep_alive_timeout_seconds = 10;
  int compression_level = 3;  // ClickHouse's http_zlib_compression_level default
  // Cap on a request body after decompression (INSERT data).
  size_t max_decompressed_bytes = 256 * 1024 * 1024;
  // Origins (scheme://host[:port], exact match) whose pages may call the
  // endpoint from a browser; empty: no CORS at all.
  std::vector<std::string> cors_origins;
  // The engine's table function names (system.table_functions), for the gate.
  std::vector<std::string> engine_table_functions;
};

// Who is asking. kReader runs gated reads; kWriter may also INSERT ... FORMAT
// Native. kRefused: the hook has filled the response.
enum class QueryRole { kRefused, kReader, kWriter };

// Decides the caller's role; on kRefused it has filled `response`. Without a
// hook every caller is a reader. `params` are the decoded URL parameters.
// Runs on the I/O threads.
using QueryAuthHook = std::function<QueryRole(const HttpRequest& request, const HttpHeaders& params,
                                              HttpResponse& response)>;

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
  QueryGate gate_;
  std::unique_ptr<HttpServer> server_;
};

}  // namespace otelhouse
