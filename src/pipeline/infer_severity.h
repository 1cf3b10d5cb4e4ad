// infer_severity: the severity statement groups of ClickStack's `transform`
// processor.
//
// Group 2 runs only when the record came with neither a severity number nor
// a severity text (a producer's severity is never overwritten):
//  - promotion: the first of the attributes level, Level, LEVEL, severity,
//    Severity, SEVERITY, log.level (first entry of the key, after the JSON
//    body step) that holds a non-empty string becomes the severity text, and
//    its number comes from the keyword rule below applied to that text (no
//    keyword: INFO). This is the block hyperdx added between the JSON and the
//    inference blocks (PR #2363, HDX-4383); its smoke-test records are cases
//    in tests/pipeline/log_processor_test.cc;
//  - otherwise the keyword rule on the body (AsString, so a map body's JSON):
//    ExtractPatterns of "(?i)(?P<0>\b(alert|crit|emerg|fatal|error|err|warn|
//    notice|debug|dbug|trace))" over the first 256 bytes finds the first
//    keyword that starts at a word boundary (it may go on: "WARNING",
//    "errors"; "terror" has none), and the config's IsMatch cascade maps it:
//    alert|crit|emerg|fatal -> FATAL (21) "fatal", error|err -> ERROR (17),
//    warn|notice -> WARN (13), debug|dbug -> DEBUG (5), trace -> TRACE (1);
//    no keyword -> INFO (9) "info".
// Group 3 lower-cases the severity text of every record (Go's strings.ToLower).
//
// The patterns are the config's, compiled once with RE2 (the syntax of Go's
// regexp). Thread-safe: no state besides the shared compiled patterns.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "codec/log_record_hook.h"
#include "pipeline/log_attributes.h"
#include "pipeline/text_arena.h"

namespace otelhouse {

struct SeverityResult {
  uint8_t number = 0;
  std::string_view text;
};

// The keyword rule: the severity for the first keyword in the first 256
// bytes of `text`; false when there is none.
bool severityFromKeyword(std::string_view text, SeverityResult* out);

// Groups 2 and 3 for one record; `severity` starts as the record's.
void inferSeverity(const LogRecordView& record, const LogAttributes& attributes,
                   SeverityResult& severity, TextArena& arena);

// Go's strings.ToLower: ASCII and the cased letters of the Latin, Greek,
// Cyrillic and Armenian blocks; invalid UTF-8 bytes become U+FFFD.
void appendGoLower(std::string& out, std::string_view text);

}  // namespace otelhouse
