// Sink: where Native blocks are stored. Two implementations share this
// contract: the embedded ClickHouse engine (chdb) and, later, a ClickHouse
// server (clickhouse_http).
//
// insert() takes a Native stream (one or more blocks with the same columns)
// and a deduplication token (empty for none); it returns only when the engine
// accepted or refused the whole batch, with the sink's verdict on a failure
// (sinks/insert_outcome.h: retry later or rejected for good). Every method is thread-safe; an
// implementation serializes what its engine cannot run concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "sinks/insert_outcome.h"

namespace otelhouse {

struct QueryResult {
  std::string data;       // the result in the requested format
  uint64_t rows_read = 0;
  uint64_t bytes_read = 0;
  uint64_t rows_written = 0;
  uint64_t bytes_written = 0;
  double elapsed_seconds = 0;
};

struct ColumnInfo {
  std::string name;
  std::string type;
  std::string default_kind;  // "", DEFAULT, MATERIALIZED, ALIAS, EPHEMERAL
};

class Sink {
 public:
  virtual ~Sink() = default;
  virtual InsertOutcome insert(std::string_view table, std::string_view native,
                               std::string_view dedup_token) = 0;
  virtual Status execute(std::string_view sql) = 0;
  // Runs sql; a FORMAT clause in sql wins over `format`. On failure the
  // status message is the engine's exception text ("Code: N. DB::Exception: ...").
  virtual Status query(std::string_view sql, std::string_view format, QueryResult* out) = 0;
  virtual Result<std::vector<ColumnInfo>> describe(std::string_view table) = 0;
};

}  // namespace otelhouse
