// ChdbSink: the embedded ClickHouse engine (chDB), loaded with dlopen from
// libchdb.so (npm package @chdb/lib-linux-x64-gnu), storing in a local folder.
//
// One engine connection per process, opened by open() and closed by close()
// (or the destructor); chDB crashes at exit when a connection is left open,
// so main() closes it on every path. The engine runs one statement at a time
// per connection: every call takes the sink's mutex. Inserts stream Native
// blocks (chdb_stream_insert + append + done), matched to columns by name,
// so columns with defaults may be left out of a block. An insert's verdict
// comes from the code at the head of the engine's exception text (the C API
// gives no number): NOT_ENOUGH_SPACE and friends retry, bad data is rejected.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "sinks/sink.h"

namespace otelhouse {

struct ChdbApi;  // the dlsym'd entry points

class ChdbSink final : public Sink {
 public:
  // lib_path: libchdb.so; data_dir: the engine's --path (created if missing).
  static Result<std::unique_ptr<ChdbSink>> open(const std::string& lib_path,
                                                const std::string& data_dir,
                                                const std::string& database);
  ~ChdbSink() override;

  InsertOutcome insert(std::string_view table, std::string_view native,
                std::string_view dedup_token) override;
  Status execute(std::string_view sql) override;
  Status query(std::string_view sql, std::string_view format, QueryResult* out) override;
  Result<std::vector<ColumnInfo>> describe(std::string_view table) override;

  void close();

 private:
  ChdbSink() = default;
  Status queryLocked(std::string_view sql, std::string_view format, QueryResult* out);

  std::mutex mu_;
  std::unique_ptr<ChdbApi> api_;
  void* handle_ = nullptr;   // dlopen handle
  void** conn_ = nullptr;    // chdb_connection*
  std::string database_;
};

// Where libchdb.so is looked for when no path is configured: $OTELHOUSE_CHDB_LIB,
// then the copy the setup script installs beside the sources and the binary.
std::string defaultChdbLibPath(const std::string& exe_dir);

}  // namespace otelhouse
