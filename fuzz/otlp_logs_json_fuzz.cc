// libFuzzer target for decodeLogsJson: any input must either decode into a
// consistent batch that encodes, or fail with kInvalidArgument; never crash,
// leak or trip a sanitizer.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "codec/otlp_logs_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  otelhouse::LogsRows rows;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  otelhouse::Status s = otelhouse::decodeLogsJson(body, rows);
  if (s.isOk()) {
    if (!rows.consistent()) std::abort();
    std::string native;
    rows.encodeNative(native, otelhouse::kLogsAllColumns);
    if (!rows.empty() && native.empty()) std::abort();
  } else if (s.code() != otelhouse::Code::kInvalidArgument || s.message().empty()) {
    std::abort();
  }
  return 0;
}
