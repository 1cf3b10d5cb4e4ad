// Test helper: writes any OTLP message as OTLP/JSON, choosing at random among
// the spellings a decoder must treat alike, by reflection over the libprotobuf
// descriptors (so one writer covers traces and metrics):
// - keys in lowerCamelCase or snake_case; members shuffled; unknown members;
// - unset / default fields omitted, written as null or as their default
//   (never for oneof members, where writing one would choose it);
// - 64-bit and 32-bit integers as numbers or decimal strings; enums as names,
//   numbers or numeric strings; doubles as numbers or strings, NaN / Infinity
//   as strings;
// - ids (trace_id, span_id, parent_span_id) as hex in either case, other bytes
//   as base64 in the standard or URL-safe alphabet, padded or not;
// - empty messages inside arrays as null; repeated fields split over two
//   occurrences of their key; singular messages split over two occurrences
//   (merged); a decoy scalar before the real value; a replaced oneof member
//   (another data member of a Metric) before the real one.
// Plus libprotobufJson(): MessageToJsonString with ids turned into hex.
#pragma once

#include <gtest/gtest.h>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "codec/go_text.h"
#include "codec/otlp_random.h"

namespace otelhouse::testing {

inline void appendJsonText(std::string& out, std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(ch);
    } else if (c < 0x20) {
      out += "\\u00";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    } else {
      out.push_back(ch);
    }
  }
  out.push_back('"');
}

class OtlpJsonWriter {
 public:
  explicit OtlpJsonWriter(OtlpRandom& rnd) : rnd_(rnd) {}

  std::string write(const google::protobuf::Message& m) { return message(m); }

 private:
  using FD = google::protobuf::FieldDescriptor;

  struct Object {
    std::vector<std::pair<std::string, std::string>> members;
    bool ordered = false;  // split or decoy members: their order matters
    void add(std::string k, std::string v) { members.emplace_back(std::move(k), std::move(v)); }
  };

  std::string ws() {
    static const char* const kSpace[] = {"", "", "", " ", "\n", "\t ", "\r\n  "};
    return kSpace[rnd_.below(std::size(kSpace))];
  }

  std::string key(const FD* f) {
    std::string out;
    appendJsonText(out, rnd_.chance(0.2) ? f->name() : f->json_name());
    return out;
  }

  std::string str(std::string_view s) {
    std::string out;
    appendJsonText(out, s);
    return out;
  }

  std::string finish(Object& o) {
    if (rnd_.chance(0.08)) o.add("\"unknownField\"", R"({"a":[1,"x",null,{"b":true}]})");
    if (rnd_.chance(0.04)) o.add("\"another_unknown\"", "-12.5e3");
    if (!o.ordered && rnd_.chance(0.3)) {
      std::shuffle(o.members.begin(), o.members.end(), rnd_.engine());
    }
    std::string out = "{" + ws();
    for (size_t i = 0; i < o.members.size(); ++i) {
      if (i) out += "," + ws();
      out += o.members[i].first + ws() + ":" + ws() + o.members[i].second;
    }
    return out + ws() + "}";
  }

  std::string integer(std::string digits) {
    return rnd_.chance(0.4) ? "\"" + digits + "\"" : digits;
  }

