#include "query/insert_statement.h"

namespace otelhouse {

namespace {

class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}

  void skipSpace() {
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
        ++i_;
      } else if (s_.compare(i_, 2, "--") == 0) {
        while (i_ < s_.size() && s_[i_] != '\n') ++i_;
      } else if (s_.compare(i_, 2, "/*") == 0) {
        size_t end = s_.find("*/", i_ + 2);
        i_ = end == std::string_view::npos ? s_.size() : end + 2;
      } else {
        break;
      }
    }
  }
  bool atEnd() {
    skipSpace();
    while (i_ < s_.size() && s_[i_] == ';') {
      ++i_;
      skipSpace();
    }
    return i_ == s_.size();
  }
  bool punct(char c) {
    skipSpace();
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  // A bare word equal to `kw`, case-insensitively, not followed by a word char.
  bool keyword(std::string_view kw) {
    skipSpace();
    if (s_.size() - i_ < kw.size()) return false;
    for (size_t k = 0; k < kw.size(); ++k) {
      char c = s_[i_ + k];
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      if (c != kw[k]) return false;
    }
    if (i_ + kw.size() < s_.size() && isWord(s_[i_ + kw.size()])) return false;
    i_ += kw.size();
    return true;
  }
  bool identifier(std::string* out) {
    skipSpace();
    if (i_ >= s_.size()) return false;
    char c = s_[i_];
    if (c == '`' || c == '"') return quoted(c, out);
    if (!isWordStart(c)) return false;
    size_t start = i_;
    while (i_ < s_.size() && isWord(s_[i_])) ++i_;
    out->assign(s_.substr(start, i_ - start));
    return true;
  }
  // A setting value: number, 'string' or bare word.
  bool value(std::string* out) {
    skipSpace();
    if (i_ >= s_.size()) return false;
    char c = s_[i_];
    if (c == '\'') return quoted('\'', out);
    size_t start = i_;
    if (c == '-' || c == '+') ++i_;
    while (i_ < s_.size() && (isWord(s_[i_]) || s_[i_] == '.')) ++i_;
    if (i_ == start) return false;
    out->assign(s_.substr(start, i_ - start));
    return true;
  }

 private:
  static bool isWordStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  }
  static bool isWord(char c) { return isWordStart(c) || (c >= '0' && c <= '9') || c == '$'; }
  bool quoted(char q, std::string* out) {
    out->clear();
    ++i_;
    while (i_ < s_.size()) {
      char c = s_[i_++];
      if (c == '\\' && i_ < s_.size()) {
        char e = s_[i_++];
        switch (e) {
          case 'n': *out += '\n'; break;
          case 't': *out += '\t'; break;
          case 'r': *out += '\r'; break;
          case '0': *out += '\0'; break;
          default: *out += e;
        }
      } else if (c == q) {
        if (i_ < s_.size() && s_[i_] == q) {
          *out += q;
          ++i_;
        } else {
          return true;
        }
      } else {
        *out += c;
      }
    }
    return false;  // unterminated
  }

  std::string_view s_;
  size_t i_ = 0;
};

bool settingsClause(Scanner& sc, InsertStatement* out) {
  do {
    std::string name, value;
    if (!sc.identifier(&name) || !sc.punct('=') || !sc.value(&value)) return false;
    out->settings.emplace_back(std::move(name), std::move(value));
  } while (sc.punct(','));
  return true;
}

}  // namespace

bool parseInsertStatement(std::string_view sql, InsertStatement* out) {
  InsertStatement st;
  Scanner sc(sql);
  if (!sc.keyword("INSERT") || !sc.keyword("INTO")) return false;
  sc.keyword("TABLE");
  std::string first;
  if (!sc.identifier(&first)) return false;
  if (sc.punct('.')) {
    st.database = std::move(first);
    if (!sc.identifier(&st.table)) return false;
  } else {
    st.table = std::move(first);
  }
  if (sc.punct('(')) {
    do {
      std::string col;
      if (!sc.identifier(&col)) return false;
      st.columns.push_back(std::move(col));
    } while (sc.punct(','));
    if (!sc.punct(')')) return false;
  }
  if (sc.keyword("SETTINGS") && !settingsClause(sc, &st)) return false;
  if (sc.keyword("FORMAT")) {
    if (!sc.identifier(&st.format)) return false;
    if (sc.keyword("SETTINGS") && !settingsClause(sc, &st)) return false;
  }
  if (!sc.atEnd()) return false;
  *out = std::move(st);
  return true;
}

}  // namespace otelhouse
