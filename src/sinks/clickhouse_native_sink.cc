#include "sinks/clickhouse_native_sink.h"

#include <chrono>
#include <unordered_map>

#include "clickhouse/native_block.h"
#include "clickhouse/native_connection.h"
#include "common/log.h"
#include "common/quoting.h"

namespace otelhouse {
namespace {

using clickhouse::NativeBlock;
using clickhouse::NativeColumn;
using clickhouse::OwnedBlock;


bool insertable(const ColumnInfo& c) {
  return c.default_kind != "MATERIALIZED" && c.default_kind != "ALIAS" &&
         c.default_kind != "EPHEMERAL";
}

const NativeColumn* findColumn(const NativeBlock& b, std::string_view name) {
  for (const NativeColumn& c : b.columns) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

}  // namespace

ClickHouseNativeSink::ClickHouseNativeSink(ClickHouseEndpoint endpoint, ServerSinkOptions options)
    : endpoint_(std::move(endpoint)),
      options_(std::move(options)),
      conn_options_(std::make_unique<clickhouse::ConnectionOptions>()) {
  clickhouse::ConnectionOptions& o = *conn_options_;
  o.host = endpoint_.host;
  o.port = endpoint_.port != 0 ? endpoint_.port : (endpoint_.secure ? 9440 : 9000);
  o.tls.enabled = endpoint_.secure;
  o.tls.ca_file = options_.ca_file;
  o.tls.skip_verify = options_.insecure_skip_verify;
  o.user = endpoint_.user.empty() ? options_.user : endpoint_.user;
  o.password = endpoint_.password.empty() ? options_.password : endpoint_.password;
  database_ = endpoint_.database.empty() ? options_.database : endpoint_.database;
  o.database = database_;
  o.connect_timeout_ms = options_.connect_timeout_ms;
  o.timeout_ms = options_.timeout_ms;
  switch (options_.compression) {
    case ClickHouseCompression::kZstd:
      o.compress = true;
      o.method = clickhouse::FrameMethod::kZstd;
      break;
    case ClickHouseCompression::kLz4:
      o.compress = true;
      o.method = clickhouse::FrameMethod::kLz4;
      break;
    case ClickHouseCompression::kGzip:  // no gzip frames on this protocol
    case ClickHouseCompression::kNone:
      o.compress = false;
      break;
  }
  if (options_.max_connections == 0) options_.max_connections = 1;
}

ClickHouseNativeSink::~ClickHouseNativeSink() = default;

Result<std::unique_ptr<clickhouse::NativeConnection>> ClickHouseNativeSink::acquire(bool* reused) {
  std::unique_lock lock(pool_mu_);
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::milliseconds(options_.timeout_ms + options_.connect_timeout_ms);
  for (;;) {
    if (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      *reused = true;
      return c;
    }
    if (open_ < options_.max_connections) break;
    if (pool_cv_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
        open_ >= options_.max_connections) {
      return Status::unavailable("all " + std::to_string(options_.max_connections) +
                                 " connections to " + endpoint_.text + " are busy");
    }
  }
  ++open_;
  lock.unlock();
  *reused = false;
  auto c = clickhouse::NativeConnection::connect(*conn_options_);
  if (!c.isOk()) {
    {
      std::lock_guard relock(pool_mu_);
      --open_;
    }
    pool_cv_.notify_one();
    Status st = c.status();
    if (st.code() == Code::kUnavailable) {
      return Status::unavailable(endpoint_.text + ": " + st.message());
    }
    return st;  // the server refused the login: its exception
  }
  connections_opened_++;
  const clickhouse::ServerInfo& s = c.value()->server();
  revision_ = c.value()->revision();
  {
    std::lock_guard info(info_mu_);
    server_description_ = s.name + " " + std::to_string(s.version_major) + "." +
                          std::to_string(s.version_minor) + "." + std::to_string(s.version_patch) +
                          " revision " + std::to_string(s.revision);
  }
  return std::move(c.value());
}

void ClickHouseNativeSink::release(std::unique_ptr<Connection> c) {
  {
    std::lock_guard lock(pool_mu_);
    if (c && !c->broken()) {
      idle_.push_back(std::move(c));
    } else {
      --open_;
    }
  }
  pool_cv_.notify_one();
}

std::string ClickHouseNativeSink::serverDescription() const {
  std::lock_guard lock(info_mu_);
  return server_description_;
}

NativeSinkStats ClickHouseNativeSink::stats() const {
  NativeSinkStats s;
  s.inserts = inserts_;
  s.blocks = blocks_;
  s.rows = rows_;
  s.bytes_sent = bytes_sent_;
  s.columns_dropped = columns_dropped_;
  s.connections_opened = connections_opened_;
  s.errors = errors_;
  return s;
}

Status ClickHouseNativeSink::ping() {
  bool reused = false;
  auto c = acquire(&reused);
  if (!c.isOk()) return c.status();
  Status st = c.value()->ping();
  if (!st.isOk() && reused) {
    release(std::move(c.value()));
    c = acquire(&reused);
    if (!c.isOk()) return c.status();
    st = c.value()->ping();
  }
  release(std::move(c.value()));
  return st;
}

Result<std::vector<ColumnInfo>> ClickHouseNativeSink::tableColumns(Connection& c, std::string_view table) {
  {
    std::lock_guard lock(tables_mu_);
    auto it = tables_.find(table);
    if (it != tables_.end()) return it->second;
  }
  // On the caller's session: taking a second one from the pool could wait
  // forever for callers that each hold one.
  auto cols = describeOn(c, table);
  if (!cols.isOk()) return cols;
  std::lock_guard lock(tables_mu_);
  tables_[std::string(table)] = cols.value();
  return cols;
}

InsertOutcome ClickHouseNativeSink::insert(std::string_view table, std::string_view native,
                                           std::string_view dedup_token) {
  std::vector<NativeBlock> blocks;
  Status st = clickhouse::splitNativeStream(native, &blocks);
  if (!st.isOk()) {
    errors_++;
    return InsertOutcome::rejected(
        Status::invalid("batch for " + std::string(table) + " is not valid Native: " + st.message()));
  }
  if (blocks.empty()) return InsertOutcome::ok();
  for (int attempt = 0;; ++attempt) {
    bool reused = false;
    auto c = acquire(&reused);
    if (!c.isOk()) {
      errors_++;
      // A refused login carries the server's exception; its code decides.
      const Status& why = c.status();
      return InsertOutcome::fromEngineCode(why, leadingClickHouseCode(why.message()));
    }
    bool nothing_sent = false;
    st = insertOnce(*c.value(), table, blocks, dedup_token, &nothing_sent);
    const int engine_code = st.isOk() ? 0 : c.value()->lastExceptionCode();
    release(std::move(c.value()));
    if (st.isOk()) {
      inserts_++;
      return InsertOutcome::ok();
    }
    // A pooled session the server closed meanwhile (restart, idle timeout):
    // nothing reached the table, so one retry on a fresh session is safe.
    if (reused && nothing_sent && st.code() == Code::kUnavailable && attempt == 0) continue;
    errors_++;
    if (st.code() == Code::kInvalidArgument) {
      // The server's own words, for whoever reads the dead letters' cause.
      LOG_WARN("ClickHouse %s refused an insert into %s: %s", endpoint_.text.c_str(),
               std::string(table).c_str(), st.message().c_str());
      std::lock_guard lock(tables_mu_);
      tables_.erase(std::string(table));
    }
    return InsertOutcome::fromEngineCode(std::move(st), engine_code);
  }
}

Status ClickHouseNativeSink::insertOnce(Connection& c, std::string_view table,
                                        const std::vector<clickhouse::NativeBlock>& blocks,
                                        std::string_view dedup_token, bool* nothing_sent) {
  *nothing_sent = true;
  Status st;
  auto table_cols = tableColumns(c, table);
  if (!table_cols.isOk()) {
    // DESC failed before anything was inserted.
    return table_cols.status();
  }
  // The batch's columns the table has, in the table's order.
  const NativeBlock& first = blocks.front();
  std::vector<std::string_view> names;
  for (const ColumnInfo& col : table_cols.value()) {
    if (insertable(col) && findColumn(first, col.name) != nullptr) names.push_back(findColumn(first, col.name)->name);
  }
  if (names.empty()) {
    return Status::invalid("table " + database_ + "." + std::string(table) +
                           " has none of the batch's columns");
  }
  size_t dropped = first.columns.size() - names.size();
  std::string sql = "INSERT INTO " + quoteIdent(database_) + "." + quoteIdent(table) + " (";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) sql += ", ";
    sql += quoteIdent(names[i]);
  }
  sql += ") VALUES";
  clickhouse::QuerySettings settings;
  const clickhouse::ServerInfo& server = c.server();
  if (!dedup_token.empty() && server.atLeast(22, 2)) {
    settings.emplace_back("insert_deduplication_token", std::string(dedup_token));
  }
  if (options_.async_insert && server.atLeast(21, 11)) {
    settings.emplace_back("async_insert", "1");
    settings.emplace_back("wait_for_async_insert", "1");
  }
  OwnedBlock header;
  st = c.beginInsert(sql, settings, &header);
  if (!st.isOk()) return st;
  *nothing_sent = false;
  // The server's header is the authority on types.
  std::vector<NativeColumn> want;
  for (const NativeColumn& h : header.block.columns) {
    const NativeColumn* ours = findColumn(first, h.name);
    if (ours == nullptr) continue;  // the server fills its default
    if (ours->type != h.type &&
        clickhouse::withoutLowCardinality(ours->type) != clickhouse::withoutLowCardinality(h.type)) {
      (void)c.endInsert();  // nothing sent: ends the query without rows
      return Status::invalid("column " + std::string(h.name) + " of " + database_ + "." +
                             std::string(table) + " is " + std::string(h.type) +
                             " on the server, the batch has " + std::string(ours->type));
    }
    want.push_back(h);
  }
  uint64_t rows = 0;
  uint64_t bytes = 0;
  std::vector<NativeColumn> cols;
  std::vector<std::string> encoded(want.size());
  for (const NativeBlock& b : blocks) {
    if (b.rows == 0) continue;  // nothing to store; an empty Data packet would end the insert
    cols.clear();
    for (size_t i = 0; i < want.size(); ++i) {
      const NativeColumn& w = want[i];
      const NativeColumn* col = findColumn(b, w.name);
      if (col == nullptr) {
        (void)c.endInsert();
        return Status::invalid("Native batch: column " + std::string(w.name) +
                               " is in the first block but not in a later one");
      }
      NativeColumn send = *col;
      if (w.type == "LowCardinality(String)" && col->type == "String" && b.rows > 0) {
        // Old servers (18.16) cannot convert this one on insert; the others
        // could, but the dictionary encoding is cheap and smaller on the wire.
        encoded[i].clear();
        st = clickhouse::encodeLowCardinalityString(col->data, b.rows, &encoded[i]);
        if (!st.isOk()) {
          (void)c.endInsert();
          return Status::invalid("Native batch: column " + std::string(w.name) + ": " + st.message());
        }
        send.type = w.type;
        send.data = encoded[i];
      }
      cols.push_back(send);
      bytes += send.data.size();
    }
    st = c.sendBlock(b.rows, cols);
    if (!st.isOk()) return st;
    rows += b.rows;
  }
  st = c.endInsert();
  if (!st.isOk()) return st;
  blocks_ += blocks.size();
  rows_ += rows;
  bytes_sent_ += bytes;
  if (dropped > 0) columns_dropped_ += dropped;
  return Status::ok();
}

