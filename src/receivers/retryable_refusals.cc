#include "receivers/retryable_refusals.h"

#include <string>

#include "common/log.h"

namespace otelhouse {

bool RetryableRefusals::note(const Status& why) {
  const char* reason = nullptr;
  switch (why.code()) {
    case Code::kResourceExhausted:
      reason = "overloaded";
      break;
    case Code::kUnavailable:
      reason = "unavailable";
      break;
    default:
      return false;
  }
  uint64_t suppressed = 0;
  {
    std::lock_guard lock(mu_);
    const auto now = std::chrono::steady_clock::now();
    if (last_line_ != std::chrono::steady_clock::time_point{} && now - last_line_ < interval_) {
      ++suppressed_;
      return true;
    }
    last_line_ = now;
    suppressed = suppressed_;
    suppressed_ = 0;
  }
  lines_.fetch_add(1, std::memory_order_relaxed);
  std::string more;
  if (suppressed) more = " (" + std::to_string(suppressed) + " more refusals since the last line)";
  LOG_WARN("otlp_%s: refusing requests for now (%s, the client retries): %s%s", receiver_, reason,
           why.message().c_str(), more.c_str());
  return true;
}

}  // namespace otelhouse
