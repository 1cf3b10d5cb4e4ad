// InsertOutcome: what a Sink says about one insert, decided by the sink that
// knows its engine, so the exporter above only switches on a verdict:
//   kOk         stored (or already stored: a deduplicated re-send);
//   kRetryLater the store cannot take it now (space, memory, too many parts,
//               timeouts, network, shutdown, read-only, permissions, a table
//               not there yet): the batch stays in the WAL and is sent again;
//   kRejected   retrying cannot help (malformed Native, type mismatch, bad
//               values): the batch goes to the dead letters.
// engine_code is the ClickHouse error code when the engine gave one (0 when
// the failure came before or without the engine: network, a closed engine).
//
// Every ClickHouse sink classifies with classifyClickHouseCode(), one table
// of codes; unknown codes are rejected, since an unknown deterministic error
// would otherwise hold the export forever. Value type; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "common/status.h"

namespace otelhouse {

enum class InsertVerdict : uint8_t { kOk, kRetryLater, kRejected };

const char* insertVerdictName(InsertVerdict verdict);

class [[nodiscard]] InsertOutcome {
 public:
  InsertOutcome() = default;  // ok
  static InsertOutcome ok() { return {}; }
  static InsertOutcome retryLater(Status why, int engine_code = 0) {
    return {InsertVerdict::kRetryLater, std::move(why), engine_code};
  }
  static InsertOutcome rejected(Status why, int engine_code = 0) {
    return {InsertVerdict::kRejected, std::move(why), engine_code};
  }
  // A failure the engine reported with its error code.
  static InsertOutcome fromEngineCode(Status why, int engine_code);
  // A failure with no engine code: unavailable, exhausted and internal
  // (the sink's own trouble) retry; every other Status code is about the
  // batch itself and is rejected.
  static InsertOutcome fromStatus(Status why);

  InsertVerdict verdict() const { return verdict_; }
  int engineCode() const { return engine_code_; }
  const Status& status() const { return status_; }
  bool isOk() const { return verdict_ == InsertVerdict::kOk; }
  Code code() const { return status_.code(); }
  const std::string& message() const { return status_.message(); }
  std::string toString() const { return status_.toString(); }
  // For callers that only report (the query endpoint, tests).
  operator const Status&() const { return status_; }  // NOLINT(google-explicit-constructor)

 private:
  InsertOutcome(InsertVerdict verdict, Status status, int engine_code)
      : verdict_(verdict), status_(std::move(status)), engine_code_(engine_code) {}

  InsertVerdict verdict_ = InsertVerdict::kOk;
  Status status_;
  int engine_code_ = 0;
};

// The verdict for a ClickHouse error code (kRetryLater or kRejected).
InsertVerdict classifyClickHouseCode(int code);

// The N of a ClickHouse exception text's leading "Code: N" (whitespace before
// it allowed), for engines whose API hands over text only (chDB's C API);
// 0 when there is none.
int leadingClickHouseCode(std::string_view text);

}  // namespace otelhouse
