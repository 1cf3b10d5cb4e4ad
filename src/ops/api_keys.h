// ApiKeyAuth: the ingestion API keys (ClickStack's OTLP_AUTH_TOKEN), checked
// on every OTLP request before anything of it is decoded.
//
// Keys come from the OTLP_AUTH_TOKEN environment variable, the YAML list
// auth.api_keys, and the key file auth.api_key_file (one key per line; blank
// lines and lines starting with '#' are skipped; surrounding blanks trimmed).
// The file is re-read when its mtime, size or inode changes, looked at no more
// than once per reload_interval from the request path. Auth is on as soon as
// any source is configured; a configured key file that is empty or missing
// then refuses every request (fail closed).
//
// A request carries the key as "authorization: <key>" or
// "authorization: Bearer <key>" (scheme case-insensitive). Every accepted key
// is compared in constant time, all of them on every check, so neither the
// position of a match nor the length of a common prefix shows in the timing.
// Refusals count in otelhouse_auth_failures_total{transport,reason}. Keys
// never appear in log lines or error messages.
//
// Thread-safety: check() and the hooks run concurrently on every I/O thread;
// the key set is an immutable snapshot swapped under a short lock on reload.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "ops/metrics_registry.h"
#include "receivers/otlp_grpc.h"
#include "receivers/otlp_http.h"

namespace otelhouse {

struct ApiKeyOptions {
  std::vector<std::string> keys;  // env + YAML, already merged
  std::string key_file;           // "" when none
  std::chrono::milliseconds reload_interval{1000};
};

// The error messages, as the collector's bearertokenauth extension words them.
inline constexpr std::string_view kAuthMissingMessage = "missing or empty authorization header";
inline constexpr std::string_view kAuthInvalidMessage = "authentication didn't succeed";

// Equal contents, in time that depends only on the candidate's length (which
// the sender knows anyway), never on the secret or where the two differ.
bool constantTimeEquals(std::string_view candidate, std::string_view secret);
// How many times constantTimeEquals ran in this process (tests prove it is the
// comparison in use, and that no check stops at the first match).
uint64_t constantTimeCompareCount();

// "Bearer <key>" -> "<key>", "<key>" -> "<key>"; blanks trimmed.
std::string_view extractApiKey(std::string_view authorization);
// A key file's keys, in order.
std::vector<std::string> parseApiKeyFile(std::string_view text);

class ApiKeyAuth {
 public:
  // Fails when the key file is set but cannot be read at start (a typo in
  // the path should stop the gateway, not lock everyone out silently).
  static Result<std::unique_ptr<ApiKeyAuth>> create(ApiKeyOptions options,
                                                    MetricsRegistry* metrics = nullptr);

  bool enabled() const { return enabled_; }
  // Ok, or kInvalidArgument with kAuthMissingMessage / kAuthInvalidMessage.
  Status check(std::string_view authorization, std::string_view transport);
  size_t keyCount() const;

  // For OtlpHttpReceiver::setAuthHook: OPTIONS (CORS preflight) always passes.
  OtlpAuthHook httpHook();
  OtlpGrpcAuthHook grpcHook();

 private:
  explicit ApiKeyAuth(ApiKeyOptions options) : options_(std::move(options)) {}
  void maybeReload();
  Status loadFile(bool at_start);
  void countFailure(std::string_view transport, bool missing);

  const ApiKeyOptions options_;
  bool enabled_ = false;
  MetricsRegistry* metrics_ = nullptr;
  std::shared_ptr<const std::vector<std::string>> currentKeys() const;
  void setKeys(std::vector<std::string> keys);

  mutable std::mutex keys_mu_;  // guards the pointer only; the vector is immutable
  std::shared_ptr<const std::vector<std::string>> keys_;
  std::mutex reload_mu_;
  std::atomic<int64_t> next_check_ns_{0};
  struct FileId {
    int64_t mtime_ns = -1;
    int64_t size = -1;
    uint64_t inode = 0;
    bool operator==(const FileId&) const = default;
  } file_id_;
};

}  // namespace otelhouse
