// LogAttributes: a record's attributes while the log transforms rewrite
// them, with the semantics of the collector's pcommon.Map that OTTL
// statements act on: entries keep their order and may repeat a key (as they
// came off the wire); get() finds the first entry of a key; upsert()
// replaces the first entry's value or appends.
//
// Values are AsString texts with their kind. A kArray / kKvlist value is
// either the Go JSON text of the value (as the decoders render it) or, for
// values ParseJSON produced, a simdjson element (`tree`) of the body parser.
//
// Buffer lifetimes: keys and texts are views into the decoder's record view,
// a TextArena or the body parser's document; all live until the record has
// been written. Not thread-safe.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "codec/log_record_hook.h"

namespace otelhouse {

struct LogAttr {
  std::string_view key;
  LogValueKind kind = LogValueKind::kEmpty;
  std::string_view text;
  bool tree = false;             // `element` holds the value (ParseJSON output)
  simdjson::dom::element element;
};

class LogAttributes {
 public:
  void reset(std::span<const LogAttributeView> attributes);
  std::vector<LogAttr>& entries() { return entries_; }
  const std::vector<LogAttr>& entries() const { return entries_; }
  // pcommon.Map.Get: the first entry with `key`.
  const LogAttr* get(std::string_view key) const;
  // merge_maps(..., "upsert") for one key.
  void upsert(const LogAttr& attr);
  // The LogAttributes row as the exporter writes it: keys sorted bytewise,
  // the last of duplicate keys wins, values as text (MapColumn serialized).
  void serialize(std::string& keys, std::string& values, size_t& count);

 private:
  std::vector<LogAttr> entries_;
  std::vector<uint32_t> order_;
};

// Serializes views the same way (used for records no transform touches).
void serializeAttributeViews(std::span<const LogAttributeView> attributes,
                             std::vector<uint32_t>& order, std::string& keys,
                             std::string& values, size_t& count);

}  // namespace otelhouse
