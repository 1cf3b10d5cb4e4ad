// Bytes from the network or a corrupt WAL read as ClickHouse native-protocol
// data: a Native stream (revision 0), a block with block info as a server
// sends it, and a chain of compressed frames. Every input must end in a
// Status, never a crash, an overflow or an allocation beyond the limits.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "clickhouse/compression.h"
#include "clickhouse/native_block.h"
#include "clickhouse/wire.h"

using namespace otelhouse::clickhouse;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::vector<NativeBlock> blocks;
  if (splitNativeStream(bytes, &blocks).isOk()) {
    for (const NativeBlock& b : blocks) {
      // A parsed block re-assembles (with canonical varints) into one that
      // parses to the same columns: what the sink sends is what it read.
      std::string rebuilt;
      putBlock(rebuilt, b.rows, b.columns);
      std::vector<NativeBlock> again;
      if (!splitNativeStream(rebuilt, &again).isOk() || again.size() != 1 || again[0].rows != b.rows ||
          again[0].columns.size() != b.columns.size()) {
        __builtin_trap();
      }
      for (size_t i = 0; i < b.columns.size(); ++i) {
        if (again[0].columns[i].name != b.columns[i].name || again[0].columns[i].data != b.columns[i].data) {
          __builtin_trap();
        }
      }
      for (const NativeColumn& c : b.columns) {
        std::vector<std::string> values;
        (void)decodeStrings(c, b.rows, &values);
      }
    }
  }
  Input with_info(bytes);
  NativeBlock block;
  (void)readBlock(with_info, true, &block);

  Input framed(bytes);
  std::string out;
  for (int i = 0; i < 8 && !framed.atEnd(); ++i) {
    if (!readFrame(framed, &out).isOk()) break;
  }
  (void)withoutLowCardinality(bytes);
  return 0;
}
