// Go-style durations ("720h", "5s", "200ms", "1h30m"), as the OpenTelemetry
// Collector's config and ClickStack's environment variables write them.
#pragma once

#include <cstdint>
#include <string>

namespace otelhouse {

// Parses a Go duration into milliseconds (rounded); false when malformed.
bool parseGoDuration(const std::string& text, int64_t* milliseconds);

}  // namespace otelhouse
