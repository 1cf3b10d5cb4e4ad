#include "common/log.h"

#include <atomic>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <mutex>
#include <string>
#include <strings.h>

namespace otelhouse {
namespace {
std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};
std::atomic<bool> g_json{false};
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

void setLogFormat(LogFormat format) { g_json.store(format == LogFormat::kJson); }

namespace {

// JSON string escaping; bytes >= 0x80 pass through (messages are UTF-8 or
// close to it, and a log line must never be lost to an encoding error).
void appendJsonString(std::string& out, const char* s) {
  out.push_back('"');
  for (; *s; ++s) {
    const unsigned char c = static_cast<unsigned char>(*s);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char esc[8];
          snprintf(esc, sizeof esc, "\\u%04x", c);
          out += esc;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
}

}  // namespace

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
  if (g_json.load(std::memory_order_relaxed)) {
    char stack[1024];
    std::string heap;
    const char* msg = stack;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(stack, sizeof stack, fmt, ap);
    va_end(ap);
    if (n >= static_cast<int>(sizeof stack)) {
      heap.resize(static_cast<size_t>(n) + 1);
      va_start(ap, fmt);
      vsnprintf(heap.data(), heap.size(), fmt, ap);
      va_end(ap);
      msg = heap.c_str();
    } else if (n < 0) {
      stack[0] = '\0';
    }
    char tsfull[48];
    snprintf(tsfull, sizeof tsfull, "%s.%03ldZ", ts, now.tv_nsec / 1000000);
    std::string line = "{\"ts\":\"";
    line += tsfull;
    line += "\",\"level\":\"";
    line += levelName(level);
    line += "\",\"msg\":";
    appendJsonString(line, msg);
    line += "}\n";
    std::lock_guard lock(g_mu);
    fwrite(line.data(), 1, line.size(), stderr);
    return;
  }
  std::lock_guard lock(g_mu);
  fprintf(stderr, "%s.%03ldZ %-5s ", ts, now.tv_nsec / 1000000, levelName(level));
  va_list ap;
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

}  // namespace otelhouse
