#include "ops/api_keys.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "common/log.h"

namespace otelhouse {
namespace {

std::atomic<uint64_t> g_compare_count{0};

std::string_view trimBlanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

int64_t steadyNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

bool constantTimeEquals(std::string_view candidate, std::string_view secret) {
  g_compare_count.fetch_add(1, std::memory_order_relaxed);
  // The loop runs over the candidate whatever the secret is; the index into
  // the secret wraps, so no branch depends on the secret's bytes or length.
  volatile unsigned char diff = candidate.size() == secret.size() ? 0 : 1;
  if (secret.empty()) return candidate.empty();
  unsigned char acc = 0;
  for (size_t i = 0; i < candidate.size(); ++i)
    acc |= static_cast<unsigned char>(candidate[i] ^ secret[i % secret.size()]);
  diff = static_cast<unsigned char>(diff | acc);
  return diff == 0;
}

uint64_t constantTimeCompareCount() { return g_compare_count.load(); }

std::string_view extractApiKey(std::string_view authorization) {
  std::string_view v = trimBlanks(authorization);
  constexpr std::string_view kBearer = "bearer ";
  if (v.size() > kBearer.size()) {
    bool is_bearer = true;
    for (size_t i = 0; i < kBearer.size(); ++i) {
      char c = v[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
      if (c != kBearer[i]) {
        is_bearer = false;
        break;
      }
    }
    if (is_bearer) v = trimBlanks(v.substr(kBearer.size()));
  }
  return v;
}

std::vector<std::string> parseApiKeyFile(std::string_view text) {
  std::vector<std::string> keys;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = trimBlanks(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (line.empty() || line.front() == '#') continue;
    keys.emplace_back(line);
  }
  return keys;
}

Result<std::unique_ptr<ApiKeyAuth>> ApiKeyAuth::create(ApiKeyOptions options,
                                                       MetricsRegistry* metrics) {
  std::unique_ptr<ApiKeyAuth> auth(new ApiKeyAuth(std::move(options)));
  auth->metrics_ = metrics;
  std::vector<std::string> keys;
  for (const auto& k : auth->options_.keys) {
    std::string_view t = trimBlanks(k);
    if (!t.empty()) keys.emplace_back(t);
  }
  auth->enabled_ = !keys.empty() || !auth->options_.key_file.empty();
  auth->setKeys(std::move(keys));
  if (!auth->options_.key_file.empty()) {
    Status st = auth->loadFile(true);
    if (!st.isOk()) return st;
  }
  return auth;
}

size_t ApiKeyAuth::keyCount() const { return currentKeys()->size(); }

std::shared_ptr<const std::vector<std::string>> ApiKeyAuth::currentKeys() const {
  std::lock_guard lock(keys_mu_);
  return keys_;
}

void ApiKeyAuth::setKeys(std::vector<std::string> keys) {
  auto snapshot = std::make_shared<const std::vector<std::string>>(std::move(keys));
  std::lock_guard lock(keys_mu_);
  keys_ = std::move(snapshot);
}

Status ApiKeyAuth::loadFile(bool at_start) {
  const std::string& path = options_.key_file;
  struct stat sb;
  FileId id;
  if (::stat(path.c_str(), &sb) == 0) {
    id.mtime_ns = static_cast<int64_t>(sb.st_mtim.tv_sec) * 1000000000 + sb.st_mtim.tv_nsec;
    id.size = static_cast<int64_t>(sb.st_size);
    id.inode = static_cast<uint64_t>(sb.st_ino);
  }
  if (!at_start && id == file_id_) return Status::ok();
  std::ifstream in(path, std::ios::binary);
  if (id.size < 0 || !in) {
    if (at_start) return Status::invalid("auth.api_key_file: cannot read " + path);
    file_id_ = id;
    LOG_WARN("API key file %s cannot be read; keeping the %zu keys loaded before", path.c_str(),
             keyCount());
    return Status::ok();
  }
  std::stringstream ss;
  ss << in.rdbuf();
  std::vector<std::string> keys;
  for (const auto& k : options_.keys) {
    std::string_view t = trimBlanks(k);
    if (!t.empty()) keys.emplace_back(t);
  }
  size_t from_file = 0;
  for (auto& k : parseApiKeyFile(ss.str())) {
    keys.push_back(std::move(k));
    ++from_file;
  }
  file_id_ = id;
  setKeys(std::move(keys));
  // The count only: key material never reaches the log.
  LOG_INFO("API key file %s: %zu keys%s", path.c_str(), from_file,
           at_start ? "" : " (reloaded)");
  return Status::ok();
}

void ApiKeyAuth::maybeReload() {
  if (options_.key_file.empty()) return;
  const int64_t now = steadyNowNs();
  if (now < next_check_ns_.load(std::memory_order_relaxed)) return;
  // One thread looks at the file; the others go on with the current keys.
  std::unique_lock lock(reload_mu_, std::try_to_lock);
  if (!lock.owns_lock()) return;
  if (now < next_check_ns_.load()) return;
  next_check_ns_.store(now + std::chrono::duration_cast<std::chrono::nanoseconds>(
                                 options_.reload_interval)
                                 .count());
  // Never fails after start: an unreadable file keeps the keys in use.
  (void)loadFile(false);
}

void ApiKeyAuth::countFailure(std::string_view transport, bool missing) {
  if (!metrics_) return;
  metrics_
      ->counter("otelhouse_auth_failures_total",
                "Requests refused for a missing or wrong API key.",
                {{"transport", std::string(transport)}, {"reason", missing ? "missing" : "invalid"}})
      .inc();
}

Status ApiKeyAuth::check(std::string_view authorization, std::string_view transport) {
  if (!enabled_) return Status::ok();
  maybeReload();
  const std::string_view key = extractApiKey(authorization);
  if (key.empty()) {
    countFailure(transport, true);
    return Status::invalid(std::string(kAuthMissingMessage));
  }
  auto keys = currentKeys();
  bool match = false;
  for (const auto& k : *keys) match |= constantTimeEquals(key, k);
  if (!match) {
    countFailure(transport, false);
    return Status::invalid(std::string(kAuthInvalidMessage));
  }
  return Status::ok();
}

OtlpAuthHook ApiKeyAuth::httpHook() {
  return [this](const HttpRequest& request) -> Status {
    // CORS preflights carry no credentials by design (browsers never send
    // them there); they reach no decoder either way.
    if (request.method == "OPTIONS") return Status::ok();
    return check(request.header("authorization"), "http");
  };
}

OtlpGrpcAuthHook ApiKeyAuth::grpcHook() {
  return [this](const OtlpGrpcCallInfo& call) -> Status {
    return check(call.authorization, "grpc");
  };
}

}  // namespace otelhouse
