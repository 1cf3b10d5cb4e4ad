// ClickHouseHttpSink: a ClickHouse server's HTTP interface (http:// and
// https:// endpoints) as a Sink, over libcurl.
//
// Construct it from a parsed endpoint and the shared options:
//   ClickHouseHttpSink sink(parseClickHouseEndpoint(url).value(), options);
// Nothing is sent until the first call: a server that is down at start only
// makes calls fail with Status::unavailable until it comes up.
//
// Requests:
// - insert(): POST /?query=INSERT INTO `db`.`table` FORMAT Native&database=db
//   with the Native bytes as the body, compressed per options.compression
//   (Content-Encoding zstd / lz4 / gzip, or none); the dedup token goes in
//   insert_deduplication_token, async_insert=1&wait_for_async_insert=1 when
//   asked.
// - execute(), query(): POST the SQL as the body; query() asks for `format` with
//   default_format and wait_end_of_query=1, so an error in the middle of a
//   result comes back as an error status instead of a cut 200 body.
// - describe(): DESC TABLE `db`.`table` FORMAT TabSeparated.
// Credentials go in the X-ClickHouse-User / X-ClickHouse-Key headers, never in
// the URL (which curl may print). The endpoint's user / password / database
// override the options'.
//
// Server versions: the server's version is learned once (SELECT version())
// before the first insert. Settings and encodings the server predates are left
// out, since old servers refuse unknown settings: the dedup token before 22.2,
// async_insert before 21.11; zstd before 20.12 and lz4 before 22.1 fall back to
// gzip (logged once). Debian's 18.16 gets gzip and no token.
//
// Errors (the contract in clickhouse_endpoint.h): curl failures (refused,
// reset, timeout, TLS) and HTTP 5xx / 408 / 429 without a ClickHouse code ->
// Status::unavailable naming the endpoint and curl's message; a ClickHouse
// exception (X-ClickHouse-Exception-Code header or a "Code: N" body) ->
// Status::invalid whose message is the server's text normalised to
// "Code: N. DB::Exception: ..." (18.16 writes "Code: N, e.displayText() =
// DB::Exception: ..., e.what() = DB::Exception"), logged at warn. Other 4xx
// -> Status::invalid. Nothing throws. insert()'s verdict: no answer or a 5xx
// without a code -> retry later; an exception -> by its code
// (classifyClickHouseCode); another 4xx -> rejected.
//
// Connections: a pool of curl easy handles, one per concurrent request up to
// options.max_connections (further callers wait); each handle keeps its
// keep-alive connection between requests, and curl reconnects a handle whose
// connection the server closed (a restarted server costs no failed insert
// once it is back). Thread-safe: every method may be called concurrently.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "sinks/clickhouse_endpoint.h"
#include "sinks/sink.h"

namespace otelhouse {

class ClickHouseHttpSink final : public Sink {
 public:
  ClickHouseHttpSink(ClickHouseEndpoint endpoint, ServerSinkOptions options);
  ~ClickHouseHttpSink() override;
  ClickHouseHttpSink(const ClickHouseHttpSink&) = delete;
  ClickHouseHttpSink& operator=(const ClickHouseHttpSink&) = delete;

  InsertOutcome insert(std::string_view table, std::string_view native,
                std::string_view dedup_token) override;
  Status execute(std::string_view sql) override;
  Status query(std::string_view sql, std::string_view format, QueryResult* out) override;
  Result<std::vector<ColumnInfo>> describe(std::string_view table) override;

  // The server's version() ("18.16.1"), asked once and then remembered.
  Result<std::string> serverVersion();
  // TCP connections opened so far over all handles (curl's CURLINFO_NUM_CONNECTS
  // summed): with keep-alive it stays at the number of concurrent requests.
  uint64_t connectionsOpened() const { return connections_opened_.load(); }
  // The Content-Encoding inserts use against this server ("" for none), once
  // the version is known.
  std::string insertEncoding();
  const ClickHouseEndpoint& endpoint() const { return endpoint_; }

 private:
  struct Reply {
    long status = 0;
    std::string body;
    std::string exception_code;  // X-ClickHouse-Exception-Code
    std::string summary;         // X-ClickHouse-Summary
    int engine_code = 0;         // the exception's code; 0 when none
  };

  // POSTs body to /?<params>; maps failures per the contract above.
  Status post(const std::string& params, std::string_view body, std::string_view encoding,
              Reply* reply);
  Status ensureVersion();
  std::string baseParams() const;

  void* acquireHandle();
  void releaseHandle(void* handle);

  ClickHouseEndpoint endpoint_;
  ServerSinkOptions options_;
  std::string url_;  // scheme://host:port/
  std::string user_, password_, database_;

  std::mutex pool_mu_;
  std::condition_variable pool_cv_;
  std::vector<void*> idle_;  // CURL*
  size_t created_ = 0;
  size_t max_handles_ = 1;

  std::mutex version_mu_;
  std::string version_;
  std::atomic<int> version_number_{0};  // major * 1000 + minor; 0 unknown
  std::atomic<bool> fallback_logged_{false};
  std::atomic<bool> async_logged_{false};
  std::atomic<uint64_t> connections_opened_{0};
};

// Exposed for tests: the server's error text normalised so that it starts with
// "Code: N. " (18.16's ", e.displayText() = " form rewritten, its trailing
// ", e.what() = ..." and newlines dropped). `header_code` is the
// X-ClickHouse-Exception-Code value ("" when absent). Returns "" when neither
// carries a code.
std::string normaliseClickHouseException(std::string_view body, std::string_view header_code);

}  // namespace otelhouse
