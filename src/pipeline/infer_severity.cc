#include "pipeline/infer_severity.h"

#include <re2/re2.h>

namespace otelhouse {
namespace {

constexpr uint8_t kTrace = 1;
constexpr uint8_t kDebug = 5;
constexpr uint8_t kInfo = 9;
constexpr uint8_t kWarn = 13;
constexpr uint8_t kError = 17;
constexpr uint8_t kFatal = 21;

constexpr std::string_view kLevelKeys[] = {"level",    "Level",    "LEVEL",    "severity",
                                           "Severity", "SEVERITY", "log.level"};

RE2::Options latin1() {
  RE2::Options o;
  o.set_encoding(RE2::Options::EncodingLatin1);
  o.set_log_errors(false);
  return o;
}

struct Patterns {
  RE2 keyword{"(?i)(?P<0>\\b(alert|crit|emerg|fatal|error|err|warn|notice|debug|dbug|trace))",
              latin1()};
  RE2 fatal{"(?i)(alert|crit|emerg|fatal)", latin1()};
  RE2 error{"(?i)(error|err)", latin1()};
  RE2 warn{"(?i)(warn|notice)", latin1()};
  RE2 debug{"(?i)(debug|dbug)", latin1()};
  RE2 trace{"(?i)(trace)", latin1()};
};

const Patterns& patterns() {
  static const Patterns p;
  return p;
}

re2::StringPiece piece(std::string_view s) { return re2::StringPiece(s.data(), s.size()); }

// Go's utf8.DecodeRune: the rune and its width; invalid -> (U+FFFD, 1).
uint32_t decodeRune(std::string_view s, size_t i, size_t* width) {
  const auto b = [&](size_t k) { return static_cast<uint8_t>(s[i + k]); };
  const uint8_t c = b(0);
  *width = 1;
  if (c < 0x80) return c;
  auto cont = [&](size_t k) { return i + k < s.size() && (b(k) & 0xC0) == 0x80; };
  if (c >= 0xC2 && c <= 0xDF && cont(1)) {
    *width = 2;
    return (c & 0x1Fu) << 6 | (b(1) & 0x3Fu);
  }
  if (c >= 0xE0 && c <= 0xEF && cont(1) && cont(2)) {
    const uint32_t r = (c & 0x0Fu) << 12 | (b(1) & 0x3Fu) << 6 | (b(2) & 0x3Fu);
    if (r >= 0x800 && (r < 0xD800 || r > 0xDFFF)) {
      *width = 3;
      return r;
    }
    return 0xFFFD;
  }
  if (c >= 0xF0 && c <= 0xF4 && cont(1) && cont(2) && cont(3)) {
    const uint32_t r = (c & 0x07u) << 18 | (b(1) & 0x3Fu) << 12 | (b(2) & 0x3Fu) << 6 |
                       (b(3) & 0x3Fu);
    if (r >= 0x10000 && r <= 0x10FFFF) {
      *width = 4;
      return r;
    }
  }
  return 0xFFFD;
}

void appendRune(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | cp >> 6));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | cp >> 12));
    out.push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | cp >> 18));
    out.push_back(static_cast<char>(0x80 | (cp >> 12 & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool evenUpper(uint32_t r, uint32_t lo, uint32_t hi) { return r >= lo && r <= hi && r % 2 == 0; }
bool oddUpper(uint32_t r, uint32_t lo, uint32_t hi) { return r >= lo && r <= hi && r % 2 == 1; }

uint32_t toLowerRune(uint32_t r) {
  if (r >= 'A' && r <= 'Z') return r + 32;
  if (r < 0xC0) return r;
  if (r <= 0xDE && r != 0xD7) return r + 32;
  if (r == 0x130) return 'i';
  if (r == 0x178) return 0xFF;
  if (evenUpper(r, 0x100, 0x12F) || evenUpper(r, 0x132, 0x137) || evenUpper(r, 0x14A, 0x177) ||
      oddUpper(r, 0x139, 0x148) || oddUpper(r, 0x179, 0x17E))
    return r + 1;
  if (r == 0x386) return 0x3AC;
  if (r >= 0x388 && r <= 0x38A) return r + 37;
  if (r == 0x38C) return 0x3CC;
  if (r == 0x38E || r == 0x38F) return r + 63;
  if (r >= 0x391 && r <= 0x3AB && r != 0x3A2) return r + 32;
  if (r >= 0x400 && r <= 0x40F) return r + 80;
  if (r >= 0x410 && r <= 0x42F) return r + 32;
  if (evenUpper(r, 0x460, 0x481) || evenUpper(r, 0x48A, 0x4BF)) return r + 1;
  if (r >= 0x531 && r <= 0x556) return r + 48;
  if (evenUpper(r, 0x1E00, 0x1E95) || evenUpper(r, 0x1EA0, 0x1EFF)) return r + 1;
  if (r >= 0xFF21 && r <= 0xFF3A) return r + 32;
  return r;
}

}  // namespace

void appendGoLower(std::string& out, std::string_view text) {
  bool ascii = true;
  for (char c : text) ascii &= static_cast<uint8_t>(c) < 0x80;
  if (ascii) {
    for (char c : text) out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
    return;
  }
  for (size_t i = 0; i < text.size();) {
    size_t width;
    const uint32_t r = decodeRune(text, i, &width);
    appendRune(out, toLowerRune(r));
    i += width;
  }
}

bool severityFromKeyword(std::string_view text, SeverityResult* out) {
  const Patterns& p = patterns();
  // set(cache["substr"], body) / Substring(body, 0, 256): bytes, not runes.
  const std::string_view substr = text.size() < 256 ? text : text.substr(0, 256);
  re2::StringPiece keyword;
  if (!RE2::PartialMatch(piece(substr), p.keyword, &keyword)) return false;
  // The cascade, in the config's order; each where clause sees the number
  // the statements before it set, and exactly one of them matches a keyword.
  if (RE2::PartialMatch(keyword, p.fatal)) {
    *out = {kFatal, "fatal"};
  } else if (RE2::PartialMatch(keyword, p.error)) {
    *out = {kError, "error"};
  } else if (RE2::PartialMatch(keyword, p.warn)) {
    *out = {kWarn, "warn"};
  } else if (RE2::PartialMatch(keyword, p.debug)) {
    *out = {kDebug, "debug"};
  } else if (RE2::PartialMatch(keyword, p.trace)) {
    *out = {kTrace, "trace"};
  } else {
    return false;
  }
  return true;
}

void inferSeverity(const LogRecordView& record, const LogAttributes& attributes,
                   SeverityResult& severity, TextArena& arena) {
  if (record.severity_number == 0 && record.severity_text.empty()) {
    const LogAttr* level = nullptr;
    for (std::string_view key : kLevelKeys) {
      const LogAttr* a = attributes.get(key);
      if (a && a->kind == LogValueKind::kString && !a->text.empty()) {
        level = a;
        break;
      }
    }
    if (level) {
      SeverityResult mapped;
      severity.number = severityFromKeyword(level->text, &mapped) ? mapped.number : kInfo;
      severity.text = level->text;
    } else if (!severityFromKeyword(record.body, &severity)) {
      severity = {kInfo, "info"};
    }
  }
  // Group 3: set(log.severity_text, ConvertCase(log.severity_text, "lower")).
  thread_local std::string lower;
  lower.clear();
  appendGoLower(lower, severity.text);
  if (lower != severity.text) severity.text = arena.save(lower);
}

}  // namespace otelhouse
