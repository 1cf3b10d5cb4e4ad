// GoJsonReader: walks JSON text that the decoders rendered the way Go's
// encoding/json writes AsRaw() of a map or slice (codec/go_text.h), to get
// back at the members of kvlist / array values without a second decoder.
//
// The text is trusted to be well formed; if it is not (a value whose
// rendering failed is ""), the walk stops and returns false, never reads out
// of bounds. Numbers keep their text, which is already what AsString gives.
// Decoded strings are views into the text, or into the arena when they held
// escapes. Not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "pipeline/text_arena.h"

namespace otelhouse {

struct GoJsonValue {
  enum Type : uint8_t { kNull, kBool, kInt, kDouble, kString, kObject, kArray };
  Type type = kNull;
  std::string_view raw;  // the value's text (for kObject / kArray, the whole container)
  std::string_view str;  // kString: the decoded string
};

class GoJsonReader {
 public:
  explicit GoJsonReader(TextArena& arena) : arena_(arena) {}
  // `object` / `array` are the texts of one object / array.
  bool forEachMember(std::string_view object,
                     const std::function<void(std::string_view key, const GoJsonValue&)>& fn);
  bool forEachElement(std::string_view array, const std::function<void(const GoJsonValue&)>& fn);

 private:
  bool value(std::string_view s, size_t& i, GoJsonValue& v);
  bool string(std::string_view s, size_t& i, std::string_view& out);
  bool skipContainer(std::string_view s, size_t& i);

  TextArena& arena_;
};

}  // namespace otelhouse
