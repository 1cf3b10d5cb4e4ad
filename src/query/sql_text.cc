#include "query/sql_text.h"

#include "query/clickhouse_error.h"

namespace otelhouse {

namespace {

bool isWordStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool isWordChar(char c) { return isWordStart(c) || (c >= '0' && c <= '9'); }
bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

// A run that never closes ends with the text.
size_t endOfQuotedOrText(std::string_view sql, size_t i) {
  const size_t end = sqlEndOfQuoted(sql, i);
  return end == std::string_view::npos ? sql.size() : end;
}

// If a literal, quoted identifier or comment starts at i, its end; else i.
size_t skipNonCode(std::string_view sql, size_t i) {
  char c = sql[i];
  char next = i + 1 < sql.size() ? sql[i + 1] : '\0';
  if (c == '\'' || c == '"' || c == '`') return endOfQuotedOrText(sql, i);
  if ((c == '-' && next == '-') || (c == '#' && (next == '!' || next == ' '))) {
    size_t eol = sql.find('\n', i);
    return eol == std::string_view::npos ? sql.size() : eol + 1;
  }
  if (c == '/' && next == '*') {
    size_t end = sql.find("*/", i + 2);
    return end == std::string_view::npos ? sql.size() : end + 2;
  }
  return i;
}

struct Token {
  bool word;
  std::string_view text;
};

std::vector<Token> codeTokens(std::string_view sql) {
  std::vector<Token> tokens;
  size_t i = 0;
  while (i < sql.size()) {
    size_t skipped = skipNonCode(sql, i);
    if (skipped != i) {
      // A quoted identifier counts as a word (FORMAT `JSON` is rare, but a
      // literal must still break a FORMAT <word> pair).
      tokens.push_back({false, sql.substr(i, 1)});
      i = skipped;
      continue;
    }
    char c = sql[i];
    if (isSpace(c)) {
      ++i;
      continue;
    }
    if (isWordStart(c)) {
      size_t j = i;
      while (j < sql.size() && isWordChar(sql[j])) ++j;
      tokens.push_back({true, sql.substr(i, j - i)});
      i = j;
      continue;
    }
    tokens.push_back({false, sql.substr(i, 1)});
    ++i;
  }
  return tokens;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && isSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && isSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool unwrap(std::string_view& type, std::string_view wrapper) {
  if (type.size() > wrapper.size() + 2 && type.substr(0, wrapper.size()) == wrapper &&
      type[wrapper.size()] == '(' && type.back() == ')') {
    type = trim(type.substr(wrapper.size() + 1, type.size() - wrapper.size() - 2));
    return true;
  }
  return false;
}

// Value in ClickHouse's escaped text format -> single-quoted SQL literal with
// the same meaning: escapes are kept (the literal reads them alike), bare
// quotes and a dangling backslash are escaped.
void appendEscapedAsLiteral(std::string& out, std::string_view value) {
  out += '\'';
  for (size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if (c == '\\') {
      if (i + 1 < value.size()) {
        out += c;
        out += value[++i];
      } else {
        out += "\\\\";
      }
    } else if (c == '\'') {
      out += "\\'";
    } else {
      out += c;
    }
  }
  out += '\'';
}

// Raw text -> single-quoted literal whose value is exactly that text.
void appendRawAsLiteral(std::string& out, std::string_view value) {
  out += '\'';
  for (char c : value) {
    if (c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  out += '\'';
}

void appendIdentifier(std::string& out, std::string_view part) {
  out += '`';
  for (char c : part) {
    if (c == '`' || c == '\\') out += '\\';
    out += c;
  }
  out += '`';
}

Status replacement(std::string_view name, std::string_view type_text, std::string_view value,
                   std::string& out) {
  std::string_view base = type_text;
  bool nullable = false;
  for (;;) {
    if (unwrap(base, "Nullable")) {
      nullable = true;
      continue;
    }
    if (unwrap(base, "LowCardinality")) continue;
    break;
  }
  if (base == "Identifier") {
    if (value.empty()) {
      return Status::invalid(formatException(
          ch_error::kBadQueryParameter, "BAD_QUERY_PARAMETER",
          "Value for query parameter `" + std::string(name) + "` is an empty identifier"));
    }
    size_t start = 0;
    for (;;) {
      size_t dot = value.find('.', start);
      std::string_view part = value.substr(start, dot == std::string_view::npos ? dot : dot - start);
      appendIdentifier(out, part);
      if (dot == std::string_view::npos) break;
      out += '.';
      start = dot + 1;
    }
    return Status::ok();
  }
  if (nullable && value == "\\N") {
    out += "NULL";
    return Status::ok();
  }
  if (base == "String" || base.substr(0, 12) == "FixedString(") {
    appendEscapedAsLiteral(out, value);
    return Status::ok();
  }
  out += "CAST(";
  appendRawAsLiteral(out, value);
  out += " AS ";
  out.append(type_text);
  out += ')';
  return Status::ok();
}

// Parses "{name:Type}" at sql[i] == '{'; on success sets end/name/type.
bool parsePlaceholder(std::string_view sql, size_t i, size_t* end, std::string_view* name,
                      std::string_view* type) {
  size_t j = i + 1;
  while (j < sql.size() && isSpace(sql[j])) ++j;
  if (j >= sql.size() || !isWordStart(sql[j])) return false;
  size_t name_start = j;
  while (j < sql.size() && isWordChar(sql[j])) ++j;
  *name = sql.substr(name_start, j - name_start);
  while (j < sql.size() && isSpace(sql[j])) ++j;
  if (j >= sql.size() || sql[j] != ':') return false;
  ++j;
  size_t type_start = j;
  int depth = 0;
  while (j < sql.size()) {
    char c = sql[j];
    if (c == '\'' || c == '"' || c == '`') {
      j = endOfQuotedOrText(sql, j);
      continue;
    }
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == '}' && depth == 0) break;
    if (depth < 0 || c == '{' || c == ';') return false;
    ++j;
  }
  if (j >= sql.size()) return false;
  *type = trim(sql.substr(type_start, j - type_start));
  if (type->empty()) return false;
  *end = j + 1;
  return true;
}

}  // namespace

size_t sqlEndOfQuoted(std::string_view sql, size_t i) {
  const char q = sql[i];
  size_t j = i + 1;
  while (j < sql.size()) {
    if (sql[j] == '\\') {
      j += 2;
      continue;
    }
    if (sql[j] == q) {
      if (j + 1 < sql.size() && sql[j + 1] == q) {
        j += 2;
        continue;
      }
      return j + 1;
    }
    ++j;
  }
  return std::string_view::npos;
}

Result<std::string> substituteQueryParameters(std::string_view sql, const QueryParams& params) {
  std::string out;
  out.reserve(sql.size());
  size_t i = 0;
  while (i < sql.size()) {
    size_t skipped = skipNonCode(sql, i);
    if (skipped != i) {
      out.append(sql.substr(i, skipped - i));
      i = skipped;
      continue;
    }
    if (sql[i] == '{') {
      size_t end;
      std::string_view name, type;
      if (parsePlaceholder(sql, i, &end, &name, &type)) {
        const std::string* value = nullptr;
        for (const auto& [k, v] : params) {
          if (k == name) value = &v;  // the last one wins
        }
        if (!value) {
          return Status::invalid(formatException(
              ch_error::kUnknownQueryParameter, "UNKNOWN_QUERY_PARAMETER",
              "Substitution `" + std::string(name) + "` is not set"));
        }
        Status st = replacement(name, type, *value, out);
        if (!st.isOk()) return st;
        i = end;
        continue;
      }
    }
    out += sql[i];
    ++i;
  }
  return out;
}

std::string firstKeyword(std::string_view sql) {
  size_t i = 0;
  while (i < sql.size()) {
    char c = sql[i];
    if (isSpace(c) || c == '(') {
      ++i;
      continue;
    }
    size_t skipped = skipNonCode(sql, i);
    if (skipped != i && c != '\'' && c != '"' && c != '`') {
      i = skipped;
      continue;
    }
    break;
  }
  size_t j = i;
  while (j < sql.size() && isWordChar(sql[j])) ++j;
  return upper(sql.substr(i, j - i));
}

std::string trailingFormat(std::string_view sql) {
  if (firstKeyword(sql) == "INSERT") return {};
  auto tokens = codeTokens(sql);
  std::string found;
  for (size_t k = 0; k + 1 < tokens.size(); ++k) {
    if (!tokens[k].word || upper(tokens[k].text) != "FORMAT" || !tokens[k + 1].word) continue;
    bool at_end = k + 2 == tokens.size() || tokens[k + 2].text == ";" ||
                  (tokens[k + 2].word && upper(tokens[k + 2].text) == "SETTINGS");
    if (at_end) found.assign(tokens[k + 1].text);
  }
  return found;
}

}  // namespace otelhouse
