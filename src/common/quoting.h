// Quoting for the text otelhouse builds for ClickHouse: identifiers and
// string literals in SQL (backslash escapes, as ClickHouse's lexer reads
// them), and URL components (RFC 3986 unreserved characters kept, the rest
// %XX). Table names come from our own code and the database from the config,
// but quoting them means an odd name can never break out of its place.
#pragma once

#include <string>
#include <string_view>

namespace otelhouse {

inline std::string quoteWith(std::string_view s, char quote) {
  std::string out(1, quote);
  out.reserve(s.size() + 2);
  for (char c : s) {
    if (c == quote || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back(quote);
  return out;
}

inline std::string quoteIdent(std::string_view name) { return quoteWith(name, '`'); }
inline std::string quoteString(std::string_view s) { return quoteWith(s, '\''); }

inline std::string urlEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                            c == '-' || c == '_' || c == '.' || c == '~';
    if (unreserved) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace otelhouse
