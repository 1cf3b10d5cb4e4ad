// flatten: OTTL's flatten(log.attributes) with its defaults (no prefix, no
// depth limit, no conflict resolution), as ClickStack's transform runs it.
//
// A map value becomes one entry per leaf, keys joined with "."; a slice's
// elements are keyed by index ("tags.0"), maps inside slices are flattened
// under "key.i.", and slices inside slices get OTTL's index form without a
// dot between the indexes ("matrix.01" for matrix[0][1]). Empty maps and
// slices vanish. A key that comes out twice keeps the last value at the
// place of the first (pcommon.Map.PutEmpty). Leaves keep their AsString
// text; ParseJSON numbers (float64) are rendered as Go renders doubles.
//
// Thread-safety: none; one Flattener per thread, reused across records.
#pragma once

#include <string_view>
#include <unordered_map>
#include <vector>

#include "pipeline/go_json_reader.h"
#include "pipeline/log_attributes.h"
#include "pipeline/text_arena.h"

namespace otelhouse {

class Flattener {
 public:
  // Rewrites `attributes`; new keys and texts are kept in `arena`.
  void flatten(LogAttributes& attributes, TextArena& arena);

 private:
  void put(std::string_view key, const LogAttr& value);
  void putLeaf(std::string_view key, LogValueKind kind, std::string_view text);

  // ParseJSON trees.
  void treeMap(simdjson::dom::object map, std::string_view prefix);
  void treeSlice(simdjson::dom::array slice, std::string_view prefix);
  void treeValue(std::string_view key, simdjson::dom::element v, std::string_view prefix);
  void treeLeaf(std::string_view key, simdjson::dom::element v);

  // Go JSON texts of the decoders' kvlist / array values.
  void textMap(std::string_view map, std::string_view prefix);
  void textSlice(std::string_view slice, std::string_view prefix);
  void textValue(std::string_view key, const GoJsonValue& v, std::string_view prefix);

  TextArena* arena_ = nullptr;
  std::vector<LogAttr> result_;
  std::unordered_map<std::string_view, size_t> index_;
};

// The LogAttr of a leaf from ParseJSON (numbers are doubles) or of a value
// the Go JSON reader met; containers keep their tree / text.
LogAttr attrOfElement(std::string_view key, simdjson::dom::element v, TextArena& arena);
LogAttr attrOfGoJson(std::string_view key, const GoJsonValue& v);

}  // namespace otelhouse
