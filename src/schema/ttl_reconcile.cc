#include "schema/ttl_reconcile.h"

#include <cstdlib>

#include "schema/clickstack_schema.h"

namespace otelhouse {
namespace {

struct Unit {
  const char* name;
  int64_t seconds;
};
constexpr Unit kUnits[] = {{"toIntervalSecond(", 1},       {"toIntervalMinute(", 60},
                           {"toIntervalHour(", 3600},      {"toIntervalDay(", 86400},
                           {"toIntervalWeek(", 7 * 86400}, {"toIntervalMonth(", 30 * 86400}};

}  // namespace

TtlPlan planTtl(std::string_view table, std::string_view engine_full, int64_t want_seconds) {
  TtlPlan plan;
  const size_t at = engine_full.find(" TTL ");
  if (at == std::string_view::npos) return plan;  // no TTL: nothing to reconcile
  std::string_view ttl = engine_full.substr(at + 5);
  if (size_t end = ttl.find(" SETTINGS "); end != std::string_view::npos) ttl = ttl.substr(0, end);
  // One `expr + toIntervalX(N)`: no second rule, no DELETE WHERE / TO DISK / GROUP BY.
  if (ttl.find(',') != std::string_view::npos || ttl.find(" WHERE ") != std::string_view::npos ||
      ttl.find(" TO ") != std::string_view::npos || ttl.find(" GROUP BY ") != std::string_view::npos) {
    plan.kind = TtlPlan::kUnsupported;
    plan.reason = "compound TTL " + std::string(ttl);
    return plan;
  }
  const size_t plus = ttl.rfind(" + ");
  if (plus == std::string_view::npos) {
    plan.kind = TtlPlan::kUnsupported;
    plan.reason = "TTL without an interval: " + std::string(ttl);
    return plan;
  }
  const std::string_view expr = ttl.substr(0, plus);
  const std::string_view interval = ttl.substr(plus + 3);
  int64_t seconds = 0;
  for (const Unit& u : kUnits) {
    const std::string_view name = u.name;
    if (interval.substr(0, name.size()) != name || interval.back() != ')') continue;
    const std::string n(interval.substr(name.size(), interval.size() - name.size() - 1));
    char* end = nullptr;
    const long long v = std::strtoll(n.c_str(), &end, 10);
    if (end != n.c_str() && *end == '\0' && v > 0) seconds = v * u.seconds;
  }
  if (seconds == 0) {
    plan.kind = TtlPlan::kUnsupported;
    plan.reason = "TTL interval not understood: " + std::string(interval);
    return plan;
  }
  plan.current_seconds = seconds;
  if (seconds == want_seconds) {
    plan.kind = TtlPlan::kSame;
    return plan;
  }
  plan.kind = TtlPlan::kModify;
  plan.statement = "ALTER TABLE " + std::string(table) + " MODIFY TTL " + std::string(expr) + " + " +
                   ttlInterval(want_seconds) + " SETTINGS materialize_ttl_after_modify = " +
                   (want_seconds > seconds ? "1" : "0");
  return plan;
}

}  // namespace otelhouse
