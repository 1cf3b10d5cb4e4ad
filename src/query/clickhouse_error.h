// clickhouse_error: ClickHouse exception texts and the HTTP status ClickHouse's
// HTTP interface answers for each exception code (exceptionCodeToHTTPStatus in
// ClickHouse's src/Server/HTTP), so clients that branch on the status see the
// same thing from us as from a ClickHouse server.
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace otelhouse {

// ClickHouse error codes this endpoint makes itself.
namespace ch_error {
constexpr int kSyntaxError = 62;
constexpr int kUnknownDatabase = 81;
constexpr int kBadArguments = 36;
constexpr int kNotImplemented = 48;
constexpr int kUnknownTable = 60;
constexpr int kReadonly = 164;
constexpr int kAccessDenied = 497;
constexpr int kAuthenticationFailed = 516;
constexpr int kQueryIsTooLarge = 229;
constexpr int kCannotScheduleTask = 439;
constexpr int kUnknownQueryParameter = 456;
constexpr int kBadQueryParameter = 457;
constexpr int kTooManySimultaneousQueries = 202;
constexpr int kUnknownException = 1002;
}  // namespace ch_error

// The N of a leading "Code: N." (spaces before it allowed); -1 when absent.
int parseExceptionCode(std::string_view message);

// ClickHouse's mapping: 400 for parse / syntax / bad-argument codes, 404 for
// unknown table / function / identifier / database / format..., 401/403 for
// auth, 413, 501, 503, 408, 411; 500 for everything else.
int httpStatusForExceptionCode(int code);

// "Code: N. DB::Exception: <text>. (<NAME>)" as ClickHouse prints it.
std::string formatException(int code, std::string_view name, std::string_view text);

// An engine Status as exception text with its code: the message as is when it
// already carries "Code: N.", else a synthesized exception whose code follows
// the Status code (kInvalidArgument BAD_ARGUMENTS, kTooLarge QUERY_IS_TOO_LARGE,
// kUnsupported NOT_IMPLEMENTED, kNotFound UNKNOWN_TABLE, kResourceExhausted
// TOO_MANY_SIMULTANEOUS_QUERIES, kUnavailable CANNOT_SCHEDULE_TASK, else
// UNKNOWN_EXCEPTION).
struct ExceptionText {
  int code;
  std::string text;
};
ExceptionText exceptionFromStatus(const Status& status);

}  // namespace otelhouse
