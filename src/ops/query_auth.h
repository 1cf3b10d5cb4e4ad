// QueryAuth: the optional login of the :8123 SQL endpoint (query.user,
// query.password), checked the ways ClickHouse's HTTP interface accepts
// credentials, first found wins: HTTP basic auth (Authorization: Basic),
// the X-ClickHouse-User / X-ClickHouse-Key headers, the user / password URL
// parameters. A missing user is "default", a missing password empty, as in
// ClickHouse. A configured password with no user logs in as "default".
//
// Refused: ClickHouse's "Code: 516. DB::Exception: <user>: Authentication
// failed: password is incorrect, or there is no user with such name.
// (AUTHENTICATION_FAILED)" with its HTTP status (403) and
// X-ClickHouse-Exception-Code. User and password are compared in constant
// time and never logged; refusals count in otelhouse_query_auth_failures_total.
//
// Thread-safety: immutable after construction; check() from any thread.
#pragma once

#include <string>

#include "net/http_server.h"
#include "ops/metrics_registry.h"
#include "query/query_http.h"

namespace otelhouse {

class QueryAuth {
 public:
  QueryAuth(std::string user, std::string password, MetricsRegistry* metrics = nullptr);

  // Off when neither a user nor a password is configured.
  bool enabled() const { return enabled_; }
  bool check(const HttpRequest& request, const HttpHeaders& params, HttpResponse& response) const;
  QueryAuthHook hook() const;

 private:
  std::string user_;
  std::string password_;
  bool enabled_ = false;
  Counter* failures_ = nullptr;
};

// RFC 4648 base64 (padding optional); false on a character outside the alphabet.
bool decodeBase64(std::string_view in, std::string* out);

}  // namespace otelhouse
