// Process log: leveled lines on stderr, one mutex, no allocation when the
// level is off. Never print secrets or payload bytes here.
// Formats: text ("<ts> <level> <msg>") or json (one object per line,
// {"ts":"...","level":"info","msg":"..."}, for log shippers).
#pragma once

#include <cstdarg>
#include <string_view>

namespace otelhouse {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

enum class LogFormat { kText, kJson };

void setLogLevel(LogLevel level);
void setLogFormat(LogFormat format);
bool parseLogLevel(std::string_view text, LogLevel* out);
bool logEnabled(LogLevel level);
void logLine(LogLevel level, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

#define OH_LOG(level, ...)                                                  \
  do {                                                                      \
    if (::otelhouse::logEnabled(::otelhouse::LogLevel::level))              \
      ::otelhouse::logLine(::otelhouse::LogLevel::level, __VA_ARGS__);      \
  } while (0)
#define LOG_DEBUG(...) OH_LOG(kDebug, __VA_ARGS__)
#define LOG_INFO(...) OH_LOG(kInfo, __VA_ARGS__)
#define LOG_WARN(...) OH_LOG(kWarn, __VA_ARGS__)
#define LOG_ERROR(...) OH_LOG(kError, __VA_ARGS__)

}  // namespace otelhouse
