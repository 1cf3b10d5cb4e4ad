// Ingest: the one link from a receiver (protocol) to the pipeline (data).
//
// A receiver authenticates, limits and decompresses a request, then hands the
// body here. The pipeline decodes it straight into column builders, routes and
// transforms the records, and passes Native blocks on toward storage. Nothing
// of a request is stored unless the whole request decoded.
//
// The completion model: ingest() decodes on the calling thread and returns;
// `done` is called exactly once with the answer, either before ingest()
// returns (the request was refused: malformed, overloaded) or later, on the
// write-ahead log's writer thread, once the request's blocks are durable. Only
// then may the receiver acknowledge. `done` must not block: it hands the
// answer back to the receiver's own thread (an Asio strand, a gRPC reactor).
// Every receiver, old and new, uses this one model; none waits on disk.
//
// Thread-safety: ingest() is called concurrently from every I/O thread; the
// body is only borrowed for the duration of the call.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

#include "common/status.h"

namespace otelhouse {

enum class Signal { kLogs, kTraces, kMetrics };
enum class PayloadFormat { kProtobuf, kJson };

const char* signalName(Signal signal);

struct IngestRequest {
  Signal signal = Signal::kLogs;
  PayloadFormat format = PayloadFormat::kProtobuf;
  std::string_view body;  // an OTLP Export*ServiceRequest; read only until ingest() returns
  // Optional: a name the sender gives this request so that a retry of it is
  // stored once (a Fluent Forward chunk id). The log keeps it in the same
  // commit as the request's blocks; a later request with a key the log
  // already holds stores nothing and is answered ok with duplicate = true.
  // Keys are namespaced by the receiver ("fluent:<chunk>"). "": none.
  std::string_view idempotency_key;
};

struct IngestResult {
  Status status;            // kInvalidArgument: malformed, nothing stored
  uint64_t accepted = 0;    // records accepted
  uint64_t rejected = 0;    // records refused while the rest were accepted
  std::string rejected_message;  // for the OTLP partial_success
  bool duplicate = false;   // the idempotency key was already stored: nothing new stored
};

// Called exactly once per request; must not block (see above).
using IngestDone = std::function<void(IngestResult)>;

class Ingest {
 public:
  virtual ~Ingest() = default;
  virtual void ingest(const IngestRequest& request, IngestDone done) = 0;
};

// An Ingest whose answer is ready when ingest() returns: test fakes and
// adapters that do no I/O.
class ImmediateIngest : public Ingest {
 public:
  void ingest(const IngestRequest& request, IngestDone done) final { done(ingestNow(request)); }
  virtual IngestResult ingestNow(const IngestRequest& request) = 0;
};

// Waits for the answer. For tests and tools only: never on an I/O thread.
inline IngestResult ingestAndWait(Ingest& ingest, const IngestRequest& request) {
  std::mutex mu;
  std::condition_variable cv;
  bool ready = false;
  IngestResult out;
  ingest.ingest(request, [&](IngestResult r) {
    std::lock_guard lock(mu);
    out = std::move(r);
    ready = true;
    cv.notify_one();
  });
  std::unique_lock lock(mu);
  cv.wait(lock, [&] { return ready; });
  return out;
}

inline IngestResult ingestAndWait(Ingest& ingest, Signal signal, PayloadFormat format,
                                  std::string_view body) {
  return ingestAndWait(ingest, IngestRequest{signal, format, body, {}});
}

}  // namespace otelhouse
