#include "ops/query_auth.h"

#include "ops/api_keys.h"
#include "query/clickhouse_error.h"

namespace otelhouse {

bool decodeBase64(std::string_view in, std::string* out) {
  out->clear();
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '+') v = 62;
    else if (c == '/') v = 63;
    else if (c == '=') break;
    else return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return true;
}

QueryAuth::QueryAuth(std::string user, std::string password, MetricsRegistry* metrics)
    : QueryAuth(QueryLogins{std::move(user), std::move(password), {}, {}, nullptr}, metrics) {}

QueryAuth::QueryAuth(QueryLogins logins, MetricsRegistry* metrics) : logins_(std::move(logins)) {
  enabled_ = !logins_.user.empty() || !logins_.password.empty();
  if (logins_.user.empty()) logins_.user = "default";
  writer_ = !logins_.writer_password.empty();
  if (logins_.writer_user.empty()) logins_.writer_user = "writer";
  if (metrics)
    failures_ = &metrics->counter("otelhouse_query_auth_failures_total",
                                  "SQL endpoint requests refused for a wrong user or password.");
}

QueryRole QueryAuth::check(const HttpRequest& request, const HttpHeaders& params,
                           HttpResponse& response) const {
  std::string user, password;
  bool found = false;
  std::string_view authorization = request.header("Authorization");
  if (authorization.size() > 6 &&
      (authorization.substr(0, 6) == "Basic " || authorization.substr(0, 6) == "basic ")) {
    std::string decoded;
    if (decodeBase64(authorization.substr(6), &decoded)) {
      const size_t colon = decoded.find(':');
      user = decoded.substr(0, colon);
      password = colon == std::string::npos ? "" : decoded.substr(colon + 1);
      found = true;
    }
  }
  if (!found && (request.hasHeader("X-ClickHouse-User") || request.hasHeader("X-ClickHouse-Key"))) {
    user = request.header("X-ClickHouse-User");
    password = request.header("X-ClickHouse-Key");
    found = true;
  }
  if (!found) {
    for (const auto& [k, v] : params) {
      if (k == "user") user = v;
      if (k == "password") password = v;
    }
  }
  if (user.empty()) user = "default";
  // Every login compared, whatever the first gives, so the timing tells nothing.
  const bool reader_user = constantTimeEquals(user, logins_.user);
  const bool reader_password = constantTimeEquals(password, logins_.password);
  const bool writer_user = constantTimeEquals(user, logins_.writer_user);
  const bool writer_password = constantTimeEquals(password, logins_.writer_password);
  if (writer_ && writer_user && writer_password) return QueryRole::kWriter;
  if (reader_user && reader_password) return QueryRole::kReader;
  if (!password.empty() && logins_.api_keys && logins_.api_keys->enabled() &&
      logins_.api_keys->check(password, "query").isOk()) {
    return QueryRole::kWriter;
  }

  if (failures_) failures_->inc();
  constexpr int kAuthenticationFailed = 516;
  response.status = httpStatusForExceptionCode(kAuthenticationFailed);
  response.setHeader("Content-Type", "text/plain; charset=UTF-8");
  response.setHeader("X-ClickHouse-Exception-Code", std::to_string(kAuthenticationFailed));
  // The user name is echoed (as ClickHouse does); the password never is.
  response.body = formatException(kAuthenticationFailed, "AUTHENTICATION_FAILED",
                                  user + ": Authentication failed: password is incorrect, or "
                                         "there is no user with such name") +
                  "\n";
  return QueryRole::kRefused;
}

QueryAuthHook QueryAuth::hook() const {
  return [this](const HttpRequest& request, const HttpHeaders& params, HttpResponse& response) {
    return check(request, params, response);
  };
}

}  // namespace otelhouse
