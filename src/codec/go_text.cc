#include "codec/go_text.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace otelhouse {

void appendInt64(std::string& out, int64_t value) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, r.ptr);
}

// Go's strconv.AppendFloat(f, fmt, -1, 64): the shortest digits that
// round-trip, laid out in fixed or exponent form. std::to_chars in fixed form
// prints a large double's exact value (18446744073709551616) where Go pads the
// shortest digits with zeros (18446744073709552000), so the fixed layout is
// built here from the shortest scientific digits.
static void appendFloatText(std::string& out, double value) {
  char buf[64];
  const double abs = std::fabs(value);
  const bool sci = abs != 0 && (abs < 1e-6 || abs >= 1e21);
  auto r = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
  size_t n = static_cast<size_t>(r.ptr - buf);
  if (sci) {
    // to_chars writes at least two exponent digits, as Go's 'e' does; Go
    // then turns e-09 into e-9 (only for negative exponents).
    if (n >= 4 && buf[n - 4] == 'e' && buf[n - 3] == '-' && buf[n - 2] == '0') {
      buf[n - 2] = buf[n - 1];
      --n;
    }
    out.append(buf, n);
    return;
  }
  std::string_view text(buf, n);
  const size_t e = text.find('e');
  // to_chars does not NUL-terminate: parse the exponent within the text.
  const char* q = text.data() + e + 1;
  if (*q == '+') ++q;
  int exp = 0;
  std::from_chars(q, text.data() + text.size(), exp);
  std::string_view mant = text.substr(0, e);
  if (!mant.empty() && mant[0] == '-') {
    out.push_back('-');
    mant.remove_prefix(1);
  }
  char digits[32];
  size_t nd = 0;
  for (char c : mant)
    if (c != '.') digits[nd++] = c;
  if (nd == 1 && digits[0] == '0') {
    out.push_back('0');
    return;
  }
  if (exp < 0) {
    out += "0.";
    out.append(static_cast<size_t>(-exp - 1), '0');
    out.append(digits, nd);
    return;
  }
  const size_t int_digits = static_cast<size_t>(exp) + 1;
  if (nd <= int_digits) {
    out.append(digits, nd);
    out.append(int_digits - nd, '0');
  } else {
    out.append(digits, int_digits);
    out.push_back('.');
    out.append(digits + int_digits, nd - int_digits);
  }
}

void appendGoFloat(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "json: unsupported value: NaN";
  } else if (std::isinf(value)) {
    out += value > 0 ? "json: unsupported value: +Inf" : "json: unsupported value: -Inf";
  } else {
    appendFloatText(out, value);
  }
}

bool appendGoJsonNumber(std::string& out, double value) {
  if (std::isnan(value) || std::isinf(value)) return false;
  appendFloatText(out, value);
  return true;
}

// Decodes one UTF-8 sequence as Go's utf8.DecodeRune does: returns the rune
// and its length, or (-1, 1) for any invalid or overlong sequence.
static int decodeRune(const unsigned char* p, size_t n, size_t* len) {
  unsigned c = p[0];
  *len = 1;
  if (c < 0x80) return static_cast<int>(c);
  auto cont = [&](size_t i) { return i < n && (p[i] & 0xC0) == 0x80; };
  if (c >= 0xC2 && c <= 0xDF) {
    if (!cont(1)) return -1;
    *len = 2;
    return static_cast<int>(((c & 0x1F) << 6) | (p[1] & 0x3F));
  }
  if (c >= 0xE0 && c <= 0xEF) {
    if (n < 3 || !cont(1) || !cont(2)) return -1;
    if (c == 0xE0 && p[1] < 0xA0) return -1;   // overlong
    if (c == 0xED && p[1] > 0x9F) return -1;   // surrogates
    *len = 3;
    return static_cast<int>(((c & 0x0F) << 12) | ((p[1] & 0x3F) << 6) | (p[2] & 0x3F));
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (n < 4 || !cont(1) || !cont(2) || !cont(3)) return -1;
    if (c == 0xF0 && p[1] < 0x90) return -1;   // overlong
    if (c == 0xF4 && p[1] > 0x8F) return -1;   // > U+10FFFF
    *len = 4;
    return static_cast<int>(((c & 0x07) << 18) | ((p[1] & 0x3F) << 12) | ((p[2] & 0x3F) << 6) |
                            (p[3] & 0x3F));
  }
  return -1;
}

void appendGoJsonString(std::string& out, std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  out.push_back('"');
  size_t start = 0;
  size_t i = 0;
  while (i < n) {
    unsigned char b = p[i];
    if (b < 0x80) {
      if (b >= 0x20 && b != '"' && b != '\\') {
        ++i;
        continue;
      }
      out.append(s.data() + start, i - start);
      out.push_back('\\');
      switch (b) {
        case '"': out.push_back('"'); break;
        case '\\': out.push_back('\\'); break;
        case '\b': out.push_back('b'); break;
        case '\f': out.push_back('f'); break;
        case '\n': out.push_back('n'); break;
        case '\r': out.push_back('r'); break;
        case '\t': out.push_back('t'); break;
        default:
          out += "u00";
          out.push_back(kHex[b >> 4]);
          out.push_back(kHex[b & 0xF]);
      }
      start = ++i;
      continue;
    }
    size_t len;
    int r = decodeRune(p + i, n - i, &len);
    if (r < 0) {
      out.append(s.data() + start, i - start);
      out += "\\ufffd";
      start = ++i;
      continue;
    }
    if (r == 0x2028 || r == 0x2029) {
      out.append(s.data() + start, i - start);
      out += r == 0x2028 ? "\\u2028" : "\\u2029";
      i += len;
      start = i;
      continue;
    }
    i += len;
  }
  out.append(s.data() + start, n - start);
  out.push_back('"');
}

void appendBase64(std::string& out, std::string_view in) {
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  size_t n = in.size();
  size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    uint32_t v = (p[i] << 16) | (p[i + 1] << 8) | p[i + 2];
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
    out.push_back(kAlphabet[v & 63]);
  }
  if (n - i == 1) {
    uint32_t v = p[i] << 16;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out += "==";
  } else if (n - i == 2) {
    uint32_t v = (p[i] << 16) | (p[i + 1] << 8);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
    out.push_back('=');
  }
}

}  // namespace otelhouse
