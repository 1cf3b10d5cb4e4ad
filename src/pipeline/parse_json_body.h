// parse_json_body: the first statement group of ClickStack's `transform`
// processor, statement by statement, with OTTL's semantics:
//
//   set(log.cache, ExtractPatterns(log.body, "(?P<0>(\\{.*\\}))")) where IsString(log.body)
//   merge_maps(log.attributes, ParseJSON(log.cache["0"]), "upsert") where IsMap(log.cache)
//   flatten(log.attributes) where IsMap(log.cache)
//   merge_maps(log.attributes, log.body, "upsert") where IsMap(log.body)
//
// What that means, which is not what it seems to say:
// - log.cache starts as an empty map, and ExtractPatterns returns an empty
//   map when nothing matches, so IsMap(log.cache) is always true: every
//   record's attributes are flattened, whatever its body;
// - the pattern (RE2, same syntax as Go's regexp) takes the text from the
//   first "{" to the last "}" of the first line that has both, so JSON inside
//   text is found; ParseJSON fails (and the statement is skipped, error_mode
//   ignore) unless that text is exactly one JSON object;
// - ParseJSON numbers are float64, so {"n": 10} gives n = "10" and large
//   integers lose precision as in Go;
// - a map body is merged after the flatten, so its nested values stay maps
//   (the exporter writes them as JSON).
// The body itself is never changed. Nothing here fails a record.
//
// Thread-safety: one JsonBodyParser per thread (it owns a parser); the
// compiled patterns are shared.
#pragma once

#include "codec/log_record_hook.h"
#include "codec/otlp_json_common.h"
#include "pipeline/flatten.h"
#include "pipeline/log_attributes.h"
#include "pipeline/text_arena.h"

namespace otelhouse {

class JsonBodyParser {
 public:
  // Applies the four statements to `attributes` (which start as the record's).
  void apply(const LogRecordView& record, LogAttributes& attributes, TextArena& arena);

 private:
  otlpjson::JsonScratch json_;
  Flattener flattener_;
};

// The `{...}` ExtractPatterns finds in `body`, or false when none.
bool extractJsonCandidate(std::string_view body, std::string_view* match);

}  // namespace otelhouse
