#include "query/query_http.h"

#include <chrono>
#include <cstdio>
#include <random>

#include "compression/decompress.h"
#include "query/clickhouse_error.h"
#include "query/insert_statement.h"
#include "query/multipart.h"
#include "query/sql_text.h"

namespace otelhouse {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string makeUuid() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t hi = rng(), lo = rng();
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // RFC 4122 variant
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%08x-%04x-%04x-%04x-%012llx",
                static_cast<unsigned>(hi >> 32), static_cast<unsigned>((hi >> 16) & 0xffff),
                static_cast<unsigned>(hi & 0xffff), static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return buf;
}

// ClickHouse's output formats' Content-Type.
std::string contentTypeFor(std::string_view format) {
  std::string f = lower(format);
  auto starts = [&](std::string_view p) { return f.compare(0, p.size(), p) == 0; };
  if (starts("json") || starts("ndjson")) return "application/json; charset=UTF-8";
  if (starts("tabseparated") || starts("tsv")) return "text/tab-separated-values; charset=UTF-8";
  if (starts("csv")) {
    bool names = f.find("withnames") != std::string::npos;
    return std::string("text/csv; charset=UTF-8; header=") + (names ? "present" : "absent");
  }
  if (f == "xml") return "application/xml; charset=UTF-8";
  if (starts("native") || starts("rowbinary") || f == "parquet" || starts("arrow") ||
      f == "orc" || f == "avro" || f == "protobuf" || f == "msgpack" || f == "capnproto") {
    return "application/octet-stream";
  }
  return "text/plain; charset=UTF-8";
}

// ClickHouse prefers zstd, then gzip, then deflate among what we can make.
std::string chooseResponseEncoding(std::string_view accept) {
  std::string a = lower(accept);
  if (a.find("zstd") != std::string::npos) return "zstd";
  if (a.find("gzip") != std::string::npos) return "gzip";
  if (a.find("deflate") != std::string::npos) return "deflate";
  return {};
}

bool isTrue(std::string_view v) { return v == "1" || v == "true" || v == "True"; }

// URL parameters that belong to the HTTP interface, not to the engine.
bool isHttpParameter(std::string_view k) {
  static constexpr std::string_view kNames[] = {
      "query", "query_id", "default_format", "database", "user", "password", "quota_key",
      "session_id", "session_timeout", "session_check", "compress", "decompress",
      "enable_http_compression", "add_http_cors_header", "wait_end_of_query",
      "send_progress_in_http_headers", "cancel_http_readonly_queries_on_client_close",
      "buffer_size", "role", "stacktrace", "client_protocol_version",
      "insert_deduplication_token"};
  for (auto n : kNames) {
    if (k == n) return true;
  }
  return k.substr(0, 5) == "http_" || k.substr(0, 6) == "param_";
}

bool isReadOnlyStatement(const std::string& keyword) {
  return keyword == "SELECT" || keyword == "WITH" || keyword == "SHOW" || keyword == "DESC" ||
         keyword == "DESCRIBE" || keyword == "EXISTS" || keyword == "EXPLAIN";
}

std::string summaryJson(const QueryResult& r, uint64_t elapsed_ns) {
  auto field = [](std::string& out, const char* name, uint64_t v) {
    out += '"';
    out += name;
    out += "\":\"";
    out += std::to_string(v);
    out += '"';
  };
  std::string out = "{";
  field(out, "read_rows", r.rows_read);
  out += ',';
  field(out, "read_bytes", r.bytes_read);
  out += ',';
  field(out, "written_rows", r.rows_written);
  out += ',';
  field(out, "written_bytes", r.bytes_written);
  out += ',';
  field(out, "total_rows_to_read", 0);
  out += ',';
  field(out, "result_rows", 0);
  out += ',';
  field(out, "result_bytes", 0);
  out += ',';
  field(out, "elapsed_ns", elapsed_ns);
  out += '}';
  return out;
}

const char* kNoHandle =
    "\n\nUse / or /ping for health checks.\n"
    "Or /replicas_status for more sophisticated health checks.\n\n"
    "Send queries from your program with POST method or GET /?query=...\n";

}  // namespace

QueryHttpServer::QueryHttpServer(HttpServerConfig config, Sink& sink, QueryHttpOptions options)
    : config_(std::move(config)),
      sink_(sink),
      options_(std::move(options)),
      gate_(options_.engine_table_functions) {}

QueryHttpServer::~QueryHttpServer() { stop(); }

