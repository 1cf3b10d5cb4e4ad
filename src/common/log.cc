#include "common/log.h"

#include <atomic>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <mutex>
#include <strings.h>

namespace otelhouse {
namespace {
std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};
std::mutex g_mu;
const char* levelName(LogLevel l) {
  switch (l) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kError: return "error";
  }
  return "?";
}
}  // namespace

void setLogLevel(LogLevel level) { g_level.store(static_cast<int>(level)); }

bool parseLogLevel(std::string_view t, LogLevel* out) {
  struct { const char* name; LogLevel level; } names[] = {
      {"debug", LogLevel::kDebug}, {"info", LogLevel::kInfo},   {"warn", LogLevel::kWarn},
      {"warning", LogLevel::kWarn}, {"error", LogLevel::kError}};
  for (auto& n : names) {
    if (t.size() == strlen(n.name) && strncasecmp(t.data(), n.name, t.size()) == 0) {
      *out = n.level;
      return true;
    }
  }
  return false;
}

bool logEnabled(LogLevel level) { return static_cast<int>(level) >= g_level.load(std::memory_order_relaxed); }

void logLine(LogLevel level, const char* fmt, ...) {
  char ts[32];
  timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  tm t;
  gmtime_r(&now.tv_sec, &t);
  strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &t);
  std::lock_guard lock(g_mu);
  fprintf(stderr, "%s.%03ldZ %-5s ", ts, now.tv_nsec / 1000000, levelName(level));
  va_list ap;
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

}  // namespace otelhouse
