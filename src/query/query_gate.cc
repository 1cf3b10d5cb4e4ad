#include "query/query_gate.h"

#include <algorithm>
#include <array>
#include <iterator>

#include "query/clickhouse_error.h"
#include "query/sql_text.h"

namespace otelhouse {

namespace {

// The engine's table functions (chDB 26.7, system.table_functions), so the
// gate knows them even when the engine could not be asked.
constexpr std::string_view kEngineTableFunctions[] = {
    "sqlstandardvalues", "arrowstream", "azureblobstorage", "azureblobstoragecluster", "cluster",
    "clusterallreplicas", "cosn", "deltalake", "deltalakeazure", "deltalakeazurecluster",
    "deltalakecluster", "deltalakelocal", "deltalakes3", "deltalakes3cluster", "dictionary",
    "eval", "executable", "file", "filecluster", "filesystem", "format", "fuzzjson", "fuzzquery",
    "gcs", "generaterandom", "generateseries", "generate_series", "hdfs", "hdfscluster", "hudi",
    "hudicluster", "iceberg", "icebergazure", "icebergazurecluster", "icebergcluster",
    "iceberghdfs", "iceberghdfscluster", "iceberglocal", "iceberglocalcluster",
    "icebergs3", "icebergs3cluster", "input", "jdbc", "loop", "merge", "mergetreeanalyzeindexes",
    "mergetreeanalyzeindexesuuid", "mergetreeindex", "mergetreeprojection", "mergetreetextindex",
    "mongodb", "mysql", "null", "numbers", "numbers_mt", "odbc", "oss", "paimon", "paimonazure",
    "paimonazurecluster", "paimoncluster", "paimonhdfs", "paimonhdfscluster", "paimonlocal",
    "paimons3", "paimons3cluster", "postgresql", "primes", "prometheusquery",
    "prometheusqueryrange", "redis", "remote", "remotesecure", "s3", "s3cluster", "sqlite",
    "timeseriesdata", "timeseriesmetrics", "timeseriessamples", "timeseriesselector",
    "timeseriestags", "url", "urlcluster", "values", "view", "viewexplain", "viewifpermitted",
    "ytsaurus", "zeros", "zeros_mt", "azureblobstorage", "s3queue", "azurequeue", "kafka",
    "nats", "rabbitmq", "hive", "mysql", "postgres", "sqlite"};

// Table functions that compute rows or read the engine's own query, never a
// file, a socket, another server or another process.
constexpr std::string_view kAllowedTableFunctions[] = {
    "numbers", "numbers_mt", "zeros", "zeros_mt", "generate_series", "generateseries",
    "primes", "values", "null", "view", "viewifpermitted", "viewexplain", "format"};

// Table engines that keep rows in the store (or nowhere), never in a file,
// a socket, another server, a queue or a process.
constexpr std::string_view kAllowedEngines[] = {
    "mergetree", "replacingmergetree", "summingmergetree", "aggregatingmergetree",
    "collapsingmergetree", "versionedcollapsingmergetree", "coalescingmergetree", "memory",
    "null", "log", "tinylog", "stripelog", "set", "join", "buffer", "timeseries"};

// Every statement keyword ClickHouse knows; one of these that is not a read is
// READONLY, any other first word a syntax error, as from a readonly server.
constexpr std::string_view kStatementKinds[] = {
    "select", "with", "show", "desc", "describe", "exists", "explain", "insert", "create",
    "drop", "alter", "truncate", "optimize", "system", "kill", "set", "use", "rename", "detach",
    "attach", "grant", "revoke", "backup", "restore", "delete", "update", "undrop", "exchange",
    "check", "watch", "move", "begin", "commit", "rollback", "replace", "execute", "copy",
    "parallel"};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool startsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

bool isWordStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isWordChar(char c) { return isWordStart(c) || isDigit(c); }
bool isSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

enum class Kind { kWord, kString, kNumber, kPunct, kSemicolon };

struct Token {
  Kind kind;
  bool quoted = false;  // a "quoted" or `quoted` identifier
  std::string word;     // lower-cased identifier, or a string's raw contents
  char punct = 0;
  size_t begin = 0;
  size_t end = 0;
};

Status syntaxError(std::string_view what, size_t pos) {
  return Status::invalid(formatException(
      ch_error::kSyntaxError, "SYNTAX_ERROR",
      std::string(what) + " at position " + std::to_string(pos + 1)));
}

Status readonlyError(std::string_view text) {
  return Status::invalid(formatException(ch_error::kReadonly, "READONLY", text));
}

Status accessDenied(std::string_view text) {
  return Status::invalid(formatException(ch_error::kAccessDenied, "ACCESS_DENIED", text));
}

std::string unquote(std::string_view quoted) {
  std::string out;
  const char q = quoted.front();
  for (size_t i = 1; i + 1 < quoted.size(); ++i) {
    char c = quoted[i];
    if (c == '\\' && i + 2 < quoted.size()) {
      out += quoted[++i];
    } else if (c == q && i + 2 < quoted.size() && quoted[i + 1] == q) {
      out += q;
      ++i;
    } else {
      out += c;
    }
  }
  return out;
}

Status tokenize(std::string_view sql, std::vector<Token>* out) {
  size_t i = 0;
  const size_t n = sql.size();
  while (i < n) {
    const char c = sql[i];
    const char next = i + 1 < n ? sql[i + 1] : '\0';
    if (isSpace(c)) {
      ++i;
      continue;
    }
    if ((c == '-' && next == '-') || (c == '#' && (next == ' ' || next == '!'))) {
      const size_t eol = sql.find('\n', i);
      i = eol == std::string_view::npos ? n : eol + 1;
      continue;
    }
    if (c == '/' && next == '*') {
      // ClickHouse's comments nest.
      size_t depth = 1, j = i + 2;
      while (j < n && depth > 0) {
        if (sql[j] == '/' && j + 1 < n && sql[j + 1] == '*') {
          ++depth;
          j += 2;
        } else if (sql[j] == '*' && j + 1 < n && sql[j + 1] == '/') {
          --depth;
          j += 2;
        } else {
          ++j;
        }
      }
      if (depth > 0) return syntaxError("Unterminated comment", i);
      i = j;
      continue;
    }
    Token t;
    t.begin = i;
    if (c == '\'' || c == '"' || c == '`') {
      const size_t end = sqlEndOfQuoted(sql, i);
      if (end == std::string_view::npos) return syntaxError("Unterminated quoted text", i);
      t.kind = c == '\'' ? Kind::kString : Kind::kWord;
      t.quoted = c != '\'';
      t.word = unquote(sql.substr(i, end - i));
      if (t.quoted) t.word = lower(t.word);
      i = end;
    } else if (c == '$') {
      // $tag$ ... $tag$ heredoc; a lone $ is punctuation the engine rejects.
      size_t j = i + 1;
      while (j < n && isWordChar(sql[j])) ++j;
      if (j < n && sql[j] == '$') {
        const std::string_view tag = sql.substr(i, j - i + 1);
        const size_t close = sql.find(tag, j + 1);
        if (close == std::string_view::npos) return syntaxError("Unterminated heredoc", i);
        t.kind = Kind::kString;
        t.word = std::string(sql.substr(j + 1, close - j - 1));
        i = close + tag.size();
      } else {
        t.kind = Kind::kPunct;
        t.punct = c;
        ++i;
      }
    } else if (isWordStart(c)) {
      size_t j = i;
      while (j < n && isWordChar(sql[j])) ++j;
      t.kind = Kind::kWord;
      t.word = lower(sql.substr(i, j - i));
      i = j;
    } else if (isDigit(c)) {
      size_t j = i;
      while (j < n && (isWordChar(sql[j]) || sql[j] == '.')) ++j;
      t.kind = Kind::kNumber;
      t.word = std::string(sql.substr(i, j - i));
      i = j;
    } else if (c == ';') {
      t.kind = Kind::kSemicolon;
      t.punct = c;
      ++i;
    } else {
      t.kind = Kind::kPunct;
      t.punct = c;
      ++i;
    }
    t.end = i;
    out->push_back(std::move(t));
  }
  return Status::ok();
}

bool isBare(const Token& t, std::string_view word) {
  return t.kind == Kind::kWord && !t.quoted && t.word == word;
}
bool isPunct(const Token& t, char c) { return t.kind == Kind::kPunct && t.punct == c; }

// Checks the `name = value, ...` list after the SETTINGS at tokens[i].
// A writer may set allow_* (ClickStack's DDL enables experimental table
// kinds) and readonly; never a path.
Status checkSettingsClause(const std::vector<Token>& tokens, size_t i, bool writer) {
  int depth = 0;
  size_t j = i + 1;
  while (j + 1 < tokens.size()) {
    if (tokens[j].kind != Kind::kWord || !isPunct(tokens[j + 1], '=')) return Status::ok();
    const std::string& name = tokens[j].word;
    std::string value = j + 2 < tokens.size() ? tokens[j + 2].word : std::string();
    if (j + 2 < tokens.size() && tokens[j + 2].kind == Kind::kPunct) value = "?";
    const bool widening = writer ? isWideningSetting(name, "1") && name != "readonly" &&
                                       name.compare(0, 6, "allow_") != 0
                                 : isWideningSetting(name, value);
    if (widening) {
      return readonlyError("Cannot modify '" + name +
                           "' setting in readonly mode: the SQL endpoint is read-only");
    }
    // Skip the value up to the next comma at this level.
    j += 2;
    while (j < tokens.size()) {
      const Token& t = tokens[j];
      if (isPunct(t, '(') || isPunct(t, '[')) ++depth;
      if (isPunct(t, ')') || isPunct(t, ']')) {
        if (depth == 0) return Status::ok();
        --depth;
      }
      if (depth == 0 && isPunct(t, ',')) break;
      if (depth == 0 && t.kind == Kind::kWord && !t.quoted &&
          (t.word == "format" || t.word == "settings" || t.word == "union" ||
           t.word == "except" || t.word == "intersect")) {
        return Status::ok();
      }
      ++j;
    }
    if (j >= tokens.size()) return Status::ok();
    ++j;  // the comma
  }
  return Status::ok();
}

bool plainNumber(std::string_view v) {
  if (v.empty()) return false;
  for (char c : v) {
    if (!isDigit(c) && c != '.') return false;
  }
  return true;
}

}  // namespace

bool isWideningSetting(std::string_view raw_name, std::string_view value) {
  const std::string name = lower(raw_name);
  if (name == "readonly") return !(value == "1" || value == "2");
  return startsWith(name, "allow_") || name.find("path") != std::string::npos ||
         name.find("director") != std::string::npos || startsWith(name, "format_schema") ||
         startsWith(name, "user_") || name == "profile" || startsWith(name, "external_");
}

bool isClientSetting(std::string_view raw_name) {
  const std::string name = lower(raw_name);
  static constexpr std::array<std::string_view, 24> kExact = {
      "max_execution_time",   "timeout_overflow_mode", "max_result_rows",
      "max_result_bytes",     "result_overflow_mode",  "max_rows_to_read",
      "max_bytes_to_read",    "read_overflow_mode",    "max_threads",
      "max_block_size",       "max_memory_usage",      "max_rows_to_group_by",
      "group_by_overflow_mode", "date_time_output_format", "date_time_input_format",
      "session_timezone",     "cast_keep_nullable",    "extremes",
      "join_use_nulls",       "max_query_size",        "optimize_read_in_order",
      "use_query_cache",      "short_circuit_function_evaluation", "enable_analyzer"};
  if (std::find(kExact.begin(), kExact.end(), name) != kExact.end()) return true;
  return startsWith(name, "output_format_") && name.find("path") == std::string::npos;
}

QueryGate::QueryGate(std::vector<std::string> engine_table_functions) {
  for (auto f : kEngineTableFunctions) table_functions_.emplace_back(f);
  for (const auto& f : engine_table_functions) table_functions_.push_back(lower(f));
  std::sort(table_functions_.begin(), table_functions_.end());
  table_functions_.erase(std::unique(table_functions_.begin(), table_functions_.end()),
                         table_functions_.end());
}

Result<std::string> QueryGate::check(std::string_view sql, Mode mode) const {
  std::vector<Token> tokens;
  if (Status st = tokenize(sql, &tokens); !st.isOk()) return st;

  // One statement: a ';' may be followed only by more ';' and comments.
  size_t statement_end = sql.size();
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (tokens[i].kind != Kind::kSemicolon) continue;
    for (size_t j = i + 1; j < tokens.size(); ++j) {
      if (tokens[j].kind != Kind::kSemicolon) {
        return Status::invalid(formatException(ch_error::kSyntaxError, "SYNTAX_ERROR",
                                                       "Multi-statements are not allowed"));
      }
    }
    statement_end = tokens[i].begin;
    tokens.resize(i);
    break;
  }
  if (tokens.empty()) {
    return Status::invalid(
        formatException(ch_error::kSyntaxError, "SYNTAX_ERROR", "Empty query"));
  }