Status QueryHttpServer::start() {
  HttpServerConfig server = config_;
  if (server.name == "http") server.name = "query_http";
  server.keep_alive_header_seconds = options_.keep_alive_timeout_seconds;
  // Never close a pooled socket before the time we advertised.
  auto advertised = std::chrono::seconds(options_.keep_alive_timeout_seconds + 1);
  if (server.idle_timeout < advertised) server.idle_timeout = advertised;
  server_ = std::make_unique<HttpServer>(
      server, [this](const HttpRequest& req, HttpResponse& resp) { handle(req, resp); });
  return server_->start();
}

void QueryHttpServer::stop() {
  if (server_) server_->stop();
}

uint16_t QueryHttpServer::port() const { return server_ ? server_->port() : 0; }

void QueryHttpServer::handle(const HttpRequest& request, HttpResponse& response) {
  auto started = std::chrono::steady_clock::now();
  HttpHeaders params = parseQueryString(request.query);
  auto param = [&](std::string_view name) -> const std::string* {
    const std::string* found = nullptr;
    for (const auto& [k, v] : params) {
      if (k == name) found = &v;
    }
    return found;
  };

  // CORS only for configured origins, echoed back, never `*`: a page from any
  // other origin gets no header and the browser withholds the answer.
  const std::string_view origin = request.header("Origin");
  bool origin_allowed = false;
  for (const auto& o : options_.cors_origins) {
    if (!origin.empty() && origin == o) origin_allowed = true;
  }
  if (origin_allowed) {
    response.setHeader("Access-Control-Allow-Origin", std::string(origin));
    response.setHeader("Vary", "Origin");
  }

  if (request.method == "OPTIONS") {
    if (!origin.empty() && !origin_allowed) {
      response.status = 403;
      response.setHeader("Content-Type", "text/plain; charset=UTF-8");
      response.body = "CORS: origin not allowed (query.cors_origins)\n";
      return;
    }
    response.status = 204;
    response.setHeader("Access-Control-Allow-Methods", "POST, GET, OPTIONS");
    response.setHeader("Access-Control-Allow-Headers",
                       "origin, x-requested-with, x-clickhouse-format, x-clickhouse-user, "
                       "x-clickhouse-key, x-clickhouse-database, Authorization, "
                       "Content-Type, Content-Encoding, Accept-Encoding");
    response.setHeader("Access-Control-Max-Age", "86400");
    return;
  }

  const std::string* query_param = param("query");
  bool is_get = request.method == "GET" || request.method == "HEAD";
  auto ok = [&](void) {
    response.status = 200;
    response.setHeader("Content-Type", "text/html; charset=UTF-8");
    response.body = "Ok.\n";
  };
  if (request.path == "/ping" || request.path == "/replicas_status") {
    if (!is_get) {
      response.status = 405;
      response.setHeader("Content-Type", "text/plain; charset=UTF-8");
      response.setHeader("Allow", "GET, HEAD");
      response.body = "Method not allowed\n";
      return;
    }
    return ok();
  }
  if (request.path != "/" && !request.path.empty()) {
    response.status = 404;
    response.setHeader("Content-Type", "text/plain; charset=UTF-8");
    response.body = "There is no handle " + request.path + kNoHandle;
    return;
  }
  if (!is_get && request.method != "POST") {
    response.status = 405;
    response.setHeader("Content-Type", "text/plain; charset=UTF-8");
    response.setHeader("Allow", "GET, POST, OPTIONS");
    response.body = "Method not allowed\n";
    return;
  }
  if (is_get && !query_param) return ok();
  QueryRole role = QueryRole::kReader;
  if (auth_) {
    role = auth_(request, params, response);
    if (role == QueryRole::kRefused) return;
  }

  // From here on every answer carries ClickHouse's query headers.
  std::string query_id;
  if (const auto* v = param("query_id"); v && !v->empty()) {
    query_id = *v;
  } else {
    query_id = makeUuid();
  }
  std::string default_format = "TabSeparated";
  if (auto h = request.header("X-ClickHouse-Format"); !h.empty()) default_format = h;
  if (const auto* v = param("default_format"); v && !v->empty()) default_format = *v;

  std::string response_encoding;
  if (const auto* v = param("enable_http_compression"); v && isTrue(*v)) {
    response_encoding = chooseResponseEncoding(request.header("Accept-Encoding"));
  }

  std::string reported_format = default_format;
  auto finish = [&](int status, std::string body, const std::string& content_type) {
    response.status = status;
    response.setHeader("X-ClickHouse-Query-Id", query_id);
    response.setHeader("X-ClickHouse-Format", reported_format);
    response.setHeader("X-ClickHouse-Timezone", options_.timezone);
    response.setHeader("X-ClickHouse-Server-Display-Name", options_.display_name);
    response.setHeader("Content-Type", content_type);
    if (!response_encoding.empty() && !body.empty()) {
      std::string packed;
      if (compress(response_encoding, body, packed, options_.compression_level).isOk()) {
        body = std::move(packed);
        response.setHeader("Content-Encoding", response_encoding);
      }
    }
    response.body = std::move(body);
  };
  auto fail = [&](int code, const std::string& text) {
    response.setHeader("X-ClickHouse-Exception-Code", std::to_string(code));
    finish(httpStatusForExceptionCode(code), text + "\n", "text/plain; charset=UTF-8");
  };

  std::string database;
  if (auto h = request.header("X-ClickHouse-Database"); !h.empty()) database = h;
  if (const auto* v = param("database"); v && !v->empty()) database = *v;
  if (!database.empty() && database != "default") {
    return fail(ch_error::kUnknownDatabase,
                formatException(ch_error::kUnknownDatabase, "UNKNOWN_DATABASE",
                                "Database " + database + " does not exist"));
  }

  // The body, decompressed per Content-Encoding.
  std::string inflated;
  std::string_view body;
  if (!is_get && !request.body.empty()) {
    body = request.body;
    std::string_view encoding = request.header("Content-Encoding");
    if (!isIdentityEncoding(encoding)) {
      Status st = decompress(encoding, request.body, options_.max_decompressed_bytes, inflated);
      if (!st.isOk()) {
        if (st.code() == Code::kTooLarge) {
          return fail(ch_error::kQueryIsTooLarge,
                      formatException(ch_error::kQueryIsTooLarge, "QUERY_IS_TOO_LARGE",
                                      st.message()));
        }
        if (st.code() == Code::kUnsupported) {
          return fail(ch_error::kNotImplemented,
                      formatException(ch_error::kNotImplemented, "NOT_IMPLEMENTED",
                                      "Unknown Content-Encoding '" + std::string(encoding) +
                                          "'. Supported: gzip, deflate, zstd, lz4"));
        }
        return fail(ch_error::kBadArguments,
                    formatException(ch_error::kBadArguments, "BAD_ARGUMENTS", st.message()));
      }
      body = inflated;
    }
  }

  // A multipart body carries the query and bind parameters as parts.
  std::string multipart_query;
  QueryParams multipart_params;
  bool multipart = false;
  if (!body.empty()) {
    std::string_view content_type = request.header("Content-Type");
    if (auto boundary = multipartBoundary(content_type); !boundary.empty()) {
      multipart = true;
      std::vector<MultipartPart> parts;
      if (Status st = parseMultipart(body, boundary, &parts); !st.isOk()) {
        return fail(ch_error::kBadArguments,
                    formatException(ch_error::kBadArguments, "BAD_ARGUMENTS", st.message()));
      }
      for (auto& part : parts) {
        if (part.name == "query") {
          multipart_query = std::string(part.body);
        } else if (part.name.size() > 6 && part.name.compare(0, 6, "param_") == 0) {
          multipart_params.emplace_back(part.name.substr(6), std::string(part.body));
        } else {
          return fail(ch_error::kNotImplemented,
                      formatException(ch_error::kNotImplemented, "NOT_IMPLEMENTED",
                                      "multipart part '" + part.name +
                                          "' (external tables) is not supported"));
        }
      }
      body = multipart_query;
    }
  }

  // Settings from the URL: harmless ones go to the engine, widening ones are
  // refused as a readonly ClickHouse user's would be.
  std::vector<std::pair<std::string, std::string>> settings;
  for (const auto& [k, v] : params) {
    if (isHttpParameter(k)) continue;
    if (isWideningSetting(k, v)) {
      return fail(ch_error::kReadonly,
                  formatException(ch_error::kReadonly, "READONLY",
                                  "Cannot modify '" + k +
                                      "' setting in readonly mode: the SQL endpoint is read-only"));
    }
    if (isClientSetting(k)) settings.emplace_back(k, v);
  }

  // INSERT ... FORMAT Native in ?query= with the blocks in the body: the bytes
  // go to the sink's streaming insert as they are, never through SQL text.
  InsertStatement insert;
  if (!is_get && !multipart && query_param && parseInsertStatement(*query_param, &insert) &&
      lower(insert.format) == "native") {
    reported_format = insert.format;
    if (role != QueryRole::kWriter) {
      return fail(ch_error::kReadonly,
                  formatException(ch_error::kReadonly, "READONLY",
                                  "Cannot execute query in readonly mode: INSERT needs the "
                                  "writer login (query.writer_user) or an ingestion API key"));
    }
    if (!insert.database.empty() && insert.database != "default") {
      return fail(ch_error::kUnknownDatabase,
                  formatException(ch_error::kUnknownDatabase, "UNKNOWN_DATABASE",
                                  "Database " + insert.database + " does not exist"));
    }
    std::string token;
    for (const auto& [k, v] : insert.settings) {
      if (k == "insert_deduplication_token") token = v;
    }
    if (const auto* v = param("insert_deduplication_token")) token = *v;
    QueryResult written;
    if (!body.empty()) {
      Status st;
      try {
        st = sink_.insert(insert.table, body, token);
      } catch (const std::exception& e) {
        st = Status::internal(std::string("insert failed: ") + e.what());
      } catch (...) {
        st = Status::internal("insert failed");
      }
      if (!st.isOk()) {
        ExceptionText ex = exceptionFromStatus(st);
        std::string text = std::move(ex.text);
        while (!text.empty() && text.back() == '\n') text.pop_back();
        return fail(ex.code, text);
      }
      written.bytes_written = body.size();
    }
    uint64_t elapsed_ns = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                                    std::chrono::steady_clock::now() - started)
                                                    .count());
    response.setHeader("X-ClickHouse-Summary", summaryJson(written, elapsed_ns));
    return finish(200, std::string(), "text/plain; charset=UTF-8");
  }

  // The SQL: the query parameter, then the body after a newline.
  std::string sql = query_param ? *query_param : std::string();
  if (!body.empty()) {
    if (!sql.empty()) sql += '\n';
    sql.append(body);
  }

  std::string keyword = firstKeyword(sql);
  if (keyword.empty() && sql.find_first_not_of(" \t\r\n;") == std::string::npos) {
    return fail(ch_error::kSyntaxError,
                formatException(ch_error::kSyntaxError, "SYNTAX_ERROR", "Empty query"));
  }
  if (is_get && !isReadOnlyStatement(keyword)) {
    return fail(ch_error::kReadonly,
                formatException(ch_error::kReadonly, "READONLY",
                                "Cannot execute query in readonly mode. For queries over HTTP, "
                                "method GET implies readonly. You should use method POST for "
                                "modifying queries"));
  }

  QueryParams query_params;
  for (const auto& [k, v] : params) {
    if (k.size() > 6 && k.compare(0, 6, "param_") == 0) query_params.emplace_back(k.substr(6), v);
  }
  for (auto& p : multipart_params) query_params.push_back(std::move(p));
  if (!query_params.empty() || sql.find('{') != std::string::npos) {
    auto substituted = substituteQueryParameters(sql, query_params);
    if (!substituted.isOk()) {
      const std::string& text = substituted.status().message();
      return fail(parseExceptionCode(text), text);
    }
    sql = std::move(substituted.value());
  }

  if (std::string clause = trailingFormat(sql); !clause.empty()) reported_format = clause;

  auto gated = gate_.rewrite(
      sql, settings,
      role == QueryRole::kWriter ? QueryGate::Mode::kWriter : QueryGate::Mode::kReader);
  if (!gated.isOk()) {
    const std::string& text = gated.status().message();
    return fail(parseExceptionCode(text), text);
  }
  sql = std::move(gated.value());

  QueryResult result;
  Status st;
  try {
    st = sink_.query(sql, default_format, &result);
  } catch (const std::exception& e) {
    st = Status::internal(std::string("query failed: ") + e.what());
  } catch (...) {
    st = Status::internal("query failed");
  }
  if (!st.isOk()) {
    ExceptionText ex = exceptionFromStatus(st);
    std::string text = std::move(ex.text);
    while (!text.empty() && text.back() == '\n') text.pop_back();
    return fail(ex.code, text);
  }

  uint64_t elapsed_ns = static_cast<uint64_t>(result.elapsed_seconds * 1e9);
  if (elapsed_ns == 0) {
    elapsed_ns = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                           std::chrono::steady_clock::now() - started)
                                           .count());
  }
  response.setHeader("X-ClickHouse-Summary", summaryJson(result, elapsed_ns));
  finish(200, std::move(result.data), contentTypeFor(reported_format));
}

}  // namespace otelhouse
