// resource_detection: the `resourcedetection` processor ClickStack's config
// defines (detectors env + system, override: false), off by default as in
// that config, which puts it in no pipeline.
//
// Detection runs once, at startup: the env detector parses
// OTEL_RESOURCE_ATTRIBUTES (or the older OTEL_RESOURCE) as the collector
// does ("k=v,k2=v2", spaces trimmed, values URL query-unescaped; anything
// else is an error), the system detector adds host.name (the host's FQDN,
// else its hostname) and os.type ("linux") unless env set them. apply() then
// adds every detected attribute a resource lacks (override false), keeping
// the map sorted, and fills ServiceName when service.name was added.
//
// Thread-safety: immutable after detect(); apply() may run on any thread.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace otelhouse {

class ResourceDetector {
 public:
  // From the process environment and the host.
  static Result<ResourceDetector> detect();
  // From given values (tests, and detect() itself).
  static Result<ResourceDetector> fromValues(std::string_view env_attributes,
                                             const std::string& host_name,
                                             const std::string& os_type);

  const std::vector<std::pair<std::string, std::string>>& attributes() const {
    return attributes_;
  }
  // Rewrites a serialized ResourceAttributes row (sorted unique keys).
  void apply(std::string& keys, std::string& values, size_t& count,
             std::string& service_name) const;

 private:
  std::vector<std::pair<std::string, std::string>> attributes_;  // sorted by key
};

// The env detector's parsing of OTEL_RESOURCE_ATTRIBUTES.
Status parseResourceAttributes(std::string_view text,
                               std::vector<std::pair<std::string, std::string>>* out);

}  // namespace otelhouse
