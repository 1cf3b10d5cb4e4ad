// libFuzzer target: decodeTracesProto on arbitrary bytes. Besides "no crash, no
// sanitizer report", it checks the decoder's contract: a success leaves
// every column with the same row count and a failure is kInvalidArgument.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "codec/otlp_traces_proto.h"
#include "rows/traces_rows.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  otelhouse::TracesRows rows;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  otelhouse::Status s = otelhouse::decodeTracesProto(body, rows);
  if (s.isOk()) {
    if (!rows.consistent()) std::abort();
    std::string native;
    rows.encodeNative(native);
  } else if (s.code() != otelhouse::Code::kInvalidArgument || s.message().empty()) {
    std::abort();
  }
  return 0;
}
