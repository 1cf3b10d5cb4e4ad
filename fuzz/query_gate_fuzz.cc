// libFuzzer target for the SQL endpoint's gate (src/query/query_gate.h) and
// its multipart reader. Must never crash; an accepted statement is a prefix
// of the input and passes the gate again unchanged; the rewritten statement
// (settings and readonly=2 appended) passes the gate too, so the appendix
// can never turn an accepted query into a refused or different one.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "query/multipart.h"
#include "query/query_gate.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const otelhouse::QueryGate gate({"file", "url"});
  std::string_view sql(reinterpret_cast<const char*>(data), size);

  auto checked = gate.check(sql);
  if (checked.isOk()) {
    const std::string& statement = checked.value();
    if (sql.substr(0, statement.size()) != statement) std::abort();
    auto again = gate.check(statement);
    if (!again.isOk() || again.value() != statement) std::abort();
    auto rewritten = gate.rewrite(sql, {{"max_execution_time", "5"}, {"x", "a'b\\"}});
    if (!rewritten.isOk()) std::abort();
    if (!gate.check(rewritten.value()).isOk()) std::abort();
  }

  std::vector<otelhouse::MultipartPart> parts;
  if (otelhouse::parseMultipart(sql, "b", &parts).isOk()) {
    for (const auto& p : parts) {
      if (p.body.data() < sql.data() || p.body.data() + p.body.size() > sql.data() + sql.size())
        std::abort();
    }
  }
  return 0;
}
