#include "codec/otlp_json_common.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

#include "codec/go_text.h"
#include "rows/columns.h"

namespace otelhouse::otlpjson {
namespace {

using simdjson::dom::element_type;

int hexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int base64Digit(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

// Standard or URL-safe alphabet, padding optional, CR/LF ignored (as Go's
// decoder does); false on any other character or an impossible length.
bool decodeBase64(std::string_view in, std::string& out) {
  out.clear();
  uint32_t acc = 0;
  int bits = 0;
  size_t digits = 0;
  size_t pad = 0;
  for (char c : in) {
    if (c == '\r' || c == '\n') continue;
    if (c == '=') {
      ++pad;
      continue;
    }
    if (pad) return false;  // data after padding
    int d = base64Digit(c);
    if (d < 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(d);
    bits += 6;
    ++digits;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  if (digits % 4 == 1) return false;
  if (pad && (pad > 2 || (digits + pad) % 4 != 0)) return false;
  return true;
}

// Go's strconv.ParseUint(s, 10, 64): digits only.
bool parseDecimalUint(std::string_view s, uint64_t& out) {
  if (s.empty()) return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size() && s[0] != '-';
}

// Go's strconv.ParseInt(s, 10, 64): an optional sign, then digits.
bool parseDecimalInt(std::string_view s, int64_t& out) {
  const bool plus = !s.empty() && s[0] == '+';
  if (plus) s.remove_prefix(1);
  if (s.empty() || s[0] == '+' || (plus && s[0] == '-')) return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }

bool endsNumber(char c) {
  return c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// simdjson's DOM reads "-0" as the integer 0 (Go reads -0.0 for a double)
// and refuses integers beyond 64 bits (Go reads them as doubles). The text
// "-0" followed by a delimiter is the cheap sign that the first case may be
// present; the second shows up as a NUMBER_ERROR of the plain parse.
bool mayHoldNegativeZero(std::string_view body) {
  const char* p = body.data();
  const char* end = p + body.size();
  while (p < end) {
    const void* hit = std::memchr(p, '-', static_cast<size_t>(end - p));
    if (!hit) return false;
    p = static_cast<const char*>(hit) + 1;
    if (p < end && *p == '0' && (p + 1 == end || endsNumber(p[1]))) return true;
  }
  return false;
}

// True when the integer token (sign, digits) is -0 or does not fit in
// int64 / uint64, the cases simdjson does not parse as Go does.
bool needsDoubleForm(std::string_view token) {
  const bool negative = token[0] == '-';
  const std::string_view digits = token.substr(negative ? 1 : 0);
  if (negative && digits == "0") return true;
  const std::string_view limit = negative ? "9223372036854775808" : "18446744073709551615";
  return digits.size() > limit.size() || (digits.size() == limit.size() && digits > limit);
}

// Reads the 4 hex digits of a \\u escape at `p`; -1 when they are not hex.
int hex4(const char* p) {
  int v = 0;
  for (int k = 0; k < 4; ++k) {
    const int d = hexDigit(p[k]);
    if (d < 0) return -1;
    v = (v << 4) | d;
  }
  return v;
}

bool isSurrogate(int r) { return r >= 0xD800 && r <= 0xDFFF; }

// Copies JSON text into the form simdjson reads as Go's decoder reads the
// original: ".0" appended to the integer tokens outside strings that
// needsDoubleForm() picks, and escaped UTF-16 surrogates that do not pair up
// replaced by \\ufffd (what Go decodes them to; simdjson refuses them).
// Returns the length written to `out` (at least 2 * in.size() bytes).
size_t normalizeForSimdjson(std::string_view in, char* out) {
  size_t o = 0;
  size_t i = 0;
  const size_t n = in.size();
  while (i < n) {
    const char c = in[i];
    if (c == '"') {
      out[o++] = in[i++];
      while (i < n) {
        const char d = in[i];
        if (d == '\\' && i + 6 <= n && in[i + 1] == 'u' && isSurrogate(hex4(in.data() + i + 2))) {
          const int r = hex4(in.data() + i + 2);
          // Go reads the next escape as the pair's second half whatever it is.
          const bool next = i + 12 <= n && in[i + 6] == '\\' && in[i + 7] == 'u' &&
                            hex4(in.data() + i + 8) >= 0;
          const int r2 = next ? hex4(in.data() + i + 8) : -1;
          if (next && r <= 0xDBFF && r2 >= 0xDC00 && r2 <= 0xDFFF) {
            std::memcpy(out + o, in.data() + i, 12);
          } else {
            std::memcpy(out + o, "\\ufffd", 6);
            if (next) std::memcpy(out + o + 6, isSurrogate(r2) ? "\\ufffd" : in.data() + i + 6, 6);
          }
          o += next ? 12 : 6;
          i += next ? 12 : 6;
          continue;
        }
        out[o++] = in[i++];
        if (d == '\\' && i < n) {
          out[o++] = in[i++];
        } else if (d == '"') {
          break;
        }
      }
      continue;
    }
    if (c != '-' && !isDigit(c)) {
      out[o++] = in[i++];
      continue;
    }
    const size_t start = i++;
    while (i < n && isDigit(in[i])) ++i;
    const size_t int_end = i;
    while (i < n && (isDigit(in[i]) || in[i] == '.' || in[i] == 'e' || in[i] == 'E' ||
                     in[i] == '+' || in[i] == '-')) {
      ++i;
    }
    std::memcpy(out + o, in.data() + start, i - start);
    o += i - start;
    if (i == int_end && int_end - start > 1 &&
        needsDoubleForm(in.substr(start, int_end - start))) {
      out[o++] = '.';
      out[o++] = '0';
    }
  }
  return o;
}

}  // namespace

std::string JsonPath::str() const {
  std::string out;
  for (size_t i = 0; i < size_; ++i) {
    const Segment& s = segments_[i];
    if (s.index >= 0) {
      out += '[';
      appendInt64(out, s.index);
      out += ']';
    } else {
      if (!out.empty()) out += '.';
      out.append(s.field);
    }
  }
  return out;
}

JsonScratch::JsonScratch() = default;

Status JsonScratch::parse(std::string_view body, Element& root) {
  path_.clear();
  entries_.clear();
  next_seq_ = 0;
  simdjson::error_code error = simdjson::SUCCESS;
  if (mayHoldNegativeZero(body)) {
    error = parseNormalized(body, root);
  } else {
    reservePadded(body.size());
    if (!body.empty()) std::memcpy(padded_.get(), body.data(), body.size());
    std::memset(padded_.get() + body.size(), 0, simdjson::SIMDJSON_PADDING);
    error = parser_.parse(padded_.get(), body.size(), false).get(root);
    if (error == simdjson::NUMBER_ERROR || error == simdjson::STRING_ERROR) {
      error = parseNormalized(body, root);
    }
  }
  if (error != simdjson::SUCCESS) {
    return Status::invalid(std::string("malformed JSON: ") + simdjson::error_message(error));
  }
  if (!root.is_object() && !root.is_null()) {
    return Status::invalid("expected a JSON object at the top level");
  }
  return Status::ok();
}

void JsonScratch::reservePadded(size_t size) {
  const size_t need = size + simdjson::SIMDJSON_PADDING;
  if (need > padded_capacity_) {
    padded_.reset(new char[need]);
    padded_capacity_ = need;
  }
}

simdjson::error_code JsonScratch::parseNormalized(std::string_view body, Element& root) {
  // Each rewritten token grows by 2 bytes and is at least 2 bytes long.
  reservePadded(2 * body.size());
  const size_t n = normalizeForSimdjson(body, padded_.get());
  std::memset(padded_.get() + n, 0, simdjson::SIMDJSON_PADDING);
  return parser_.parse(padded_.get(), n, false).get(root);
}

void JsonScratch::trim(size_t limit) {
  if (padded_capacity_ > limit) {
    padded_.reset();
    padded_capacity_ = 0;
  }
  if (parser_.capacity() > limit) parser_ = simdjson::dom::parser();
  auto shrink = [limit](std::string& s) {
    if (s.capacity() > limit) std::string().swap(s);
  };
  shrink(bytes_);
  shrink(value_);
  shrink(discard_);
}

Status JsonScratch::fail(std::string_view what) const {
  std::string message = path_.str();
  if (message.empty()) message = "request";
  message += ": ";
  message.append(what);
  return Status::invalid(std::move(message));
}

Status JsonScratch::failType(std::string_view expected) const {
  std::string what = "expected ";
  what.append(expected);
  return fail(what);
}

Status JsonScratch::readString(Element el, std::string_view& out) {
  if (el.is_null()) {
    out = {};
    return Status::ok();
  }
  if (el.get_string().get(out) != simdjson::SUCCESS) return failType("a string");
  return Status::ok();
}

Status JsonScratch::readBool(Element el, bool& out) {
  if (el.is_null()) {
    out = false;
    return Status::ok();
  }
  if (el.get_bool().get(out) != simdjson::SUCCESS) return failType("true or false");
  return Status::ok();
}

Status JsonScratch::readUint64(Element el, uint64_t& out) {
  out = 0;
  switch (el.type()) {
    case element_type::NULL_VALUE:
      return Status::ok();
    case element_type::UINT64:
      out = el.get_uint64().value_unsafe();
      return Status::ok();
    case element_type::INT64: {
      int64_t v = el.get_int64().value_unsafe();
      if (v < 0) return fail("negative value for an unsigned integer");
      out = static_cast<uint64_t>(v);
      return Status::ok();
    }
    case element_type::DOUBLE: {
      const double d = el.get_double().value_unsafe();
      if (d >= 0x1p64) return fail("integer out of range");
      return failType("an unsigned integer");
    }
    case element_type::STRING:
      if (!parseDecimalUint(el.get_string().value_unsafe(), out)) {
        out = 0;
        return fail("invalid unsigned integer string");
      }
      return Status::ok();
    default:
      return failType("an unsigned integer");
  }
}

Status JsonScratch::readInt64(Element el, int64_t& out) {
  out = 0;
  switch (el.type()) {
    case element_type::NULL_VALUE:
      return Status::ok();
    case element_type::INT64:
      out = el.get_int64().value_unsafe();
      return Status::ok();
    case element_type::UINT64:
      return fail("integer out of range");
    case element_type::DOUBLE: {
      // "-0" reaches here as -0.0 (see normalizeForSimdjson); larger integers
      // that were turned into doubles are out of range.
      const double d = el.get_double().value_unsafe();
      if (d == 0 && std::signbit(d)) return Status::ok();
      return std::fabs(d) >= 0x1p63 ? fail("integer out of range") : failType("an integer");
    }
    case element_type::STRING:
      if (!parseDecimalInt(el.get_string().value_unsafe(), out)) {
        out = 0;
        return fail("invalid integer string");
      }
      return Status::ok();
    default:
      return failType("an integer");
  }
}

Status JsonScratch::readUint32(Element el, uint32_t& out) {
  uint64_t v = 0;
  Status s = readUint64(el, v);
  if (!s) return s;
  if (v > std::numeric_limits<uint32_t>::max()) return fail("integer out of range");
  out = static_cast<uint32_t>(v);
  return Status::ok();
}

Status JsonScratch::readInt32(Element el, int32_t& out) {
  int64_t v = 0;
  Status s = readInt64(el, v);
  if (!s) return s;
  if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max()) {
    return fail("integer out of range");
  }
  out = static_cast<int32_t>(v);
  return Status::ok();
}

Status JsonScratch::readDouble(Element el, double& out) {
  out = 0;
  switch (el.type()) {
    case element_type::NULL_VALUE:
      return Status::ok();
    case element_type::DOUBLE:
      out = el.get_double().value_unsafe();
      return Status::ok();
    case element_type::INT64:
      out = static_cast<double>(el.get_int64().value_unsafe());
      return Status::ok();
    case element_type::UINT64:
      out = static_cast<double>(el.get_uint64().value_unsafe());
      return Status::ok();
    case element_type::STRING: {
      std::string_view s = el.get_string().value_unsafe();
      if (s == "NaN") {
        out = std::numeric_limits<double>::quiet_NaN();
      } else if (s == "Infinity") {
        out = std::numeric_limits<double>::infinity();
      } else if (s == "-Infinity") {
        out = -std::numeric_limits<double>::infinity();
      } else {
        auto r = std::from_chars(s.data(), s.data() + s.size(), out);
        if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size()) {
          out = 0;
          return fail("invalid number string");
        }
      }
      return Status::ok();
    }
    default:
      return failType("a number");
  }
}

Status JsonScratch::readEnum(Element el, const EnumName* names, size_t count, int32_t& out) {
  if (el.is_string()) {
    std::string_view s = el.get_string().value_unsafe();
    for (size_t i = 0; i < count; ++i) {
      if (names[i].name == s) {
        out = names[i].value;
        return Status::ok();
      }
    }
    int64_t v = 0;
    if (!parseDecimalInt(s, v)) return fail("unknown enum value");
    if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max()) {
      return fail("integer out of range");
    }
    out = static_cast<int32_t>(v);
    return Status::ok();
  }
  return readInt32(el, out);
}

Status JsonScratch::readId(Element el, size_t bytes, std::string& hex, bool keep_zero) {
  hex.clear();
  std::string_view s;
  Status st = readString(el, s);
  if (!st) return st;
  if (s.empty()) {
    if (keep_zero) hex.assign(2 * bytes, '0');
    return Status::ok();
  }
  if (s.size() != 2 * bytes) return fail("invalid length for an id");
  char buf[64];
  if (s.size() > sizeof buf) return fail("invalid length for an id");
  int any = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const int d = hexDigit(s[i]);
    if (d < 0) return fail("invalid hex");
    any |= d;
    buf[i] = "0123456789abcdef"[d];
  }
  if (any || keep_zero) hex.assign(buf, s.size());
  return Status::ok();
}

Status JsonScratch::resolveAny(Element el, AnyRef& ref) {
  return forEachField(el, [&](std::string_view key, Element v) -> Status {
    AnyKind kind;
    std::string_view member;
    if (isField(key, "stringValue", "string_value")) {
      kind = AnyKind::kString, member = "stringValue";
    } else if (isField(key, "intValue", "int_value")) {
      kind = AnyKind::kInt, member = "intValue";
    } else if (isField(key, "boolValue", "bool_value")) {
      kind = AnyKind::kBool, member = "boolValue";
    } else if (isField(key, "doubleValue", "double_value")) {
      kind = AnyKind::kDouble, member = "doubleValue";
    } else if (isField(key, "bytesValue", "bytes_value")) {
      kind = AnyKind::kBytes, member = "bytesValue";
    } else if (isField(key, "arrayValue", "array_value")) {
      kind = AnyKind::kArray, member = "arrayValue";
    } else if (isField(key, "kvlistValue", "kvlist_value")) {
      kind = AnyKind::kKvlist, member = "kvlistValue";
    } else {
      return Status::ok();
    }
    if (v.is_null()) return Status::ok();
    if (ref.kind != AnyKind::kEmpty) {
      // The member being replaced must still be valid, as it is for Go.
      bool finite = true;
      Status s = appendJson(ref, discard_, finite);
      if (!s) return s;
    }
    ref.kind = kind;
    ref.el = v;
    ref.member = member;
    return Status::ok();
  });
}

Status JsonScratch::appendBytes(const AnyRef& ref, std::string& out, bool quoted) {
  std::string_view text;
  Status s = readString(ref.el, text);
  if (!s) return s;
  if (!decodeBase64(text, bytes_)) return fail("invalid base64");
  if (quoted) out.push_back('"');
  appendBase64(out, bytes_);
  if (quoted) out.push_back('"');
  return Status::ok();
}

Status JsonScratch::appendAsString(const AnyRef& ref, std::string& out) {
  if (ref.kind == AnyKind::kArray || ref.kind == AnyKind::kKvlist) {
    const size_t start = out.size();
    bool finite = true;
    Status s = appendJson(ref, out, finite);
    if (s && !finite) out.resize(start);
    return s;
  }
  PathScope member(path_, ref.member);
  switch (ref.kind) {
    case AnyKind::kEmpty:
      return Status::ok();
    case AnyKind::kString: {
      std::string_view v;
      Status s = readString(ref.el, v);
      if (s) out.append(v);
      return s;
    }
    case AnyKind::kBool: {
      bool v = false;
      Status s = readBool(ref.el, v);
      if (s) out += v ? "true" : "false";
      return s;
    }
    case AnyKind::kInt: {
      int64_t v = 0;
      Status s = readInt64(ref.el, v);
      if (s) appendInt64(out, v);
      return s;
    }
    case AnyKind::kDouble: {
      double v = 0;
      Status s = readDouble(ref.el, v);
      if (s) appendGoFloat(out, v);
      return s;
    }
    case AnyKind::kBytes:
      return appendBytes(ref, out, false);
    case AnyKind::kArray:
    case AnyKind::kKvlist:
      break;  // handled above
  }
  return Status::ok();
}

Status JsonScratch::appendJson(const AnyRef& ref, std::string& out, bool& finite) {
  PathScope member(path_, ref.member);
  switch (ref.kind) {
    case AnyKind::kEmpty:
      out += "null";
      return Status::ok();
    case AnyKind::kString: {
      std::string_view v;
      Status s = readString(ref.el, v);
      if (s) appendGoJsonString(out, v);
      return s;
    }
    case AnyKind::kBool: {
      bool v = false;
      Status s = readBool(ref.el, v);
      if (s) out += v ? "true" : "false";
      return s;
    }
    case AnyKind::kInt: {
      int64_t v = 0;
      Status s = readInt64(ref.el, v);
      if (s) appendInt64(out, v);
      return s;
    }
    case AnyKind::kDouble: {
      double v = 0;
      Status s = readDouble(ref.el, v);
      if (s && !appendGoJsonNumber(out, v)) finite = false;
      return s;
    }
    case AnyKind::kBytes:
      return appendBytes(ref, out, true);
    case AnyKind::kArray: {
      out.push_back('[');
      bool first = true;
      Status s = forEachField(ref.el, [&](std::string_view key, Element v) -> Status {
        if (key != "values") return Status::ok();
        PathScope values(path_, "values");
        return forEach(v, [&](size_t, Element item) -> Status {
          AnyRef inner;
          Status r = resolveAny(item, inner);
          if (!r) return r;
          if (!first) out.push_back(',');
          first = false;
          return appendJson(inner, out, finite);
        });
      });
      out.push_back(']');
      return s;
    }
    case AnyKind::kKvlist: {
      const size_t mark = entries_.size();
      Status s = forEachField(ref.el, [&](std::string_view key, Element v) -> Status {
        if (key != "values") return Status::ok();
        return addKeyValues(v, "values");
      });
      if (!s) {
        entries_.resize(mark);
        return s;
      }
      sortEntries(mark);
      out.push_back('{');
      const size_t end = entries_.size();
      bool first = true;
      for (size_t i = mark; i < end && s; ++i) {
        const Entry e = entries_[i];
        PathScope field(path_, e.field);
        PathScope index(path_, e.index);
        PathScope value(path_, "value");
        if (i + 1 < end && entries_[i + 1].key == e.key) {
          bool ignored = true;
          s = appendJson(e.value, discard_, ignored);
          continue;
        }
        if (!first) out.push_back(',');
        first = false;
        appendGoJsonString(out, e.key);
        out.push_back(':');
        s = appendJson(e.value, out, finite);
      }
      entries_.resize(mark);
      out.push_back('}');
      return s;
    }
  }
  return Status::ok();
}

Status JsonScratch::addKeyValues(Element array, std::string_view field) {
  PathScope scope(path_, field);
  return forEach(array, [&](size_t index, Element kv) -> Status {
    Entry e{};
    e.field = field;
    e.index = static_cast<uint32_t>(index);
    e.seq = next_seq_++;
    Status s = forEachField(kv, [&](std::string_view key, Element v) -> Status {
      if (key == "key") {
        PathScope k(path_, "key");
        return readString(v, e.key);
      }
      if (key == "value") {
        PathScope val(path_, "value");
        return resolveAny(v, e.value);
      }
      return Status::ok();
    });
    if (!s) return s;
    entries_.push_back(e);
    return Status::ok();
  });
}

void JsonScratch::sortEntries(size_t mark) {
  std::sort(entries_.begin() + static_cast<ptrdiff_t>(mark), entries_.end(),
            [](const Entry& a, const Entry& b) {
              if (a.key != b.key) return a.key < b.key;
              return a.seq < b.seq;
            });
}

Status JsonScratch::renderEntryValue(const Entry& e, std::string& out) {
  PathScope field(path_, e.field);
  PathScope index(path_, e.index);
  PathScope value(path_, "value");
  return appendAsString(e.value, out);
}

Status JsonScratch::firstValue(size_t mark, std::string_view key, std::string& out,
                               bool& found) {
  out.clear();
  found = false;
  for (size_t i = mark; i < entries_.size(); ++i) {
    if (entries_[i].key == key) {
      found = true;
      const Entry e = entries_[i];
      return renderEntryValue(e, out);
    }
  }
  return Status::ok();
}

Status JsonScratch::finishMap(size_t mark, std::string& keys, std::string& values,
                              size_t& count) {
  keys.clear();
  values.clear();
  count = 0;
  discard_.clear();
  sortEntries(mark);
  const size_t end = entries_.size();
  Status s;
  for (size_t i = mark; i < end && s; ++i) {
    const Entry e = entries_[i];
    if (i + 1 < end && entries_[i + 1].key == e.key) {
      s = renderEntryValue(e, discard_);
      continue;
    }
    value_.clear();
    s = renderEntryValue(e, value_);
    appendVarUInt(keys, e.key.size());
    keys.append(e.key);
    appendVarUInt(values, value_.size());
    values.append(value_);
    ++count;
  }
  entries_.resize(mark);
  return s;
}

Status readResource(JsonScratch& js, Element el) {
  if (!el.is_object() && !el.is_null()) {
    PathScope field(js.path(), "resource");
    return js.failType("an object");
  }
  return js.forEachField(el, [&](std::string_view key, Element v) -> Status {
    if (key == "attributes") return js.addKeyValues(v, "resource.attributes");
    if (isField(key, "droppedAttributesCount", "dropped_attributes_count")) {
      PathScope field(js.path(), "resource.droppedAttributesCount");
      uint32_t ignored = 0;
      return js.readUint32(v, ignored);
    }
    return Status::ok();
  });
}

Status readScope(JsonScratch& js, Element el, ScopeFields& out) {
  if (!el.is_object() && !el.is_null()) {
    PathScope field(js.path(), "scope");
    return js.failType("an object");
  }
  return js.forEachField(el, [&](std::string_view key, Element v) -> Status {
    if (key == "name") {
      PathScope field(js.path(), "scope.name");
      return js.readString(v, out.name);
    }
    if (key == "version") {
      PathScope field(js.path(), "scope.version");
      return js.readString(v, out.version);
    }
    if (key == "attributes") return js.addKeyValues(v, "scope.attributes");
    if (isField(key, "droppedAttributesCount", "dropped_attributes_count")) {
      PathScope field(js.path(), "scope.droppedAttributesCount");
      return js.readUint32(v, out.dropped_attributes_count);
    }
    return Status::ok();
  });
}

}  // namespace otelhouse::otlpjson
