// libFuzzer target: decodeMetricsProto on arbitrary bytes. Besides "no crash, no
// sanitizer report", it checks the decoder's contract: a success leaves
// every column with the same row count and a failure is kInvalidArgument.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "codec/otlp_metrics_proto.h"
#include "rows/metrics_rows.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  otelhouse::MetricsRows rows;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  otelhouse::Status s = otelhouse::decodeMetricsProto(body, rows);
  if (s.isOk()) {
    if (!rows.consistent()) std::abort();
    std::string native;
    otelhouse::encodeNative(rows.gauge, native);
    otelhouse::encodeNative(rows.sum, native);
    otelhouse::encodeNative(rows.histogram, native);
    otelhouse::encodeNative(rows.exponential_histogram, native);
    otelhouse::encodeNative(rows.summary, native);
  } else if (s.code() != otelhouse::Code::kInvalidArgument || s.message().empty()) {
    std::abort();
  }
  return 0;
}
