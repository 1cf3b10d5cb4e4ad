// Ingest: the one link from a receiver (protocol) to the pipeline (data).
//
// A receiver authenticates, limits and decompresses a request, then hands the
// body here. The pipeline decodes it straight into column builders, routes and
// transforms the records, and passes Native blocks on toward storage. Nothing
// of a request is stored unless the whole request decoded.
//
// Thread-safety: ingest() is called concurrently from every I/O thread; the
// body is only borrowed for the duration of the call.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace otelhouse {

enum class Signal { kLogs, kTraces, kMetrics };
enum class PayloadFormat { kProtobuf, kJson };

const char* signalName(Signal signal);

struct IngestResult {
  Status status;            // kInvalidArgument: malformed, nothing stored
  uint64_t accepted = 0;    // records accepted
  uint64_t rejected = 0;    // records refused while the rest were accepted
  std::string rejected_message;  // for the OTLP partial_success
};

class Ingest {
 public:
  virtual ~Ingest() = default;
  virtual IngestResult ingest(Signal signal, PayloadFormat format, std::string_view body) = 0;
};

}  // namespace otelhouse
