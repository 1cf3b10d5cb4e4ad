// libFuzzer target for decompress(): any bytes under every encoding must give
// a Status, never a crash, and never more output than the limit.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "compression/decompress.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const char* kEncodings[] = {"gzip", "deflate", "zstd", "identity"};
  const char* encoding = kEncodings[data[0] % 4];
  constexpr size_t kLimit = 1 << 20;
  std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string out;
  otelhouse::Status st = otelhouse::decompress(encoding, in, kLimit, out);
  if (out.size() > kLimit) std::abort();
  if (!st.isOk() && !out.empty()) std::abort();
  return 0;
}
