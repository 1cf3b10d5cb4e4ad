// AnyValueRenderer: turns OTLP AnyValue / KeyValue protobuf payloads into the
// text the Go collector's clickhouse exporter stores (pcommon.Value.AsString,
// see codec/go_text.h), without building a message tree. Shared by the logs,
// traces and metrics decoders, together with the specs of the common OTLP
// messages (kAnyValueSpec, kKeyValueSpec, kResourceSpec, kScopeSpec).
//
// Input must already have passed validateProto (codec/proto_reader.h) for a
// spec that contains these messages; the renderer then trusts the wire
// format and does no depth checks of its own (validation bounded the depth).
//
// Protobuf merge semantics, as libprotobuf applies them: a singular embedded
// message that occurs several times is the merge of its occurrences, which is
// the same as parsing the concatenation of their payloads. So a message is
// handled as a list of segments (views) kept on an internal stack: a KeyValue
// whose `value` occurs twice has a two-segment AnyValue; an AnyValue whose
// kvlist_value occurs twice (with no other member in between) is one
// KeyValueList of two segments. Scalars and strings: the last one wins; a oneof
// member replaces the others.
//
// Attribute maps (sortedUnique) follow the exporter: keys sorted bytewise,
// the last duplicate key wins.
//
// Buffer lifetimes: segments, AnyValueRef::str and the views returned by
// asString point into the request buffer or into the caller's scratch string;
// they are valid until the next call that writes that scratch or until the
// request buffer goes away. Stack marks (segMark / entryMark) let callers
// release what they pushed. Not thread-safe; one renderer per thread, reused
// across requests so that steady-state decoding does not allocate.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "codec/proto_reader.h"

namespace otelhouse {

extern const ProtoMessageSpec kAnyValueSpec;
extern const ProtoMessageSpec kKeyValueSpec;
extern const ProtoMessageSpec kResourceSpec;
extern const ProtoMessageSpec kInstrumentationScopeSpec;

struct AnyValueRef {
  enum Kind : uint8_t { kEmpty, kString, kBool, kInt, kDouble, kBytes, kArray, kKvlist };
  Kind kind = kEmpty;
  bool b = false;
  int64_t i = 0;
  double d = 0;
  std::string_view str;  // kString, kBytes
  // kArray / kKvlist: the ArrayValue / KeyValueList segments on the stack.
  uint32_t seg_begin = 0;
  uint32_t seg_end = 0;
};

struct AttributeEntry {
  std::string_view key;
  AnyValueRef value;
  uint32_t order = 0;
};

class AnyValueRenderer {
 public:
  // --- segment stack
  size_t segMark() const { return segs_.size(); }
  void pushSegment(std::string_view s) { segs_.push_back(s); }
  void releaseSegments(size_t mark) { segs_.resize(mark); }
  std::string_view segment(size_t i) const { return segs_[i]; }

  // Resolves the AnyValue made of segments [begin, end) of the stack; the
  // members of an array / kvlist are pushed on the stack.
  AnyValueRef resolve(size_t begin, size_t end);
  // The same, checking the wire format while it walks, as validateProto
  // would check these AnyValue payloads (each segment on its own, as
  // libprotobuf parses each occurrence): `budget` is the depth budget of the
  // AnyValue's own reader. Array and kvlist members are validated whole,
  // whether or not they end up the value, since libprotobuf parses every
  // occurrence. Returns false on malformed input (the stacks are then in an
  // unspecified state above the caller's marks: release them).
  bool resolveChecked(size_t begin, size_t end, int budget, AnyValueRef* out);
  AnyValueRef resolveOne(std::string_view payload) {
    const size_t b = segMark();
    pushSegment(payload);
    return resolve(b, b + 1);
  }

  // --- attribute entries
  size_t entryMark() const { return entries_.size(); }
  void releaseEntries(size_t mark) { entries_.resize(mark); }
  // Parses one KeyValue payload and appends its entry.
  void addKeyValue(std::string_view payload);
  // The same, checking the wire format as validateProto(kKeyValueSpec) would;
  // `budget` is the depth budget of the KeyValue's own reader. This fuses
  // validation into decoding for the per-record hot path.
  bool addKeyValueChecked(std::string_view payload, int budget);
  // Adds the entries of every `field` (repeated KeyValue) of the messages in
  // segments [begin, end).
  void addKeyValues(size_t seg_begin, size_t seg_end, uint32_t field);
  // Sorts entries [begin, end()) by key (stable), keeps the last of each
  // key, and returns the new end; the unique entries are [begin, result).
  size_t sortedUnique(size_t begin);
  // By value: rendering a value may grow the entry stack.
  AttributeEntry entry(size_t i) const { return entries_[i]; }
  // The first entry in [begin, end()) with `key`, in wire order (what
  // pcommon.Map.Get finds); nullptr when none. Call before sortedUnique.
  const AttributeEntry* findFirst(size_t begin, std::string_view key) const;

  // Values are taken by value on purpose: rendering pushes onto the stacks,
  // which would move a referenced entry.
  // pcommon.Value.AsString: a view of the string itself, or of the text
  // appended to *scratch (which is cleared first).
  std::string_view asString(AnyValueRef v, std::string* scratch);
  // Appends the Go encoding/json text of AsRaw(); false for NaN / Inf
  // inside (the caller then drops what was appended).
  bool appendJson(AnyValueRef v, std::string* out);

 private:
  template <bool kChecked>
  bool resolveImpl(size_t begin, size_t end, int budget, AnyValueRef* out);

  std::vector<std::string_view> segs_;
  std::vector<AttributeEntry> entries_;
  std::vector<AttributeEntry> sort_scratch_;
};

}  // namespace otelhouse
