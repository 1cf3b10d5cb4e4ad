// `otelhouse query "SQL"`: through a running gateway's SQL endpoint when one
// answers, otherwise straight from the data folder with the embedded engine.
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "cli/commands.h"
#include "common/log.h"
#include "common/quoting.h"
#include "sinks/chdb_sink.h"

namespace otelhouse {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

struct Url {
  std::string host;
  std::string port;
};

bool parseUrl(const std::string& url, Url* out) {
  std::string rest = url;
  if (rest.rfind("http://", 0) == 0) rest = rest.substr(7);
  else if (rest.find("://") != std::string::npos) return false;
  if (size_t slash = rest.find('/'); slash != std::string::npos) rest = rest.substr(0, slash);
  size_t colon = rest.rfind(':');
  if (colon == std::string::npos) {
    out->host = rest;
    out->port = "8123";
  } else {
    out->host = rest.substr(0, colon);
    out->port = rest.substr(colon + 1);
  }
  return !out->host.empty();
}


// Returns -1 when nothing answers at the URL (so the caller may fall back),
// else the exit code.
int viaHttp(const Url& url, const std::string& sql, const std::string& format, bool quiet_connect) {
  boost::system::error_code ec;
  boost::asio::io_context ioc;
  tcp::resolver resolver(ioc);
  auto endpoints = resolver.resolve(url.host, url.port, ec);
  if (ec) {
    if (!quiet_connect) fprintf(stderr, "otelhouse query: cannot resolve %s: %s\n", url.host.c_str(), ec.message().c_str());
    return quiet_connect ? -1 : 1;
  }
  beast::tcp_stream stream(ioc);
  stream.expires_after(std::chrono::seconds(2));
  stream.connect(endpoints, ec);
  if (ec) {
    if (!quiet_connect) fprintf(stderr, "otelhouse query: cannot connect to %s:%s: %s\n", url.host.c_str(), url.port.c_str(), ec.message().c_str());
    return quiet_connect ? -1 : 1;
  }
  http::request<http::string_body> req{http::verb::post, "/?default_format=" + urlEncode(format), 11};
  req.set(http::field::host, url.host);
  req.set(http::field::user_agent, "otelhouse-query");
  // A gateway with query.user / query.password set wants them (never logged).
  if (const char* user = getenv("OTELHOUSE_QUERY_USER"); user && *user) {
    req.set("X-ClickHouse-User", user);
    if (const char* key = getenv("OTELHOUSE_QUERY_PASSWORD")) req.set("X-ClickHouse-Key", key);
  }
  req.body() = sql;
  req.prepare_payload();
  stream.expires_after(std::chrono::minutes(10));
  http::write(stream, req, ec);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  if (!ec) http::read(stream, buffer, parser, ec);
  if (ec) {
    fprintf(stderr, "otelhouse query: %s:%s: %s\n", url.host.c_str(), url.port.c_str(), ec.message().c_str());
    return 1;
  }
  auto& res = parser.get();
  if (res.result() != http::status::ok) {
    fprintf(stderr, "%s", res.body().c_str());
    if (!res.body().empty() && res.body().back() != '\n') fputc('\n', stderr);
    return 1;
  }
  fwrite(res.body().data(), 1, res.body().size(), stdout);
  return 0;
}

int direct(const std::string& data_dir, const std::string& lib, const std::string& sql,
           const std::string& format) {
  auto sink = ChdbSink::open(lib, data_dir, "default");
  if (!sink.isOk()) {
    fprintf(stderr, "otelhouse query: %s\n", sink.status().message().c_str());
    return 1;
  }
  QueryResult r;
  Status st = sink.value()->query(sql, format, &r);
  sink.value()->close();
  if (!st.isOk()) {
    fprintf(stderr, "%s\n", st.message().c_str());
    return 1;
  }
  fwrite(r.data.data(), 1, r.data.size(), stdout);
  return 0;
}

}  // namespace

int queryCommand(std::vector<std::string> args, const std::string& exe_dir) {
  std::string url, data_dir, sql, format = "TabSeparated", lib;
  bool data_dir_given = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](const char* flag, std::string* out) {
      std::string f = std::string("--") + flag;
      if (a == f && i + 1 < args.size()) {
        *out = args[++i];
        return true;
      }
      if (a.rfind(f + "=", 0) == 0) {
        *out = a.substr(f.size() + 1);
        return true;
      }
      return false;
    };
    if (value("query-url", &url) || value("format", &format) || value("chdb-lib", &lib)) continue;
    if (value("data-dir", &data_dir)) {
      data_dir_given = true;
      continue;
    }
    if (a.rfind("--", 0) == 0) {
      fprintf(stderr, "otelhouse query: unknown flag %s\n", a.c_str());
      return 2;
    }
    if (!sql.empty()) {
      fprintf(stderr, "otelhouse query: give the SQL as one argument (quote it)\n");
      return 2;
    }
    sql = a;
  }
  if (sql.empty()) {
    fprintf(stderr, "otelhouse query: missing SQL, e.g. otelhouse query \"SELECT count() FROM otel_logs\"\n");
    return 2;
  }
  if (lib.empty()) lib = defaultChdbLibPath(exe_dir);
  Url u;
  if (!url.empty()) {
    if (!parseUrl(url, &u)) {
      fprintf(stderr, "otelhouse query: bad --query-url %s (want http://HOST:PORT)\n", url.c_str());
      return 2;
    }
    return viaHttp(u, sql, format, false);
  }
  if (!data_dir_given) {
    parseUrl("http://127.0.0.1:8123", &u);
    int rc = viaHttp(u, sql, format, true);
    if (rc >= 0) return rc;
    data_dir = "./otelhouse-data";
  }
  return direct(data_dir, lib, sql, format);
}

}  // namespace otelhouse