Status ClickHouseNativeSink::execute(std::string_view sql) {
  for (int attempt = 0;; ++attempt) {
    bool reused = false;
    auto c = acquire(&reused);
    if (!c.isOk()) return c.status();
    Status st = c.value()->query(sql, {}, nullptr);
    bool retry = reused && attempt == 0 && st.code() == Code::kUnavailable;
    release(std::move(c.value()));
    if (!retry) return st;
  }
}

Status ClickHouseNativeSink::query(std::string_view sql, std::string_view format, QueryResult* out) {
  if (!format.empty() && format != "Native") {
    return Status::unsupported("the native protocol sink returns Native only, not " + std::string(format));
  }
  std::vector<OwnedBlock> blocks;
  for (int attempt = 0;; ++attempt) {
    blocks.clear();
    bool reused = false;
    auto c = acquire(&reused);
    if (!c.isOk()) return c.status();
    Status st = c.value()->query(sql, {}, &blocks);
    bool retry = reused && attempt == 0 && st.code() == Code::kUnavailable;
    release(std::move(c.value()));
    if (retry) continue;
    if (!st.isOk()) return st;
    break;
  }
  out->data.clear();
  for (const OwnedBlock& b : blocks) {
    if (b.block.rows == 0) continue;  // the header block before the rows
    clickhouse::putBlock(out->data, b.block.rows, b.block.columns);
    out->rows_read += b.block.rows;
  }
  return Status::ok();
}

