// insert_statement: reads the head of an INSERT the HTTP endpoint gets in
// ?query= while the data comes in the body, so that a Native body can go to
// Sink::insert() (streamed, binary-safe) instead of being glued to SQL text.
//
// Accepted (keywords case-insensitive, comments and whitespace anywhere):
//   INSERT INTO [TABLE] [db.]table [(col, ...)]
//     [SETTINGS name = value, ...] [FORMAT name] [SETTINGS name = value, ...] [;]
// Identifiers bare, `backquoted` or "double-quoted" (backslash escapes and
// doubled quotes); setting values are numbers, 'strings' or bare words, and
// come back as their text (strings unquoted). Anything else — VALUES, SELECT,
// a function as the table, expressions as settings — is not understood:
// the caller keeps the old path for it.
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace otelhouse {

struct InsertStatement {
  std::string database;  // "" when not qualified
  std::string table;
  std::vector<std::string> columns;  // the (col, ...) list; empty when absent
  std::string format;                // "" when no FORMAT clause
  std::vector<std::pair<std::string, std::string>> settings;
};

// True and fills *out when sql is an INSERT head as above.
bool parseInsertStatement(std::string_view sql, InsertStatement* out);

}  // namespace otelhouse