  size_t first = 0;
  while (first < tokens.size() && isPunct(tokens[first], '(')) ++first;
  static constexpr std::array<std::string_view, 7> kReadKinds = {
      "select", "with", "show", "desc", "describe", "exists", "explain"};
  if (mode == Mode::kWriter) {
    if (first < tokens.size() && (isBare(tokens[first], "set") || isBare(tokens[first], "use"))) {
      return accessDenied("SET and USE are not allowed on the SQL endpoint: they would change "
                          "the engine session the gateway's own inserts use");
    }
  } else if (first == tokens.size() || tokens[first].kind != Kind::kWord || tokens[first].quoted ||
             std::find(std::begin(kStatementKinds), std::end(kStatementKinds),
                       tokens[first].word) == std::end(kStatementKinds)) {
    // Not a statement at all: what ClickHouse's parser says of it.
    return syntaxError("Syntax error: unknown statement", first < tokens.size() ? tokens[first].begin : 0);
  } else if (std::find(kReadKinds.begin(), kReadKinds.end(), tokens[first].word) ==
             kReadKinds.end()) {
    return readonlyError(
        "Cannot execute query in readonly mode: the SQL endpoint runs SELECT, WITH, SHOW, "
        "DESCRIBE, EXISTS and EXPLAIN for this login (writes need query.writer_user)");
  }

