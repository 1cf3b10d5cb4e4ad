#include "sinks/clickhouse_http_sink.h"

#include <curl/curl.h>

#include <cstdlib>
#include <cstring>
#include <mutex>

#include "compression/decompress.h"
#include "common/log.h"
#include "common/quoting.h"

namespace otelhouse {

namespace {

// Versions (major * 1000 + minor) that brought what older servers refuse.
constexpr int kZstdEncodingSince = 20012;     // Content-Encoding: zstd
constexpr int kLz4EncodingSince = 22001;      // Content-Encoding: lz4
constexpr int kAsyncInsertSince = 21011;      // async_insert, wait_for_async_insert
constexpr int kDedupTokenSince = 22002;       // insert_deduplication_token

void globalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}



// "18.16.1" -> 18016; 0 when unreadable.
int versionNumber(std::string_view v) {
  int major = 0, minor = 0;
  size_t i = 0;
  while (i < v.size() && v[i] >= '0' && v[i] <= '9') major = major * 10 + (v[i++] - '0');
  if (i == 0 || i >= v.size() || v[i] != '.') return 0;
  size_t j = ++i;
  while (i < v.size() && v[i] >= '0' && v[i] <= '9') minor = minor * 10 + (v[i++] - '0');
  if (i == j) return 0;
  return major * 1000 + minor;
}

size_t onBody(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

struct HeaderSink {
  std::string* exception_code;
  std::string* summary;
};

bool headerIs(std::string_view line, std::string_view name, std::string_view* value) {
  if (line.size() <= name.size() || line[name.size()] != ':') return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char a = line[i], b = name[i];
    if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
    if (b >= 'A' && b <= 'Z') b = static_cast<char>(b - 'A' + 'a');
    if (a != b) return false;
  }
  std::string_view v = line.substr(name.size() + 1);
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == ' ')) v.remove_suffix(1);
  *value = v;
  return true;
}

size_t onHeader(char* data, size_t size, size_t n, void* user) {
  auto* sink = static_cast<HeaderSink*>(user);
  std::string_view line(data, size * n);
  std::string_view value;
  if (headerIs(line, "X-ClickHouse-Exception-Code", &value)) {
    sink->exception_code->assign(value);
  } else if (headerIs(line, "X-ClickHouse-Summary", &value)) {
    sink->summary->assign(value);
  }
  return size * n;
}

// The number after "name":" in ClickHouse's summary JSON (numbers as strings).
uint64_t summaryField(const std::string& summary, const char* name) {
  std::string key = std::string("\"") + name + "\":\"";
  size_t at = summary.find(key);
  if (at == std::string::npos) return 0;
  return std::strtoull(summary.c_str() + at + key.size(), nullptr, 10);
}

// TabSeparated field unescaping (\t, \n, \\ and friends).
std::string unescapeTsv(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out += s[i];
      continue;
    }
    char c = s[++i];
    switch (c) {
      case 't': out += '\t'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case '0': out += '\0'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace

std::string normaliseClickHouseException(std::string_view body, std::string_view header_code) {
  std::string text(body);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
    text.pop_back();
  size_t at = text.find("Code: ");
  if (at == std::string::npos) {
    if (header_code.empty()) return {};
    return "Code: " + std::string(header_code) + ". DB::Exception: " + text;
  }
  text.erase(0, at);
  // 18.16: "Code: 60, e.displayText() = DB::Exception: ..., e.what() = DB::Exception"
  size_t digits = 6;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 6) {
    if (header_code.empty()) return {};
    return "Code: " + std::string(header_code) + ". DB::Exception: " + text;
  }
  static constexpr std::string_view kOld = ", e.displayText() = ";
  if (text.compare(digits, kOld.size(), kOld) == 0) {
    text.replace(digits, kOld.size(), ". ");
    size_t what = text.rfind(", e.what() = ");
    if (what != std::string::npos) text.erase(what);
  }
  return text;
}

ClickHouseHttpSink::ClickHouseHttpSink(ClickHouseEndpoint endpoint, ServerSinkOptions options)
    : endpoint_(std::move(endpoint)), options_(std::move(options)) {
  globalInit();
  user_ = endpoint_.user.empty() ? options_.user : endpoint_.user;
  password_ = endpoint_.password.empty() ? options_.password : endpoint_.password;
  database_ = endpoint_.database.empty() ? options_.database : endpoint_.database;
  if (database_.empty()) database_ = "default";
  uint16_t port = endpoint_.port ? endpoint_.port : (endpoint_.secure ? 8443 : 8123);
  std::string host = endpoint_.host;
  if (host.find(':') != std::string::npos && host.front() != '[') host = "[" + host + "]";
  url_ = std::string(endpoint_.secure ? "https://" : "http://") + host + ":" +
         std::to_string(port) + "/";
  max_handles_ = options_.max_connections ? options_.max_connections : 1;
}

ClickHouseHttpSink::~ClickHouseHttpSink() {
  std::lock_guard lock(pool_mu_);
  for (void* h : idle_) curl_easy_cleanup(static_cast<CURL*>(h));
  idle_.clear();
}

