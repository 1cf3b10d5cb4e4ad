// QueryGate: what a reader may run through the :8123 endpoint, decided before
// the engine sees the text. It is the outer of two walls:
//
//  1. The engine's own readonly=2 (appended to every statement by rewrite()):
//     no INSERT, DDL, ALTER, DROP, TRUNCATE, OPTIMIZE, SYSTEM, KILL, SET of
//     `readonly`; harmless settings (max_execution_time, output formats)
//     stay changeable, as HyperDX needs.
//  2. This gate, for what readonly=2 lets through on an engine whose only user
//     owns everything (chDB runs as `default` with every grant, so file(),
//     url(), INTO OUTFILE all work under readonly=2):
//     - one statement only (a `;` followed by anything but comments is
//       SYNTAX_ERROR 62 "Multi-statements are not allowed", as ClickHouse's
//       HTTP interface answers);
//     - the statement kind by allow-list: SELECT, WITH, SHOW, DESC[RIBE],
//       EXISTS, EXPLAIN, or `(` opening one of them; any other statement is
//       READONLY 164, a first word that is no statement SYNTAX_ERROR 62. The writer login (Mode::kWriter) may run any kind
//       (DDL and DML on the store's own tables) except SET and USE, which
//       would change the engine session the gateway's own inserts share
//       (ACCESS_DENIED 497); the rules below hold for it too, and its
//       statements run without readonly;
//     - table functions by allow-list: every `name(` in the text whose name
//       is a table function of the engine (kEngineTableFunctions, plus any
//       the engine reports at start) must be in kAllowedTableFunctions, else
//       ACCESS_DENIED 497. Checked wherever it appears, so the scalar file()
//       is caught too;
//     - INTO OUTFILE / FROM INFILE (the OUTFILE / INFILE keywords): 497;
//     - `ENGINE = X` with X outside kAllowedEngines (MergeTree family,
//       Memory, Null, Log family, Set, Join, Buffer, TimeSeries) and dictionary
//       SOURCE(...): 497;
//     - settings written in the text that widen access (`readonly` other
//       than 1 / 2, `allow_*`, anything naming a path or a directory,
//       `format_schema*`, `user_*`): READONLY 164. The writer may set
//       `readonly` and `allow_*` (ClickStack's DDL enables experimental
//       table kinds with them), never the others.
//
// The tokenizer follows ClickHouse's lexer where it matters for the walls:
// 'strings' and "quoted" / `quoted` identifiers with backslash escapes and
// doubled quotes, $tag$ heredocs $tag$, -- and "# " / "#!" line comments,
// nested /* */ comments. Unterminated strings or comments are SYNTAX_ERROR:
// the gate never guesses what the engine would see.
//
// Pure; thread-safe once built.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace otelhouse {

// Settings a client may send as URL parameters; passed to the engine in the
// statement's SETTINGS (HyperDX sends several of them).
bool isClientSetting(std::string_view name);
// Setting names that widen access (refused in URL parameters and in the text).
bool isWideningSetting(std::string_view name, std::string_view value);

class QueryGate {
 public:
  // `engine_table_functions`: names from the engine's system.table_functions
  // (may be empty; the built-in list still applies).
  explicit QueryGate(std::vector<std::string> engine_table_functions = {});

  // Ok with the statement to run (trailing `;` dropped), or the refusal as a
  // Status whose message is ClickHouse exception text ("Code: N. ...").
  enum class Mode { kReader, kWriter };
  Result<std::string> check(std::string_view sql, Mode mode = Mode::kReader) const;

  // check(), then the client's settings and readonly=2 appended as the
  // statement's last SETTINGS, so the engine enforces readonly itself. A
  // writer's statement comes back as check() gives it (a SETTINGS clause
  // appended to a CREATE would become the table's settings).
  Result<std::string> rewrite(std::string_view sql,
                              const std::vector<std::pair<std::string, std::string>>& settings,
                              Mode mode = Mode::kReader) const;

 private:
  std::vector<std::string> table_functions_;  // lower-cased, sorted
};

}  // namespace otelhouse