  std::string dbl(double d) {
    if (std::isnan(d)) return "\"NaN\"";
    if (std::isinf(d)) return d > 0 ? "\"Infinity\"" : "\"-Infinity\"";
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, d);
    std::string s(buf, r.ptr);
    return rnd_.chance(0.2) ? "\"" + s + "\"" : s;
  }

  static bool isId(const FD* f) {
    return f->name() == "trace_id" || f->name() == "span_id" || f->name() == "parent_span_id";
  }

  std::string bytes(const FD* f, const std::string& b) {
    if (isId(f)) {
      const char* digits = rnd_.chance(0.2) ? "0123456789ABCDEF" : "0123456789abcdef";
      std::string hex;
      for (char c : b) {
        hex.push_back(digits[static_cast<unsigned char>(c) >> 4]);
        hex.push_back(digits[static_cast<unsigned char>(c) & 15]);
      }
      return str(hex);
    }
    std::string s;
    appendBase64(s, b);
    if (rnd_.chance(0.2)) {
      while (!s.empty() && s.back() == '=') s.pop_back();
    }
    if (rnd_.chance(0.2)) {
      for (char& c : s) c = c == '+' ? '-' : c == '/' ? '_' : c;
    }
    return str(s);
  }

  std::string enumValue(int number, const google::protobuf::EnumDescriptor* e) {
    const auto* v = e->FindValueByNumber(number);
    if (v && rnd_.chance(0.4)) return str(v->name());
    return rnd_.chance(0.2) ? "\"" + std::to_string(number) + "\"" : std::to_string(number);
  }

  // One value of field `f` (element `index` when repeated).
  std::string value(const google::protobuf::Message& m, const FD* f, int index) {
    const auto* r = m.GetReflection();
    const bool rep = f->is_repeated();
    switch (f->cpp_type()) {
      case FD::CPPTYPE_INT32:
        return integer(std::to_string(rep ? r->GetRepeatedInt32(m, f, index) : r->GetInt32(m, f)));
      case FD::CPPTYPE_INT64:
        return integer(std::to_string(rep ? r->GetRepeatedInt64(m, f, index) : r->GetInt64(m, f)));
      case FD::CPPTYPE_UINT32:
        return integer(
            std::to_string(rep ? r->GetRepeatedUInt32(m, f, index) : r->GetUInt32(m, f)));
      case FD::CPPTYPE_UINT64:
        return integer(
            std::to_string(rep ? r->GetRepeatedUInt64(m, f, index) : r->GetUInt64(m, f)));
      case FD::CPPTYPE_DOUBLE:
        return dbl(rep ? r->GetRepeatedDouble(m, f, index) : r->GetDouble(m, f));
      case FD::CPPTYPE_FLOAT:
        return dbl(rep ? r->GetRepeatedFloat(m, f, index) : r->GetFloat(m, f));
      case FD::CPPTYPE_BOOL:
        return (rep ? r->GetRepeatedBool(m, f, index) : r->GetBool(m, f)) ? "true" : "false";
      case FD::CPPTYPE_ENUM:
        return enumValue(rep ? r->GetRepeatedEnumValue(m, f, index) : r->GetEnumValue(m, f),
                         f->enum_type());
      case FD::CPPTYPE_STRING: {
        const std::string s = rep ? r->GetRepeatedString(m, f, index) : r->GetString(m, f);
        return f->type() == FD::TYPE_BYTES ? bytes(f, s) : str(s);
      }
      case FD::CPPTYPE_MESSAGE: {
        const auto& sub = rep ? r->GetRepeatedMessage(m, f, index) : r->GetMessage(m, f);
        if (rep && sub.ByteSizeLong() == 0 && rnd_.chance(0.3)) return "null";
        return message(sub);
      }
    }
    return "null";
  }

  // A default value of `f` as JSON, for unset fields written explicitly.
  std::string defaultText(const FD* f) {
    if (f->is_repeated()) return "[]";
    switch (f->cpp_type()) {
      case FD::CPPTYPE_STRING:
        return "\"\"";
      case FD::CPPTYPE_BOOL:
        return "false";
      case FD::CPPTYPE_MESSAGE:
        return "{}";
      case FD::CPPTYPE_ENUM:
        return enumValue(0, f->enum_type());
      default:
        return rnd_.chance(0.3) ? "\"0\"" : "0";
    }
  }

  std::string array(const google::protobuf::Message& m, const FD* f, int begin, int end) {
    std::string out = "[" + ws();
    for (int i = begin; i < end; ++i) {
      if (i > begin) out += "," + ws();
      out += value(m, f, i);
    }
    return out + ws() + "]";
  }

  // Writes `m` as two objects whose merge is `m`: the first holds the first
  // part of each repeated field, the second everything else.
  std::pair<std::string, std::string> split(const google::protobuf::Message& m) {
    Object first;
    Object second;
    first.ordered = second.ordered = true;
    const auto* d = m.GetDescriptor();
    const auto* r = m.GetReflection();
    for (int i = 0; i < d->field_count(); ++i) {
      const FD* f = d->field(i);
      if (f->is_repeated()) {
        const int n = r->FieldSize(m, f);
        if (n == 0) continue;
        const int cut = static_cast<int>(rnd_.below(static_cast<uint64_t>(n) + 1));
        if (cut > 0) first.add(key(f), array(m, f, 0, cut));
        if (cut < n) second.add(key(f), array(m, f, cut, n));
      } else if (r->HasField(m, f)) {
        second.add(key(f), value(m, f, 0));
      }
    }
    return {finish(first), finish(second)};
  }

  std::string message(const google::protobuf::Message& m) {
    Object o;
    const auto* d = m.GetDescriptor();
    const auto* r = m.GetReflection();
    for (int i = 0; i < d->field_count(); ++i) {
      const FD* f = d->field(i);
      const bool oneof = f->real_containing_oneof() != nullptr;
      if (f->is_repeated()) {
        const int n = r->FieldSize(m, f);
        if (n == 0) {
          if (rnd_.chance(0.2)) o.add(key(f), rnd_.chance(0.5) ? "null" : "[]");
          continue;
        }
        if (n > 1 && rnd_.chance(0.1)) {
          const int cut = 1 + static_cast<int>(rnd_.below(static_cast<uint64_t>(n - 1)));
          o.add(key(f), array(m, f, 0, cut));
          o.add(key(f), array(m, f, cut, n));
          o.ordered = true;
          continue;
        }
        o.add(key(f), array(m, f, 0, n));
        continue;
      }
      if (!r->HasField(m, f)) {
        if (oneof || f->has_presence()) {
          if (rnd_.chance(0.1)) o.add(key(f), "null");
        } else if (rnd_.chance(0.2)) {
          o.add(key(f), rnd_.chance(0.5) ? "null" : defaultText(f));
        }
        continue;
      }
      // Not inside AnyValue: otlpjson::resolveAny keeps the last of two
      // arrayValue / kvlistValue occurrences instead of merging them.
      if (f->cpp_type() == FD::CPPTYPE_MESSAGE && d->name() != "AnyValue" && rnd_.chance(0.1)) {
        auto [a, b] = split(r->GetMessage(m, f));
        o.add(key(f), a);
        o.add(key(f), b);
        o.ordered = true;
        continue;
      }
      if (oneof && f->containing_type()->name() == "Metric" && rnd_.chance(0.1)) {
        // Another data member first, replaced by the real one.
        const auto* group = f->real_containing_oneof();
        const FD* other = group->field(static_cast<int>(rnd_.below(group->field_count())));
        if (other != f) {
          o.add(key(other), rnd_.chance(0.5) ? "{}" : R"({"dataPoints":[{}]})");
          o.ordered = true;
        }
      } else if (!oneof && f->cpp_type() != FD::CPPTYPE_MESSAGE && rnd_.chance(0.05)) {
        o.add(key(f), defaultText(f));  // a decoy the real value overrides
        o.ordered = true;
      }
      o.add(key(f), value(m, f, 0));
    }
    return finish(o);
  }

  OtlpRandom& rnd_;
};

