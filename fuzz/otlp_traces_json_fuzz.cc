// libFuzzer target for decodeTracesJson: any input must either decode into a
// consistent batch that encodes, or fail with kInvalidArgument; never crash,
// leak or trip a sanitizer.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "codec/otlp_traces_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  otelhouse::TracesRows rows;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  otelhouse::Status s = otelhouse::decodeTracesJson(body, rows);
  if (s.isOk()) {
    if (!rows.consistent()) std::abort();
    std::string native;
    rows.encodeNative(native);
    if (!rows.empty() && native.empty()) std::abort();
  } else if (s.code() != otelhouse::Code::kInvalidArgument || s.message().empty()) {
    std::abort();
  }
  return 0;
}