  for (size_t i = 0; i < tokens.size(); ++i) {
    const Token& t = tokens[i];
    if (t.kind != Kind::kWord) continue;
    if (i + 1 < tokens.size() && isPunct(tokens[i + 1], '(') &&
        std::binary_search(table_functions_.begin(), table_functions_.end(), t.word) &&
        std::find(std::begin(kAllowedTableFunctions), std::end(kAllowedTableFunctions), t.word) ==
            std::end(kAllowedTableFunctions)) {
      return accessDenied("Table function " + t.word +
                          " is not allowed: the SQL endpoint reads the store's own tables only");
    }
    if (!t.quoted && i > 0 && tokens[i - 1].kind == Kind::kWord && !tokens[i - 1].quoted &&
        ((t.word == "outfile" && tokens[i - 1].word == "into") ||
         (t.word == "infile" && tokens[i - 1].word == "from"))) {
      return accessDenied("INTO OUTFILE and FROM INFILE are not allowed on the SQL endpoint");
    }
    if (isBare(t, "engine") && i + 2 < tokens.size() && isPunct(tokens[i + 1], '=') &&
        tokens[i + 2].kind == Kind::kWord && !isBare(tokens[i + 2], "settings") &&
        std::find(std::begin(kAllowedEngines), std::end(kAllowedEngines), tokens[i + 2].word) ==
            std::end(kAllowedEngines)) {
      return accessDenied("Table engine " + tokens[i + 2].word +
                          " is not allowed: the SQL endpoint keeps tables inside the store");
    }
    if (isBare(t, "source") && i + 1 < tokens.size() && isPunct(tokens[i + 1], '(')) {
      return accessDenied("Dictionary sources are not allowed on the SQL endpoint");
    }
    if (isBare(t, "settings")) {
      if (Status st = checkSettingsClause(tokens, i, mode == Mode::kWriter); !st.isOk()) return st;
    }
  }
  return std::string(sql.substr(0, statement_end));
}