void* ClickHouseHttpSink::acquireHandle() {
  std::unique_lock lock(pool_mu_);
  pool_cv_.wait(lock, [&] { return !idle_.empty() || created_ < max_handles_; });
  if (!idle_.empty()) {
    void* h = idle_.back();
    idle_.pop_back();
    return h;
  }
  CURL* h = curl_easy_init();
  if (h) ++created_;
  return h;
}

void ClickHouseHttpSink::releaseHandle(void* handle) {
  {
    std::lock_guard lock(pool_mu_);
    idle_.push_back(handle);
  }
  pool_cv_.notify_one();
}

std::string ClickHouseHttpSink::baseParams() const { return "database=" + urlEncode(database_); }

Status ClickHouseHttpSink::post(const std::string& params, std::string_view body,
                                std::string_view encoding, Reply* reply) {
  // A line break would end the header early and smuggle in another one.
  if (user_.find_first_of("\r\n") != std::string::npos ||
      password_.find_first_of("\r\n") != std::string::npos)
    return Status::invalid("ClickHouse " + endpoint_.text + ": the user or password contains a line break");
  CURL* h = static_cast<CURL*>(acquireHandle());
  if (!h) return Status::unavailable("ClickHouse " + endpoint_.text + ": cannot create a curl handle");
  // reset() clears the options but keeps the handle's live connection.
  curl_easy_reset(h);
  std::string url = url_ + "?" + params;
  char error[CURL_ERROR_SIZE] = {0};
  HeaderSink headers{&reply->exception_code, &reply->summary};
  curl_slist* list = nullptr;
  std::string user_header = "X-ClickHouse-User: " + user_;
  std::string key_header = "X-ClickHouse-Key: " + password_;
  list = curl_slist_append(list, user_header.c_str());
  if (!password_.empty()) list = curl_slist_append(list, key_header.c_str());
  list = curl_slist_append(list, "Content-Type: application/octet-stream");
  // Not waiting for 100-continue saves a round trip per large insert.
  list = curl_slist_append(list, "Expect:");
  std::string encoding_header;
  if (!encoding.empty()) {
    encoding_header = "Content-Encoding: " + std::string(encoding);
    list = curl_slist_append(list, encoding_header.c_str());
  }
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_POST, 1L);
  // A null POSTFIELDS would make curl read the body from stdin.
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.empty() ? "" : body.data());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, onBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &reply->body);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, onHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &headers);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // signals and threads do not mix
  curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
  if (options_.connect_timeout_ms > 0)
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout_ms));
  if (options_.timeout_ms > 0)
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout_ms));
  if (endpoint_.secure) {
    if (!options_.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, options_.ca_file.c_str());
    if (options_.insecure_skip_verify) {
      curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    }
  }
  CURLcode rc = curl_easy_perform(h);
  long connects = 0;
  if (curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &connects) == CURLE_OK && connects > 0)
    connections_opened_ += static_cast<uint64_t>(connects);
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &reply->status);
  curl_slist_free_all(list);
  // The buffers the handle points at die with this frame.
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, nullptr);
  releaseHandle(h);

  if (rc != CURLE_OK) {
    std::string why = error[0] ? error : curl_easy_strerror(rc);
    return Status::unavailable("ClickHouse " + endpoint_.text + ": " + why);
  }
  if (reply->status == 200) return Status::ok();
  std::string text = normaliseClickHouseException(reply->body, reply->exception_code);
  if (!text.empty()) {
    reply->engine_code = leadingClickHouseCode(text);
    LOG_WARN("ClickHouse %s refused a request (HTTP %ld): %s", endpoint_.text.c_str(), reply->status,
             text.c_str());
    return Status::invalid(std::move(text));
  }
  std::string said = reply->body.substr(0, 512);
  while (!said.empty() && (said.back() == '\n' || said.back() == '\r')) said.pop_back();
  std::string message = "ClickHouse " + endpoint_.text + ": HTTP " + std::to_string(reply->status) +
                        (said.empty() ? "" : ": " + said);
  if (reply->status >= 500 || reply->status == 408 || reply->status == 429)
    return Status::unavailable(std::move(message));
  return Status::invalid(std::move(message));
}

Status ClickHouseHttpSink::ensureVersion() {
  if (version_number_.load() != 0) return Status::ok();
  Reply reply;
  Status st = post(baseParams(), "SELECT version()", "", &reply);
  if (!st.isOk()) return st;
  std::string v = reply.body;
  while (!v.empty() && (v.back() == '\n' || v.back() == '\r')) v.pop_back();
  int number = versionNumber(v);
  if (number == 0)
    return Status::unavailable("ClickHouse " + endpoint_.text + ": unreadable version '" +
                               v.substr(0, 64) + "'");
  {
    std::lock_guard lock(version_mu_);
    version_ = v;
  }
  if (version_number_.exchange(number) == 0)
    LOG_INFO("ClickHouse %s: server version %s", endpoint_.text.c_str(), v.c_str());
  return Status::ok();
}

Result<std::string> ClickHouseHttpSink::serverVersion() {
  if (Status st = ensureVersion(); !st.isOk()) return st;
  std::lock_guard lock(version_mu_);
  return version_;
}

