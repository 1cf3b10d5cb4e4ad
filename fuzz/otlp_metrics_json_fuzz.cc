// libFuzzer target for decodeMetricsJson: any input must either decode into
// consistent batches that encode, or fail with kInvalidArgument; never crash,
// leak or trip a sanitizer.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "codec/otlp_metrics_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  otelhouse::MetricsRows rows;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  otelhouse::Status s = otelhouse::decodeMetricsJson(body, rows);
  if (s.isOk()) {
    if (!rows.consistent()) std::abort();
    std::string native;
    encodeNative(rows.gauge, native);
    encodeNative(rows.sum, native);
    encodeNative(rows.histogram, native);
    encodeNative(rows.exponential_histogram, native);
    encodeNative(rows.summary, native);
    if (rows.rows() != 0 && native.empty()) std::abort();
  } else if (s.code() != otelhouse::Code::kInvalidArgument || s.message().empty()) {
    std::abort();
  }
  return 0;
}
