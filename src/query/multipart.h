// multipart: reads a multipart/form-data body (RFC 7578) as ClickHouse's HTTP
// interface takes it: parts named `query` and `param_<name>`, whose values
// are the part bodies as sent (no transfer encoding).
//
// Parts are views into the body: they live as long as the body does.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace otelhouse {

struct MultipartPart {
  std::string name;       // from Content-Disposition: form-data; name="..."
  std::string_view body;  // into the request body
};

// The boundary of a multipart/form-data Content-Type, "" for any other type.
std::string multipartBoundary(std::string_view content_type);

// kInvalidArgument when a delimiter, a part's header block or its name is
// missing, or the closing delimiter never comes.
Status parseMultipart(std::string_view body, std::string_view boundary,
                      std::vector<MultipartPart>* parts);

}  // namespace otelhouse
