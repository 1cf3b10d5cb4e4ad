#include "sinks/clickhouse_endpoint.h"

#include <cctype>
#include <charconv>
#include <string_view>

namespace otelhouse {
namespace {

// %XX and '+' in a URL query value.
std::string unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      unsigned v = 0;
      auto r = std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
      if (r.ec == std::errc() && r.ptr == s.data() + i + 3) {
        out.push_back(static_cast<char>(v));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i] == '+' ? ' ' : s[i]);
  }
  return out;
}

// The endpoint for messages: a password in the user part or the query is masked.
std::string redacted(std::string_view text) {
  std::string out(text);
  const size_t scheme = out.find("://");
  const size_t host_start = scheme == std::string::npos ? 0 : scheme + 3;
  const size_t at = out.find('@', host_start);
  const size_t path = out.find_first_of("/?", host_start);
  if (at != std::string::npos && (path == std::string::npos || at < path)) {
    const size_t colon = out.find(':', host_start);
    if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
  }
  for (size_t p = out.find("password="); p != std::string::npos; p = out.find("password=", p + 1)) {
    const size_t v = p + 9;
    const size_t end = out.find('&', v);
    out.replace(v, (end == std::string::npos ? out.size() : end) - v, "***");
  }
  return out;
}

bool isTrue(std::string_view v) { return v == "true" || v == "1" || v == "TRUE" || v == "True"; }

}  // namespace

Result<ClickHouseEndpoint> parseClickHouseEndpoint(const std::string& input) {
  std::string_view text(input);
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  if (text.empty()) return Status::invalid("empty ClickHouse endpoint");
  const std::string shown = redacted(text);
  ClickHouseEndpoint ep;
  std::string_view rest = text;
  std::string scheme = "tcp";  // ClickStack: an endpoint without a scheme is native
  if (size_t p = rest.find("://"); p != std::string_view::npos) {
    scheme.assign(rest.substr(0, p));
    rest.remove_prefix(p + 3);
  }
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  uint16_t default_port = 0;
  if (scheme == "http") {
    ep.protocol = ClickHouseProtocol::kHttp;
  } else if (scheme == "https") {
    ep.protocol = ClickHouseProtocol::kHttp;
    ep.secure = true;
  } else if (scheme == "tcp" || scheme == "clickhouse") {
    ep.protocol = ClickHouseProtocol::kNative;
  } else if (scheme == "tcps" || scheme == "tls") {
    ep.protocol = ClickHouseProtocol::kNative;
    ep.secure = true;
  } else {
    return Status::invalid("ClickHouse endpoint '" + shown + "': unsupported scheme '" + scheme +
                           "' (use http, https, tcp, clickhouse, tcps or tls)");
  }
  std::string_view query;
  if (size_t q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  if (size_t slash = rest.find('/'); slash != std::string_view::npos) {
    std::string_view path = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    if (!path.empty() && path.find('/') == std::string_view::npos && ep.protocol == ClickHouseProtocol::kNative)
      ep.database = unescape(path);  // clickhouse-go: tcp://host:9000/db
  }
  if (size_t at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = rest.substr(0, at);
    rest.remove_prefix(at + 1);
    size_t colon = userinfo.find(':');
    ep.user = unescape(userinfo.substr(0, colon));
    if (colon != std::string_view::npos) ep.password = unescape(userinfo.substr(colon + 1));
  }
  std::string_view host = rest, port;
  if (!rest.empty() && rest.front() == '[') {  // [ipv6]:port
    size_t close = rest.find(']');
    if (close == std::string_view::npos) return Status::invalid("ClickHouse endpoint '" + shown + "': unclosed '['");
    host = rest.substr(1, close - 1);
    std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return Status::invalid("ClickHouse endpoint '" + shown + "': bad port");
      port = after.substr(1);
    }
  } else if (size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  }
  if (host.empty()) return Status::invalid("ClickHouse endpoint '" + shown + "': no host");
  ep.host.assign(host);
  bool secure_param = false;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view kv = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    size_t eq = kv.find('=');
    std::string key(kv.substr(0, eq));
    std::string value = eq == std::string_view::npos ? "" : unescape(kv.substr(eq + 1));
    if (key == "secure") secure_param = isTrue(value);
    else if (key == "database") ep.database = value;
    else if (key == "username" || key == "user") ep.user = value;
    else if (key == "password") ep.password = value;
    // Other parameters (compress, dial_timeout, ...) are the sink options'.
  }
  if (secure_param) ep.secure = true;
  if (ep.protocol == ClickHouseProtocol::kHttp) default_port = ep.secure ? 8443 : 8123;
  else default_port = ep.secure ? 9440 : 9000;
  if (port.empty()) {
    ep.port = default_port;
  } else {
    unsigned v = 0;
    auto r = std::from_chars(port.data(), port.data() + port.size(), v);
    if (r.ec != std::errc() || r.ptr != port.data() + port.size() || v == 0 || v > 65535)
      return Status::invalid("ClickHouse endpoint '" + shown + "': bad port '" + std::string(port) + "'");
    ep.port = static_cast<uint16_t>(v);
  }
  const char* shown_scheme = ep.protocol == ClickHouseProtocol::kHttp ? (ep.secure ? "https" : "http")
                                                                       : (ep.secure ? "tcps" : "tcp");
  const bool v6 = ep.host.find(':') != std::string::npos;
  ep.text = std::string(shown_scheme) + "://" + (v6 ? "[" + ep.host + "]" : ep.host) + ":" + std::to_string(ep.port);
  return ep;
}

Result<std::vector<ClickHouseEndpoint>> parseClickHouseEndpoints(const std::string& text) {
  std::vector<ClickHouseEndpoint> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string one = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (one.find_first_not_of(" \t") != std::string::npos) {
      auto ep = parseClickHouseEndpoint(one);
      if (!ep.isOk()) return ep.status();
      out.push_back(std::move(ep.value()));
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (out.empty()) return Status::invalid("no ClickHouse endpoint given");
  return out;
}

const char* compressionName(ClickHouseCompression c) {
  switch (c) {
    case ClickHouseCompression::kZstd: return "zstd";
    case ClickHouseCompression::kLz4: return "lz4";
    case ClickHouseCompression::kGzip: return "gzip";
    case ClickHouseCompression::kNone: return "none";
  }
  return "none";
}

void useLogin(std::vector<ClickHouseEndpoint>& endpoints, ServerSinkOptions& o, const std::string& user,
              const std::string& password) {
  o.user = user.empty() ? "default" : user;
  o.password = password;
  for (auto& ep : endpoints) {
    ep.user.clear();
    ep.password.clear();
  }
}

bool parseCompression(const std::string& text, ClickHouseCompression* out) {
  if (text == "zstd") *out = ClickHouseCompression::kZstd;
  else if (text == "lz4") *out = ClickHouseCompression::kLz4;
  else if (text == "gzip") *out = ClickHouseCompression::kGzip;
  else if (text == "none" || text.empty()) *out = ClickHouseCompression::kNone;
  else return false;
  return true;
}

}  // namespace otelhouse
