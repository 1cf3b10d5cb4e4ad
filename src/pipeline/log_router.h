// log_router: the routing/logs connector of ClickStack's config,
//   route() where IsMatch(attributes["rr-web.event"], ".*")
// A record whose first "rr-web.event" attribute holds any value (".*"
// matches every string, and every non-empty value converts to one) is a
// browser session-replay chunk for hyperdx_sessions, written as it came;
// an attribute with no value (nil in OTTL) does not match.
#pragma once

#include "codec/log_record_hook.h"

namespace otelhouse {

inline constexpr std::string_view kSessionEventAttribute = "rr-web.event";

inline bool isSessionRecord(const LogRecordView& record) {
  for (const LogAttributeView& a : record.attributes)
    if (a.key == kSessionEventAttribute) return a.kind != LogValueKind::kEmpty;
  return false;
}

}  // namespace otelhouse
