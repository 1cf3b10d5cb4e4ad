#include "sinks/chdb_sink.h"

#include <dlfcn.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "common/log.h"
#include "common/quoting.h"

namespace otelhouse {

// The subset of chDB's C API we use. chdb_connection is a pointer to an
// opaque struct; chdb_connect returns a pointer to one.
struct ChdbApi {
  void** (*connect)(int, char**);
  void (*close_conn)(void**);
  void* (*query_n)(void*, const char*, size_t, const char*, size_t);
  char* (*result_buffer)(void*);
  size_t (*result_length)(void*);
  const char* (*result_error)(void*);
  double (*result_elapsed)(void*);
  uint64_t (*result_rows_read)(void*);
  uint64_t (*result_bytes_read)(void*);
  uint64_t (*result_rows_written)(void*);
  uint64_t (*result_bytes_written)(void*);
  void (*destroy_result)(void*);
  void* (*stream_insert_n)(void*, const char*, size_t, const char*, size_t);
  int (*stream_append)(void*, const char*, size_t);
  void* (*stream_done)(void*);
  const char* (*stream_insert_error)(void*);
  void (*destroy_insert_stream)(void*);
};

namespace {

template <class F>
bool bind(void* handle, const char* name, F* fn, std::string* missing) {
  void* sym = dlsym(handle, name);
  if (!sym) {
    *missing = name;
    return false;
  }
  *fn = reinterpret_cast<F>(sym);
  return true;
}

bool fileExists(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}


}  // namespace

std::string defaultChdbLibPath(const std::string& exe_dir) {
  if (const char* env = getenv("OTELHOUSE_CHDB_LIB"); env && *env) return env;
  const char* rel = "third_party/chdb/node_modules/@chdb/lib-linux-x64-gnu/libchdb.so";
  const std::string candidates[] = {
      std::string(OTELHOUSE_SOURCE_DIR) + "/" + rel,
      exe_dir + "/../" + rel,
      exe_dir + "/libchdb.so",
      "/usr/local/lib/libchdb.so",
  };
  for (auto& c : candidates)
    if (fileExists(c)) return c;
  return candidates[0];
}

Result<std::unique_ptr<ChdbSink>> ChdbSink::open(const std::string& lib_path,
                                                 const std::string& data_dir,
                                                 const std::string& database) {
  std::unique_ptr<ChdbSink> sink(new ChdbSink());
  sink->database_ = database;
  sink->handle_ = dlopen(lib_path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!sink->handle_) {
    const char* err = dlerror();
    return Status::unavailable("cannot load the embedded engine from " + lib_path + ": " +
                               (err ? err : "unknown error") +
                               " (run scripts/setup.sh, or set --chdb-lib / OTELHOUSE_CHDB_LIB)");
  }
  auto api = std::make_unique<ChdbApi>();
  std::string missing;
  void* h = sink->handle_;
  bool ok = bind(h, "chdb_connect", &api->connect, &missing) &&
            bind(h, "chdb_close_conn", &api->close_conn, &missing) &&
            bind(h, "chdb_query_n", &api->query_n, &missing) &&
            bind(h, "chdb_result_buffer", &api->result_buffer, &missing) &&
            bind(h, "chdb_result_length", &api->result_length, &missing) &&
            bind(h, "chdb_result_error", &api->result_error, &missing) &&
            bind(h, "chdb_result_elapsed", &api->result_elapsed, &missing) &&
            bind(h, "chdb_result_rows_read", &api->result_rows_read, &missing) &&
            bind(h, "chdb_result_bytes_read", &api->result_bytes_read, &missing) &&
            bind(h, "chdb_result_rows_written", &api->result_rows_written, &missing) &&
            bind(h, "chdb_result_bytes_written", &api->result_bytes_written, &missing) &&
            bind(h, "chdb_destroy_query_result", &api->destroy_result, &missing) &&
            bind(h, "chdb_stream_insert_n", &api->stream_insert_n, &missing) &&
            bind(h, "chdb_stream_append", &api->stream_append, &missing) &&
            bind(h, "chdb_stream_done", &api->stream_done, &missing) &&
            bind(h, "chdb_stream_insert_error", &api->stream_insert_error, &missing) &&
            bind(h, "chdb_destroy_insert_stream", &api->destroy_insert_stream, &missing);
  if (!ok) return Status::unavailable(lib_path + " lacks " + missing + " (wrong chDB version?)");
  sink->api_ = std::move(api);

  ::mkdir(data_dir.c_str(), 0755);
  std::string path_arg = "--path=" + data_dir;
  std::string prog = "otelhouse";
  char* argv[] = {prog.data(), path_arg.data()};
  sink->conn_ = sink->api_->connect(2, argv);
  if (!sink->conn_ || !*sink->conn_)
    return Status::unavailable("the embedded engine could not open " + data_dir +
                               " (is another otelhouse using it?)");
  return sink;
}

ChdbSink::~ChdbSink() { close(); }

void ChdbSink::close() {
  std::lock_guard lock(mu_);
  if (conn_) {
    api_->close_conn(conn_);
    conn_ = nullptr;
  }
  // The library stays loaded: its static destructors run at exit.
}

Status ChdbSink::queryLocked(std::string_view sql, std::string_view format, QueryResult* out) {
  if (!conn_) return Status::unavailable("the embedded engine is closed");
  std::string fmt(format.empty() ? "TabSeparated" : format);
  void* r = api_->query_n(*conn_, sql.data(), sql.size(), fmt.data(), fmt.size());
  if (!r) return Status::internal("the embedded engine returned no result");
  Status st;
  if (const char* err = api_->result_error(r); err && *err) {
    st = Status::invalid(err);
  } else if (out) {
    const char* buf = api_->result_buffer(r);
    out->data.assign(buf ? buf : "", buf ? api_->result_length(r) : 0);
    out->rows_read = api_->result_rows_read(r);
    out->bytes_read = api_->result_bytes_read(r);
    out->rows_written = api_->result_rows_written(r);
    out->bytes_written = api_->result_bytes_written(r);
    out->elapsed_seconds = api_->result_elapsed(r);
  }
  api_->destroy_result(r);
  return st;
}

Status ChdbSink::execute(std::string_view sql) {
  std::lock_guard lock(mu_);
  return queryLocked(sql, "TabSeparated", nullptr);
}

Status ChdbSink::query(std::string_view sql, std::string_view format, QueryResult* out) {
  std::lock_guard lock(mu_);
  return queryLocked(sql, format, out);
}

InsertOutcome ChdbSink::insert(std::string_view table, std::string_view native,
                               std::string_view dedup_token) {
  std::string sql = "INSERT INTO " + quoteIdent(database_) + "." + quoteIdent(table);
  if (!dedup_token.empty())
    sql += " SETTINGS insert_deduplication_token = " + quoteString(dedup_token) +
           ", deduplicate_blocks_in_dependent_materialized_views = 1";
  std::lock_guard lock(mu_);
  if (!conn_) return InsertOutcome::retryLater(Status::unavailable("the embedded engine is closed"));
  void* stream = api_->stream_insert_n(*conn_, sql.data(), sql.size(), "Native", 6);
  if (!stream)
    return InsertOutcome::retryLater(Status::internal("the embedded engine returned no insert stream"));
  Status st;
  if (const char* err = api_->stream_insert_error(stream); err && *err) {
    st = Status::invalid(err);
  } else if (api_->stream_append(stream, native.data(), native.size()) != 0) {
    const char* e2 = api_->stream_insert_error(stream);
    st = Status::invalid(e2 && *e2 ? e2 : "the embedded engine refused the data");
  }
  // done() both finishes a good insert and releases a failed one.
  void* r = api_->stream_done(stream);
  if (r) {
    if (const char* err = api_->result_error(r); st.isOk() && err && *err) st = Status::invalid(err);
    api_->destroy_result(r);
  }
  if (const char* err = api_->stream_insert_error(stream); st.isOk() && err && *err)
    st = Status::invalid(err);
  api_->destroy_insert_stream(stream);
  if (st.isOk()) return InsertOutcome::ok();
  // chDB's C API hands over the exception as text only; its code is the
  // first thing in it.
  const int code = leadingClickHouseCode(st.message());
  if (code == 0) return InsertOutcome::retryLater(std::move(st));  // no exception: the engine's own trouble
  return InsertOutcome::fromEngineCode(std::move(st), code);
}

Result<std::vector<ColumnInfo>> ChdbSink::describe(std::string_view table) {
  QueryResult r;
  Status st = query("SELECT name, type, default_kind FROM system.columns WHERE database = " +
                        quoteString(database_) + " AND table = " + quoteString(table) +
                        " ORDER BY position",
                    "TabSeparated", &r);
  if (!st.isOk()) return st;
  std::vector<ColumnInfo> cols;
  size_t pos = 0;
  while (pos < r.data.size()) {
    size_t eol = r.data.find('\n', pos);
    if (eol == std::string::npos) eol = r.data.size();
    std::string_view line(r.data.data() + pos, eol - pos);
    pos = eol + 1;
    size_t t1 = line.find('\t');
    size_t t2 = line.find('\t', t1 + 1);
    if (t1 == std::string_view::npos || t2 == std::string_view::npos) continue;
    cols.push_back({std::string(line.substr(0, t1)), std::string(line.substr(t1 + 1, t2 - t1 - 1)),
                    std::string(line.substr(t2 + 1))});
  }
  return cols;
}

}  // namespace otelhouse
