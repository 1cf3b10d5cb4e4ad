// otlp_json_common: what every OTLP/JSON decoder (logs, traces, metrics) shares
// — a reusable padded simdjson DOM parse, the proto3-JSON scalar readers as
// the Go collector's pdata unmarshaler accepts them, AnyValue rendering as
// pcommon.Value.AsString, and attribute maps as Map(String, String) entries.
//
// Accepted JSON: what the Go collector's pdata unmarshaler accepts plus the
// proto3-JSON forms it lacks, except where noted ("refused"):
// - field names in lowerCamelCase or snake_case; unknown fields are ignored;
// - 64/32-bit integers as JSON integers or decimal strings; enums as integers,
//   decimal strings or their proto names;
// - doubles as numbers or strings ("NaN", "Infinity", "-Infinity", decimal);
//   "-0" keeps its sign and integers beyond 64 bits are doubles, as in Go
//   (simdjson reads neither so: such tokens are rewritten before parsing);
// - escaped UTF-16 surrogates that do not pair up decode to U+FFFD, as in Go;
//   raw bytes that are not UTF-8 are refused (RFC 8259 requires UTF-8), and
//   so is anything after the top-level object;
// - ids as hex strings of exactly 2*size digits, any case ("" is all zero);
// - bytesValue as base64, standard or URL-safe alphabet, padding optional;
// - null for any field means the field is absent (its default value); a null
//   element where a message is expected is an empty message;
// - a field given twice behaves as in the protobuf wire format: scalars and
//   oneof members take the last value, repeated fields concatenate, messages
//   merge.
// Everything else (wrong JSON types, out-of-range numbers, bad hex / base64,
// malformed or truncated JSON) is Code::kInvalidArgument with a message that
// names the path, e.g. "resourceLogs[0].scopeLogs[1].logRecords[2].traceId:
// invalid hex".
//
// Buffer lifetimes: element views and string_views handed out point into the
// parser held by JsonScratch and stay valid until its next parse(). Not
// thread-safe: one JsonScratch per thread (decoders keep a thread_local one).
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace otelhouse::otlpjson {

using Element = simdjson::dom::element;

// True when `key` is the lowerCamelCase or the snake_case name of a field.
inline bool isField(std::string_view key, std::string_view camel, std::string_view snake) {
  return key == camel || key == snake;
}

// The place being decoded, kept as a stack of segments and turned into text
// only when an error is reported.
class JsonPath {
 public:
  void push(std::string_view field) { add({field, -1}); }
  void pushIndex(size_t index) { add({{}, static_cast<int64_t>(index)}); }
  void pop() { --size_; }
  void clear() { size_ = 0; }
  std::string str() const;

 private:
  struct Segment {
    std::string_view field;  // empty for an array index
    int64_t index;
  };
  // Pushed for every field and element read, so kept to a store and an
  // increment; the storage only grows.
  void add(Segment s) {
    if (size_ == segments_.size()) segments_.resize(size_ < 64 ? 64 : 2 * size_);
    segments_[size_++] = s;
  }
  std::vector<Segment> segments_;
  size_t size_ = 0;
};

class PathScope {
 public:
  PathScope(JsonPath& path, std::string_view field) : path_(path) { path_.push(field); }
  PathScope(JsonPath& path, size_t index) : path_(path) { path_.pushIndex(index); }
  ~PathScope() { path_.pop(); }
  PathScope(const PathScope&) = delete;
  PathScope& operator=(const PathScope&) = delete;

 private:
  JsonPath& path_;
};

enum class AnyKind : uint8_t { kEmpty, kString, kBool, kInt, kDouble, kBytes, kArray, kKvlist };

// An AnyValue whose oneof member has been chosen but not yet read: `el` is
// the member's JSON value (for arrays and kvlists the ArrayValue /
// KeyValueList object). `member` is the member's canonical name, for paths.
struct AnyRef {
  AnyKind kind = AnyKind::kEmpty;
  Element el;
  std::string_view member;
};

struct EnumName {
  std::string_view name;
  int32_t value;
};

// Scratch state of one decoding thread: the parser, the padded copy of the
// body, the path, and stacks reused across records so that steady-state
// decoding allocates nothing per record.
class JsonScratch {
 public:
  JsonScratch();

  // Copies `body` into the padded buffer and parses it; the root must be an
  // object (or null, an empty request).
  Status parse(std::string_view body, Element& root);
  // Drops buffers that grew past `limit` bytes so one huge request does not
  // pin its memory for the life of the thread.
  void trim(size_t limit);

  JsonPath& path() { return path_; }
  Status fail(std::string_view what) const;
  Status failType(std::string_view expected) const;

  // Scalar readers; a null value yields the default. The current path must
  // already name the field.
  Status readString(Element el, std::string_view& out);
  Status readBool(Element el, bool& out);
  Status readUint64(Element el, uint64_t& out);
  Status readInt64(Element el, int64_t& out);
  Status readUint32(Element el, uint32_t& out);
  Status readInt32(Element el, int32_t& out);
  Status readDouble(Element el, double& out);
  Status readEnum(Element el, const EnumName* names, size_t count, int32_t& out);
  // Reads an id of `bytes` bytes; `hex` receives the lowercase hex form, or
  // nothing when the id is empty or all zero (the exporters' rendering).
  // With `keep_zero` an empty or all-zero id is 2 * bytes zeros instead (Go's
  // hex.EncodeToString of the fixed-size id array, as exemplars are written).
  Status readId(Element el, size_t bytes, std::string& hex, bool keep_zero = false);

  // Calls fn(index, element) for each element of a JSON array (null: none).
  template <class Fn>
  Status forEach(Element el, Fn&& fn);
  // Calls fn(key, value) for each member of an object (null: none).
  template <class Fn>
  Status forEachField(Element el, Fn&& fn);

  // Folds the members of one AnyValue object into `ref` (last member wins,
  // so calling this for each occurrence of a repeated "value" key merges).
  Status resolveAny(Element el, AnyRef& ref);
  // Appends pcommon.Value.AsString of `ref` to `out`.
  Status appendAsString(const AnyRef& ref, std::string& out);

  // Attribute maps: beginMap(), addKeyValues() for each `attributes` array,
  // then finishMap() which sorts keys bytewise, keeps the last of duplicate
  // keys and writes each entry serialized as a Native String (varint length
  // + bytes) into keys / values. Every value is read, dropped duplicates too,
  // so an invalid one is an error whatever its position.
  size_t beginMap() const { return entries_.size(); }
  Status addKeyValues(Element array, std::string_view field);
  // AsString of the first entry since `mark` whose key is `key` (pcommon's
  // Map.Get); false when there is none.
  Status firstValue(size_t mark, std::string_view key, std::string& out, bool& found);
  Status finishMap(size_t mark, std::string& keys, std::string& values, size_t& count);

 private:
  struct Entry {
    std::string_view key;
    AnyRef value;
    std::string_view field;  // the attributes field it came from, for paths
    uint32_t index;          // its index in that array, for paths
    uint32_t seq;            // order of appearance, so the last duplicate wins
  };

  // Appends the Go encoding/json text of `ref`; clears `finite` when a NaN or
  // infinite double makes json.Marshal fail.
  Status appendJson(const AnyRef& ref, std::string& out, bool& finite);
  Status appendBytes(const AnyRef& ref, std::string& out, bool quoted);
  void sortEntries(size_t mark);
  Status renderEntryValue(const Entry& e, std::string& out);
  void reservePadded(size_t size);
  simdjson::error_code parseNormalized(std::string_view body, Element& root);

  simdjson::dom::parser parser_;
  std::unique_ptr<char[]> padded_;
  size_t padded_capacity_ = 0;
  JsonPath path_;
  std::vector<Entry> entries_;
  uint32_t next_seq_ = 0;
  std::string bytes_;    // decoded bytesValue
  std::string value_;    // one rendered map value
  std::string discard_;  // renderings of dropped duplicates
};

// The InstrumentationScope fields other than its attributes.
struct ScopeFields {
  std::string_view name;
  std::string_view version;
  uint32_t dropped_attributes_count = 0;
};

// Reads a Resource object; its attributes are added to the map being built
// (see JsonScratch::beginMap). Paths read "resource.attributes[i]...": the
// map's values are rendered later, when "resource" is no longer on the path.
Status readResource(JsonScratch& js, Element el);
// Reads an InstrumentationScope object into `out` (fields seen again
// overwrite, as a repeated message merges); attributes as readResource.
Status readScope(JsonScratch& js, Element el, ScopeFields& out);

template <class Fn>
Status JsonScratch::forEach(Element el, Fn&& fn) {
  if (el.is_null()) return Status::ok();
  simdjson::dom::array array;
  if (el.get_array().get(array) != simdjson::SUCCESS) return failType("an array");
  size_t i = 0;
  for (Element item : array) {
    PathScope scope(path_, i);
    Status s = fn(i, item);
    if (!s) return s;
    ++i;
  }
  return Status::ok();
}

template <class Fn>
Status JsonScratch::forEachField(Element el, Fn&& fn) {
  if (el.is_null()) return Status::ok();
  simdjson::dom::object object;
  if (el.get_object().get(object) != simdjson::SUCCESS) return failType("an object");
  for (auto field : object) {
    Status s = fn(field.key, field.value);
    if (!s) return s;
  }
  return Status::ok();
}

}  // namespace otelhouse::otlpjson
