// ClickHouseNativeSink: a ClickHouse server over the native TCP protocol
// (tcp:// and clickhouse:// endpoints, ?secure=true for TLS) as a Sink.
//
// Construct it from a parsed endpoint and the shared options:
//   auto ep = parseClickHouseEndpoint("tcp://host:9000");
//   auto sink = std::make_unique<ClickHouseNativeSink>(ep.value(), options);
// Nothing is sent until the first call: a server that is down at start only
// makes calls fail with Status::unavailable until it comes up.
//
// insert(table, native, token):
// - the Native stream (revision 0, one or more blocks) is split into blocks by
//   reading its structure (clickhouse/native_block.h); a stream that does not
//   parse is Status::invalid (the batch is bad, not the server);
// - the table's insertable columns come from DESC TABLE (remembered per table,
//   forgotten after a failed insert so a changed table is re-read); the INSERT
//   names the batch's columns the table has, in table order, and blocks are
//   sent as they are with those columns only, each as one Data packet (block
//   info prefixed, compressed per options.compression: zstd, lz4, or none;
//   gzip means none on this protocol). Columns the table lacks are dropped;
//   a column whose type differs from the table's fails with Status::invalid
//   naming it, except for LowCardinality wrappers: a String column for a
//   LowCardinality(String) one is dictionary-encoded here (18.16 cannot
//   convert it); nested ones (Map(LowCardinality(String), ...)) are left to
//   the server, which converts them from 19.x on (untested here: 18.16 has no
//   Map) and otherwise answers with its exception;
// - settings only where the server knows them: insert_deduplication_token
//   from 22.2, async_insert (+ wait_for_async_insert=1) from 21.11.
// execute() runs a statement; query() supports format "Native" only (the
// native protocol returns blocks; other formats need the HTTP sink) and
// returns the result as a revision-0 Native stream; describe() reads DESC TABLE.
//
// Errors follow clickhouse_endpoint.h: network, timeouts, protocol errors ->
// Status::unavailable; a server exception -> Status::invalid("Code: N. ...").
// insert()'s verdict (sinks/insert_outcome.h): unavailable -> retry later; a
// server exception -> by its code; a batch that is not Native or does not fit
// the table -> rejected.
//
// Connections: a pool of up to options.max_connections keep-alive sessions;
// callers beyond it wait (up to the timeout). A broken session is dropped and
// the next call opens a new one; a pooled session found dead before anything
// was written (the server restarted) is replaced once transparently.
// Thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "sinks/clickhouse_endpoint.h"
#include "sinks/sink.h"

namespace otelhouse {

namespace clickhouse {
class NativeConnection;
struct ConnectionOptions;
struct NativeBlock;
}  // namespace clickhouse

struct NativeSinkStats {
  uint64_t inserts = 0;
  uint64_t blocks = 0;
  uint64_t rows = 0;
  uint64_t bytes_sent = 0;  // Native bytes before compression
  uint64_t columns_dropped = 0;
  uint64_t connections_opened = 0;
  uint64_t errors = 0;
};

class ClickHouseNativeSink final : public Sink {
 public:
  ClickHouseNativeSink(ClickHouseEndpoint endpoint, ServerSinkOptions options);
  ~ClickHouseNativeSink() override;
  ClickHouseNativeSink(const ClickHouseNativeSink&) = delete;
  ClickHouseNativeSink& operator=(const ClickHouseNativeSink&) = delete;

  InsertOutcome insert(std::string_view table, std::string_view native,
                std::string_view dedup_token) override;
  Status execute(std::string_view sql) override;
  Status query(std::string_view sql, std::string_view format, QueryResult* out) override;
  Result<std::vector<ColumnInfo>> describe(std::string_view table) override;

  // Opens (or reuses) a session and pings it.
  Status ping();
  // The server's Hello of the last session opened: "name major.minor.patch rev N".
  std::string serverDescription() const;
  uint64_t negotiatedRevision() const { return revision_.load(); }
  NativeSinkStats stats() const;
  const ClickHouseEndpoint& endpoint() const { return endpoint_; }

 private:
  using Connection = clickhouse::NativeConnection;
  Result<std::unique_ptr<Connection>> acquire(bool* reused);
  void release(std::unique_ptr<Connection> c);
  Status insertOnce(Connection& c, std::string_view table,
                    const std::vector<clickhouse::NativeBlock>& blocks,
                    std::string_view dedup_token, bool* nothing_sent);
  Result<std::vector<ColumnInfo>> tableColumns(Connection& c, std::string_view table);
  Result<std::vector<ColumnInfo>> describeOn(Connection& c, std::string_view table);

  ClickHouseEndpoint endpoint_;
  ServerSinkOptions options_;
  std::unique_ptr<clickhouse::ConnectionOptions> conn_options_;
  std::string database_;

  std::mutex pool_mu_;
  std::condition_variable pool_cv_;
  std::vector<std::unique_ptr<Connection>> idle_;
  size_t open_ = 0;  // idle + handed out

  std::mutex tables_mu_;
  std::map<std::string, std::vector<ColumnInfo>, std::less<>> tables_;

  mutable std::mutex info_mu_;
  std::string server_description_;
  std::atomic<uint64_t> revision_{0};

  std::atomic<uint64_t> inserts_{0}, blocks_{0}, rows_{0}, bytes_sent_{0}, columns_dropped_{0},
      connections_opened_{0}, errors_{0};
};

}  // namespace otelhouse