std::string ClickHouseHttpSink::insertEncoding() {
  const int version = version_number_.load();
  std::string wanted;
  switch (options_.compression) {
    case ClickHouseCompression::kNone: return {};
    case ClickHouseCompression::kGzip: return "gzip";
    case ClickHouseCompression::kZstd: wanted = "zstd"; break;
    case ClickHouseCompression::kLz4: wanted = "lz4"; break;
  }
  const bool supported = wanted == "zstd" ? version >= kZstdEncodingSince
                                          : version >= kLz4EncodingSince && isSupportedEncoding("lz4");
  if (supported) return wanted;
  if (version != 0 && !fallback_logged_.exchange(true)) {
    LOG_WARN("ClickHouse %s (version %d.%d) does not take Content-Encoding %s; inserts use gzip",
             endpoint_.text.c_str(), version / 1000, version % 1000, wanted.c_str());
  }
  return "gzip";
}

InsertOutcome ClickHouseHttpSink::insert(std::string_view table, std::string_view native,
                                         std::string_view dedup_token) {
  if (Status st = ensureVersion(); !st.isOk()) {
    // Asking the version is about the server, not the batch: retried unless
    // the server's own code says otherwise (post() normalised the text).
    const int code = leadingClickHouseCode(st.message());
    return code > 0 ? InsertOutcome::fromEngineCode(std::move(st), code) : InsertOutcome::retryLater(std::move(st));
  }
  const int version = version_number_.load();
  std::string sql = "INSERT INTO " + quoteIdent(database_) + "." + quoteIdent(table) + " FORMAT Native";
  std::string params = "query=" + urlEncode(sql) + "&" + baseParams();
  if (!dedup_token.empty() && version >= kDedupTokenSince) {
    params += "&insert_deduplication_token=" + urlEncode(dedup_token);
    params += "&deduplicate_blocks_in_dependent_materialized_views=1";
  }
  if (options_.async_insert) {
    if (version >= kAsyncInsertSince) {
      params += "&async_insert=1&wait_for_async_insert=1";
    } else if (!async_logged_.exchange(true)) {
      LOG_WARN("ClickHouse %s predates async_insert; inserting synchronously", endpoint_.text.c_str());
    }
  }
  std::string encoding = insertEncoding();
  std::string packed;
  std::string_view body = native;
  if (!encoding.empty()) {
    Status st = compress(encoding, native, packed);
    if (!st.isOk())
      return InsertOutcome::rejected(
          Status::internal("compressing an insert with " + encoding + ": " + st.message()));
    body = packed;
  }
  Reply reply;
  Status st = post(params, body, encoding, &reply);
  if (st.isOk()) return InsertOutcome::ok();
  return InsertOutcome::fromEngineCode(std::move(st), reply.engine_code);
}

Status ClickHouseHttpSink::execute(std::string_view sql) {
  Reply reply;
  return post(baseParams(), sql, "", &reply);
}

Status ClickHouseHttpSink::query(std::string_view sql, std::string_view format, QueryResult* out) {
  std::string params = baseParams() + "&wait_end_of_query=1";
  if (!format.empty()) params += "&default_format=" + urlEncode(format);
  Reply reply;
  Status st = post(params, sql, "", &reply);
  if (!st.isOk()) return st;
  if (out) {
    out->data = std::move(reply.body);
    out->rows_read = summaryField(reply.summary, "read_rows");
    out->bytes_read = summaryField(reply.summary, "read_bytes");
    out->rows_written = summaryField(reply.summary, "written_rows");
    out->bytes_written = summaryField(reply.summary, "written_bytes");
    out->elapsed_seconds = static_cast<double>(summaryField(reply.summary, "elapsed_ns")) / 1e9;
  }
  return Status::ok();
}

Result<std::vector<ColumnInfo>> ClickHouseHttpSink::describe(std::string_view table) {
  QueryResult r;
  Status st = query("DESC TABLE " + quoteIdent(database_) + "." + quoteIdent(table) +
                        " FORMAT TabSeparated",
                    "TabSeparated", &r);
  if (!st.isOk()) return st;
  std::vector<ColumnInfo> cols;
  size_t pos = 0;
  while (pos < r.data.size()) {
    size_t eol = r.data.find('\n', pos);
    if (eol == std::string::npos) eol = r.data.size();
    std::string_view line(r.data.data() + pos, eol - pos);
    pos = eol + 1;
    // name, type, default_type, default_expression, ... (later versions add more)
    std::vector<std::string_view> fields;
    size_t start = 0;
    while (fields.size() < 3) {
      size_t tab = line.find('\t', start);
      fields.push_back(line.substr(start, tab == std::string_view::npos ? line.npos : tab - start));
      if (tab == std::string_view::npos) break;
      start = tab + 1;
    }
    if (fields.size() < 2 || fields[0].empty()) continue;
    cols.push_back({unescapeTsv(fields[0]), unescapeTsv(fields[1]),
                    fields.size() > 2 ? unescapeTsv(fields[2]) : std::string()});
  }
  return cols;
}

}  // namespace otelhouse
