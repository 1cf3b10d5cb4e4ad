#include "sinks/insert_outcome.h"

#include <algorithm>
#include <iterator>

namespace otelhouse {
namespace {

// ClickHouse error codes (src/Common/ErrorCodes.cpp) that describe the
// store's state, not the batch: waiting and sending the same bytes again can
// succeed. Sorted, for binary search.
constexpr int kRetryLaterCodes[] = {
    3,     // UNEXPECTED_END_OF_FILE: the connection was cut
    23,    // CANNOT_READ_FROM_ISTREAM
    24,    // CANNOT_WRITE_TO_OSTREAM
    60,    // UNKNOWN_TABLE: not created yet, or being re-created
    74,    // CANNOT_READ_FROM_FILE_DESCRIPTOR: I/O error
    75,    // CANNOT_WRITE_TO_FILE_DESCRIPTOR: I/O error, disk full
    76,    // CANNOT_OPEN_FILE
    77,    // CANNOT_CLOSE_FILE
    81,    // UNKNOWN_DATABASE
    87,    // CANNOT_SEEK_THROUGH_FILE
    88,    // CANNOT_TRUNCATE_FILE
    95,    // CANNOT_READ_FROM_SOCKET
    96,    // CANNOT_WRITE_TO_SOCKET
    159,   // TIMEOUT_EXCEEDED
    160,   // TOO_SLOW
    164,   // READONLY
    172,   // CANNOT_CREATE_DIRECTORY
    173,   // CANNOT_ALLOCATE_MEMORY
    192,   // UNKNOWN_USER
    193,   // WRONG_PASSWORD
    194,   // REQUIRED_PASSWORD
    195,   // IP_ADDRESS_NOT_ALLOWED
    198,   // DNS_ERROR
    201,   // QUOTA_EXCEEDED
    202,   // TOO_MANY_SIMULTANEOUS_QUERIES
    203,   // NO_FREE_CONNECTION
    204,   // CANNOT_FSYNC
    209,   // SOCKET_TIMEOUT
    210,   // NETWORK_ERROR
    214,   // CANNOT_STATVFS
    218,   // TABLE_IS_DROPPED
    225,   // NO_ZOOKEEPER
    236,   // ABORTED: the server is shutting down
    241,   // MEMORY_LIMIT_EXCEEDED
    242,   // TABLE_IS_READ_ONLY
    243,   // NOT_ENOUGH_SPACE
    244,   // UNEXPECTED_ZOOKEEPER_ERROR
    252,   // TOO_MANY_PARTS
    254,   // NO_ACTIVE_REPLICAS
    265,   // NO_AVAILABLE_REPLICA
    272,   // CANNOT_IO_SUBMIT
    273,   // CANNOT_IO_GETEVENTS
    274,   // AIO_READ_ERROR
    275,   // AIO_WRITE_ERROR
    279,   // ALL_CONNECTION_TRIES_FAILED
    285,   // TOO_FEW_LIVE_REPLICAS
    286,   // UNSATISFIED_QUORUM_FOR_PREVIOUS_WRITE
    289,   // REPLICA_IS_NOT_IN_QUORUM
    291,   // DATABASE_ACCESS_DENIED
    319,   // UNKNOWN_STATUS_OF_INSERT
    335,   // BARRIER_TIMEOUT
    364,   // RECEIVED_ERROR_TOO_MANY_REQUESTS
    373,   // SESSION_IS_LOCKED
    384,   // PART_IS_TEMPORARILY_LOCKED
    394,   // QUERY_WAS_CANCELLED
    400,   // CANNOT_STAT
    410,   // EXTERNAL_SERVER_IS_NOT_RESPONDING
    415,   // ALL_REPLICAS_LOST
    416,   // REPLICA_STATUS_CHANGED
    425,   // SYSTEM_ERROR: an errno from the OS (ENOSPC, EIO...)
    439,   // CANNOT_SCHEDULE_TASK: thread pool full
    458,   // CANNOT_UNLINK
    473,   // DEADLOCK_AVOIDED
    497,   // ACCESS_DENIED: an operator fixes the grant, export resumes
    516,   // AUTHENTICATION_FAILED
    999,   // KEEPER_EXCEPTION
    1000,  // POCO_EXCEPTION: network errors on older servers
    1001,  // STD_EXCEPTION: bad_alloc and friends
};

}  // namespace

const char* insertVerdictName(InsertVerdict verdict) {
  switch (verdict) {
    case InsertVerdict::kOk: return "ok";
    case InsertVerdict::kRetryLater: return "retry_later";
    case InsertVerdict::kRejected: return "rejected";
  }
  return "?";
}

InsertVerdict classifyClickHouseCode(int code) {
  static_assert(std::is_sorted(std::begin(kRetryLaterCodes), std::end(kRetryLaterCodes)));
  return std::binary_search(std::begin(kRetryLaterCodes), std::end(kRetryLaterCodes), code)
             ? InsertVerdict::kRetryLater
             : InsertVerdict::kRejected;
}

InsertOutcome InsertOutcome::fromEngineCode(Status why, int engine_code) {
  if (engine_code <= 0) return fromStatus(std::move(why));
  return {classifyClickHouseCode(engine_code), std::move(why), engine_code};
}

InsertOutcome InsertOutcome::fromStatus(Status why) {
  switch (why.code()) {
    case Code::kOk:
      return ok();
    case Code::kUnavailable:
    case Code::kResourceExhausted:
    case Code::kInternal:
      return retryLater(std::move(why));
    default:
      return rejected(std::move(why));
  }
}

int leadingClickHouseCode(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && (text[i] == ' ' || text[i] == '\n' || text[i] == '\r' || text[i] == '\t')) ++i;
  constexpr std::string_view kPrefix = "Code: ";
  if (text.substr(i, kPrefix.size()) != kPrefix) return 0;
  i += kPrefix.size();
  int code = 0;
  size_t digits = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9' && digits < 6) {
    code = code * 10 + (text[i++] - '0');
    ++digits;
  }
  return digits == 0 ? 0 : code;
}

}  // namespace otelhouse