Result<std::vector<ColumnInfo>> ClickHouseNativeSink::describe(std::string_view table) {
  for (int attempt = 0;; ++attempt) {
    bool reused = false;
    auto c = acquire(&reused);
    if (!c.isOk()) return c.status();
    auto cols = describeOn(*c.value(), table);
    bool retry = reused && attempt == 0 && cols.status().code() == Code::kUnavailable;
    release(std::move(c.value()));
    if (!retry) return cols;
  }
}

Result<std::vector<ColumnInfo>> ClickHouseNativeSink::describeOn(Connection& c, std::string_view table) {
  std::vector<OwnedBlock> blocks;
  Status st = c.query("DESC TABLE " + quoteIdent(database_) + "." + quoteIdent(table), {}, &blocks);
  if (!st.isOk()) return st;
  std::vector<ColumnInfo> out;
  for (const OwnedBlock& b : blocks) {
    if (b.block.rows == 0) continue;
    std::vector<std::string> names, types, kinds;
    for (const NativeColumn& col : b.block.columns) {
      if (col.name == "name") st = clickhouse::decodeStrings(col, b.block.rows, &names);
      else if (col.name == "type") st = clickhouse::decodeStrings(col, b.block.rows, &types);
      else if (col.name == "default_type") st = clickhouse::decodeStrings(col, b.block.rows, &kinds);
      if (!st.isOk()) return Status::unavailable("unexpected DESC TABLE result: " + st.message());
    }
    if (names.size() != b.block.rows || types.size() != b.block.rows) {
      return Status::unavailable("DESC TABLE result lacks name or type");
    }
    for (size_t i = 0; i < names.size(); ++i) {
      out.push_back({names[i], types[i], i < kinds.size() ? kinds[i] : ""});
    }
  }
  return out;
}

}  // namespace otelhouse
