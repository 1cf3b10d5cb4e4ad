// sql_text: the little SQL reading the HTTP endpoint needs before it hands a
// query to the engine — ClickHouse query parameters ({name:Type} filled from
// param_name URL arguments), the statement's first keyword (GET is read-only),
// and a trailing FORMAT clause (for X-ClickHouse-Format / Content-Type).
//
// The scanner skips string literals ('...' with backslash escapes and ''),
// quoted identifiers ("..." and `...`) and comments (--, #!, /* */), so text
// inside them is never touched.
//
// Parameter substitution (what ClickHouse's ReplaceQueryParameterVisitor does,
// done on the text because the engine gets SQL text):
//   Identifier             `name` (dotted values become `db`.`table`)
//   String, FixedString,
//   LowCardinality/Nullable of them   '<value>' — the value is in ClickHouse's
//                          escaped text format, which a quoted literal reads
//                          the same way; bare quotes get a backslash
//   \N for a Nullable type NULL
//   any other type         CAST('<value as a fully escaped literal>' AS Type),
//                          so the engine parses the text as that type
//                          (numbers, dates, arrays, maps, tuples...)
// A placeholder with no value is an UNKNOWN_QUERY_PARAMETER (456) error.
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace otelhouse {

using QueryParams = std::vector<std::pair<std::string, std::string>>;

// `params` holds names without the param_ prefix. On failure the Status
// message is a ClickHouse exception text ("Code: N. ...").
Result<std::string> substituteQueryParameters(std::string_view sql, const QueryParams& params);

// One past the end of the quoted run that opens at `i` ('...', "..." or
// `...`, the quote being sql[i]; backslash escapes and doubled quotes, as
// ClickHouse reads them), or npos when it never closes.
size_t sqlEndOfQuoted(std::string_view sql, size_t i);

// Upper-cased first word of the statement, after comments, whitespace and
// opening parentheses ("SELECT", "INSERT", ...); "" when none.
std::string firstKeyword(std::string_view sql);

// The format named by a FORMAT clause that ends the statement ("JSON" in
// "SELECT 1 FORMAT JSON;"), or "" when there is none. Not for INSERT, whose
// FORMAT names the input.
std::string trailingFormat(std::string_view sql);

}  // namespace otelhouse