Result<std::string> QueryGate::rewrite(
    std::string_view sql, const std::vector<std::pair<std::string, std::string>>& settings,
    Mode mode) const {
  auto checked = check(sql, mode);
  if (!checked.isOk()) return checked.status();
  std::string statement = std::move(checked.value());
  if (mode == Mode::kWriter) return statement;

  // Where does the statement's last SETTINGS go? ClickHouse takes one
  // SETTINGS before FORMAT and one after it; a statement that already ends
  // with the second one gets our settings appended to it.
  std::vector<Token> tokens;
  if (Status st = tokenize(statement, &tokens); !st.isOk()) return st;
  int depth = 0;
  bool seen_format = false, settings_after_format = false;
  int top_settings = 0;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const Token& t = tokens[i];
    if (isPunct(t, '(') || isPunct(t, '[')) ++depth;
    if (isPunct(t, ')') || isPunct(t, ']')) --depth;
    if (depth != 0 || t.kind != Kind::kWord || t.quoted) continue;
    const bool call = i + 1 < tokens.size() && isPunct(tokens[i + 1], '(');
    if (t.word == "format" && !call) seen_format = true;
    if (t.word == "settings") {
      ++top_settings;
      if (seen_format) settings_after_format = true;
    }
  }
  std::string appendix;
  for (const auto& [name, value] : settings) {
    appendix += name;
    appendix += " = ";
    if (plainNumber(value)) {
      appendix += value;
    } else {
      appendix += '\'';
      for (char c : value) {
        if (c == '\'' || c == '\\') appendix += '\\';
        appendix += c;
      }
      appendix += '\'';
    }
    appendix += ", ";
  }
  appendix += "readonly = 2";
  statement += (settings_after_format || top_settings >= 2) ? "\n, " : "\nSETTINGS ";
  statement += appendix;
  return statement;
}

}  // namespace otelhouse
