#include "pipeline/go_json_reader.h"

#include <string>

namespace otelhouse {
namespace {

void skipSpace(std::string_view s, size_t& i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
}

int hexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool hex4(std::string_view s, size_t i, uint32_t& out) {
  if (i + 4 > s.size()) return false;
  out = 0;
  for (size_t k = 0; k < 4; ++k) {
    const int d = hexDigit(s[i + k]);
    if (d < 0) return false;
    out = out << 4 | static_cast<uint32_t>(d);
  }
  return true;
}

void appendUtf8(std::string& out, uint32_t cp) {
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

}  // namespace

bool GoJsonReader::string(std::string_view s, size_t& i, std::string_view& out) {
  if (i >= s.size() || s[i] != '"') return false;
  const size_t begin = ++i;
  size_t j = begin;
  while (j < s.size() && s[j] != '"' && s[j] != '\\') ++j;
  if (j < s.size() && s[j] == '"') {
    out = s.substr(begin, j - begin);
    i = j + 1;
    return true;
  }
  thread_local std::string decoded;
  decoded.assign(s.substr(begin, j - begin));
  while (j < s.size()) {
    const char c = s[j];
    if (c == '"') {
      out = arena_.save(decoded);
      i = j + 1;
      return true;
    }
    if (c != '\\') {
      decoded.push_back(c);
      ++j;
      continue;
    }
    if (j + 1 >= s.size()) return false;
    const char e = s[j + 1];
    j += 2;
    switch (e) {
      case '"': decoded.push_back('"'); break;
      case '\\': decoded.push_back('\\'); break;
      case '/': decoded.push_back('/'); break;
      case 'b': decoded.push_back('\b'); break;
      case 'f': decoded.push_back('\f'); break;
      case 'n': decoded.push_back('\n'); break;
      case 'r': decoded.push_back('\r'); break;
      case 't': decoded.push_back('\t'); break;
      case 'u': {
        uint32_t cp;
        if (!hex4(s, j, cp)) return false;
        j += 4;
        if (cp >= 0xD800 && cp < 0xDC00) {
          uint32_t lo;
          if (j + 1 < s.size() && s[j] == '\\' && s[j + 1] == 'u' && hex4(s, j + 2, lo) &&
              lo >= 0xDC00 && lo < 0xE000) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            j += 6;
          } else {
            cp = 0xFFFD;
          }
        } else if (cp >= 0xDC00 && cp < 0xE000) {
          cp = 0xFFFD;
        }
        appendUtf8(decoded, cp);
        break;
      }
      default:
        return false;
    }
  }
  return false;
}

bool GoJsonReader::skipContainer(std::string_view s, size_t& i) {
  int depth = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (c == '"') {
      ++i;
      while (i < s.size() && s[i] != '"') i += s[i] == '\\' ? 2 : 1;
      if (i >= s.size()) return false;
      ++i;
      continue;
    }
    ++i;
    if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (--depth == 0) return true;
    }
  }
  return false;
}

bool GoJsonReader::value(std::string_view s, size_t& i, GoJsonValue& v) {
  skipSpace(s, i);
  if (i >= s.size()) return false;
  const size_t begin = i;
  const char c = s[i];
  if (c == '{' || c == '[') {
    if (!skipContainer(s, i)) return false;
    v.type = c == '{' ? GoJsonValue::kObject : GoJsonValue::kArray;
  } else if (c == '"') {
    if (!string(s, i, v.str)) return false;
    v.type = GoJsonValue::kString;
  } else if (s.substr(i, 4) == "null") {
    i += 4;
    v.type = GoJsonValue::kNull;
  } else if (s.substr(i, 4) == "true") {
    i += 4;
    v.type = GoJsonValue::kBool;
  } else if (s.substr(i, 5) == "false") {
    i += 5;
    v.type = GoJsonValue::kBool;
  } else if (c == '-' || (c >= '0' && c <= '9')) {
    v.type = GoJsonValue::kInt;
    while (i < s.size() && (s[i] == '-' || s[i] == '+' || s[i] == '.' || s[i] == 'e' ||
                            s[i] == 'E' || (s[i] >= '0' && s[i] <= '9'))) {
      if (s[i] == '.' || s[i] == 'e' || s[i] == 'E') v.type = GoJsonValue::kDouble;
      ++i;
    }
  } else {
    return false;
  }
  v.raw = s.substr(begin, i - begin);
  return true;
}

bool GoJsonReader::forEachMember(
    std::string_view s, const std::function<void(std::string_view, const GoJsonValue&)>& fn) {
  size_t i = 0;
  skipSpace(s, i);
  if (i >= s.size() || s[i] != '{') return false;
  ++i;
  skipSpace(s, i);
  if (i < s.size() && s[i] == '}') return true;
  while (i < s.size()) {
    std::string_view key;
    skipSpace(s, i);
    if (!string(s, i, key)) return false;
    skipSpace(s, i);
    if (i >= s.size() || s[i] != ':') return false;
    ++i;
    GoJsonValue v;
    if (!value(s, i, v)) return false;
    fn(key, v);
    skipSpace(s, i);
    if (i < s.size() && s[i] == ',') {
      ++i;
      continue;
    }
    return i < s.size() && s[i] == '}';
  }
  return false;
}

bool GoJsonReader::forEachElement(std::string_view s,
                                  const std::function<void(const GoJsonValue&)>& fn) {
  size_t i = 0;
  skipSpace(s, i);
  if (i >= s.size() || s[i] != '[') return false;
  ++i;
  skipSpace(s, i);
  if (i < s.size() && s[i] == ']') return true;
  while (i < s.size()) {
    GoJsonValue v;
    if (!value(s, i, v)) return false;
    fn(v);
    skipSpace(s, i);
    if (i < s.size() && s[i] == ',') {
      ++i;
      continue;
    }
    return i < s.size() && s[i] == ']';
  }
  return false;
}

}  // namespace otelhouse