// libprotobuf writes bytes fields as base64; OTLP/JSON wants ids in hex.
inline std::string idsToHex(std::string json) {
  static const std::string_view kKeys[] = {"\"traceId\":\"",       "\"spanId\":\"",
                                           "\"parentSpanId\":\"",  "\"trace_id\":\"",
                                           "\"span_id\":\"",       "\"parent_span_id\":\""};
  static const std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (std::string_view k : kKeys) {
    size_t pos = 0;
    while ((pos = json.find(k, pos)) != std::string::npos) {
      const size_t start = pos + k.size();
      const size_t end = json.find('"', start);
      std::string bytes;
      uint32_t acc = 0;
      int bits = 0;
      for (size_t i = start; i < end && json[i] != '='; ++i) {
        acc = (acc << 6) | static_cast<uint32_t>(kAlphabet.find(json[i]));
        bits += 6;
        if (bits >= 8) {
          bits -= 8;
          bytes.push_back(static_cast<char>((acc >> bits) & 0xFF));
        }
      }
      std::string hex;
      for (char c : bytes) {
        hex.push_back("0123456789abcdef"[static_cast<unsigned char>(c) >> 4]);
        hex.push_back("0123456789abcdef"[static_cast<unsigned char>(c) & 15]);
      }
      json.replace(start, end - start, hex);
      pos = start + hex.size();
    }
  }
  return json;
}

inline std::string libprotobufJson(const google::protobuf::Message& m, OtlpRandom& rnd) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_enums_as_ints = rnd.chance(0.5);
  options.preserve_proto_field_names = rnd.chance(0.5);
  options.always_print_primitive_fields = rnd.chance(0.3);
  std::string json;
  auto status = google::protobuf::util::MessageToJsonString(m, &json, options);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return idsToHex(json);
}

}  // namespace otelhouse::testing
