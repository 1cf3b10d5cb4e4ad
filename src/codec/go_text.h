// go_text: the exact text the OpenTelemetry Collector (Go) makes of values,
// so that columns hold byte-for-byte what its clickhouse exporter writes.
//
// pcommon.Value.AsString renders
//   string  as is;            int    strconv.FormatInt;
//   bool    "true"/"false";   double ES6-style shortest form (appendGoFloat);
//   bytes   standard base64;  map / slice  encoding/json of AsRaw() without
//   HTML escaping (appendGoJsonString for strings, keys sorted bytewise, last
//   duplicate key wins, bytes as base64 strings, empty values as null, and the
//   whole text empty when any double inside is NaN or infinite).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace otelhouse {

// Go's float64AsString: 'f' format unless |f| < 1e-6 or >= 1e21, then 'e' with
// the exponent's leading zero dropped; NaN / Inf give the Go error text.
void appendGoFloat(std::string& out, double value);
// The same number inside JSON; returns false for NaN / Inf (json.Marshal fails).
bool appendGoJsonNumber(std::string& out, double value);
// Go encoding/json string with SetEscapeHTML(false): quotes included, invalid
// UTF-8 replaced by \ufffd, U+2028/U+2029 escaped.
void appendGoJsonString(std::string& out, std::string_view bytes);
void appendBase64(std::string& out, std::string_view bytes);
void appendInt64(std::string& out, int64_t value);

}  // namespace otelhouse
