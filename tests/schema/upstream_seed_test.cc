// Our DDL against ClickStack's own seed files (vendored in data/upstream, see
// its README for source and commit): same inputs, statement by statement,
// compared with whitespace normalized.
#include <gtest/gtest.h>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "schema/clickstack_schema.h"

namespace otelhouse {
namespace {

std::string readData(const std::string& name) {
  std::ifstream in(std::string(std::getenv("OTELHOUSE_TEST_DATA")) + "/" + name);
  EXPECT_TRUE(in) << name;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// One space between tokens, none inside parentheses' edges.
std::string normalize(const std::string& sql) {
  std::string out;
  for (char c : sql) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
      continue;
    }
    if (c == ')' && !out.empty() && out.back() == ' ') out.pop_back();
    if (!out.empty() && out.back() == ' ' && out.size() >= 2 && out[out.size() - 2] == '(') out.pop_back();
    out.push_back(c);
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// The statements of a goose seed file, macros replaced, comments dropped.
std::vector<std::string> seedStatements(const std::string& file, const std::map<std::string, std::string>& macros) {
  std::string text, line;
  std::istringstream in(readData("upstream/" + file));
  while (std::getline(in, line))
    if (line.rfind("--", 0) != 0) text += line + "\n";
  for (const auto& [name, value] : macros) {
    for (size_t at; (at = text.find(name)) != std::string::npos;) text.replace(at, name.size(), value);
  }
  std::vector<std::string> out;
  std::istringstream parts(text);
  for (std::string stmt; std::getline(parts, stmt, ';');) {
    std::string n = normalize(stmt);
    if (!n.empty()) out.push_back(n);
  }
  return out;
}

// Ours, normalized, that create or alter `table`.
std::vector<std::string> oursFor(const std::vector<std::string>& all, const std::string& table) {
  std::vector<std::string> out;
  for (const auto& s : all) {
    const std::string n = normalize(s);
    if (n.rfind("CREATE TABLE IF NOT EXISTS " + table + " ", 0) == 0 ||
        n.rfind("CREATE TABLE IF NOT EXISTS " + table + "(", 0) == 0 || n.rfind("ALTER TABLE " + table + " ADD", 0) == 0)
      out.push_back(n);
  }
  return out;
}

SchemaOptions options(SchemaVariant v) {
  SchemaOptions o;
  o.variant = v;
  o.database = "otel";
  o.ttl_seconds = 30 * 86400;
  o.logs_ttl_seconds = 7 * 86400;
  o.traces_ttl_seconds = 14 * 86400;
  o.sessions_ttl_seconds = 3 * 86400;
  return o;
}

std::map<std::string, std::string> macros(const SchemaOptions& o) {
  return {{"${DATABASE}", o.database},
          {"${TABLES_TTL}", ttlInterval(o.logs_ttl_seconds)},  // the logs files predate per-signal TTLs
          {"${LOGS_TTL}", ttlInterval(o.logs_ttl_seconds)},
          {"${TRACES_TTL}", ttlInterval(o.traces_ttl_seconds)},
          {"${SESSIONS_TTL}", ttlInterval(o.sessions_ttl_seconds)}};
}

void expectSame(SchemaVariant v, const std::string& file, const std::string& table) {
  const SchemaOptions o = options(v);
  const auto upstream = seedStatements(file, macros(o));
  const auto ours = oursFor(clickStackSchema(o), "otel." + table);
  ASSERT_EQ(ours.size(), upstream.size()) << file;
  for (size_t i = 0; i < ours.size(); ++i) EXPECT_EQ(ours[i], upstream[i]) << file << " statement " << i;
}

TEST(UpstreamSeedTest, FullTextLogs) { expectSame(SchemaVariant::kFullText, "00002_otel_logs.full_text.sql", "otel_logs"); }
TEST(UpstreamSeedTest, CompatLogs) { expectSame(SchemaVariant::kCompat, "00002_otel_logs_compat.sql", "otel_logs"); }
TEST(UpstreamSeedTest, LegacyLogs) { expectSame(SchemaVariant::kLegacy, "00002_otel_logs.legacy.sql", "otel_logs"); }
TEST(UpstreamSeedTest, Sessions) {
  for (SchemaVariant v : {SchemaVariant::kFullText, SchemaVariant::kCompat, SchemaVariant::kLegacy})
    expectSame(v, "00004_hyperdx_sessions.sql", "hyperdx_sessions");
}
TEST(UpstreamSeedTest, CompatTraces) { expectSame(SchemaVariant::kCompat, "00005_otel_traces_compat.sql", "otel_traces"); }

// The normalization itself must not hide differences.
TEST(UpstreamSeedTest, NormalizationKeepsTokens) {
  EXPECT_EQ(normalize("CREATE  TABLE t\n(\n  `a` UInt8,\n  b String\n)\n"), "CREATE TABLE t (`a` UInt8, b String)");
  EXPECT_NE(normalize("TYPE text(tokenizer = 'array')"), normalize("TYPE text(tokenizer = 'splitByNonAlpha')"));
}

}  // namespace
}  // namespace otelhouse
