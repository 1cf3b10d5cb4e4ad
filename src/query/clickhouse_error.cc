#include "query/clickhouse_error.h"

#include "sinks/insert_outcome.h"

namespace otelhouse {

int parseExceptionCode(std::string_view message) {
  // One reader of "Code: N" for the whole gateway: the sinks' (the layer below).
  const int code = leadingClickHouseCode(message);
  return code > 0 ? code : -1;
}

int httpStatusForExceptionCode(int code) {
  switch (code) {
    case 194:  // REQUIRED_PASSWORD
      return 401;
    case 192:  // UNKNOWN_USER
    case 193:  // WRONG_PASSWORD
    case 516:  // AUTHENTICATION_FAILED
    case 512:  // SET_NON_GRANTED_ROLE
    case 497:  // ACCESS_DENIED
      return 403;
    case 36:   // BAD_ARGUMENTS
    case 427:  // CANNOT_COMPILE_REGEXP
    case 6:    // CANNOT_PARSE_TEXT
    case 25:   // CANNOT_PARSE_ESCAPE_SEQUENCE
    case 26:   // CANNOT_PARSE_QUOTED_STRING
    case 38:   // CANNOT_PARSE_DATE
    case 41:   // CANNOT_PARSE_DATETIME
    case 72:   // CANNOT_PARSE_NUMBER
    case 441:  // CANNOT_PARSE_DOMAIN_VALUE_FROM_STRING
    case 675:  // CANNOT_PARSE_IPV4
    case 676:  // CANNOT_PARSE_IPV6
    case 27:   // CANNOT_PARSE_INPUT_ASSERTION_FAILED
    case 376:  // CANNOT_PARSE_UUID
    case 15:   // DUPLICATE_COLUMN
    case 44:   // ILLEGAL_COLUMN
    case 37:   // UNKNOWN_ELEMENT_IN_AST
    case 123:  // UNKNOWN_TYPE_OF_AST_NODE
    case 8:    // THERE_IS_NO_COLUMN
    case 167:  // TOO_DEEP_AST
    case 168:  // TOO_BIG_AST
    case 223:  // UNEXPECTED_AST_STRUCTURE
    case 62:   // SYNTAX_ERROR
    case 117:  // INCORRECT_DATA
    case 53:   // TYPE_MISMATCH
    case 321:  // VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE
      return 400;
    case 60:   // UNKNOWN_TABLE
    case 46:   // UNKNOWN_FUNCTION
    case 47:   // UNKNOWN_IDENTIFIER
    case 50:   // UNKNOWN_TYPE
    case 56:   // UNKNOWN_STORAGE
    case 81:   // UNKNOWN_DATABASE
    case 115:  // UNKNOWN_SETTING
    case 152:  // UNKNOWN_DIRECTION_OF_SORTING
    case 63:   // UNKNOWN_AGGREGATE_FUNCTION
    case 73:   // UNKNOWN_FORMAT
    case 336:  // UNKNOWN_DATABASE_ENGINE
    case 78:   // UNKNOWN_TYPE_OF_QUERY
    case 511:  // UNKNOWN_ROLE
      return 404;
    case 229:  // QUERY_IS_TOO_LARGE
      return 413;
    case 48:  // NOT_IMPLEMENTED
      return 501;
    case 209:  // SOCKET_TIMEOUT
    case 76:   // CANNOT_OPEN_FILE
    case 439:  // CANNOT_SCHEDULE_TASK
      return 503;
    case 381:  // HTTP_LENGTH_REQUIRED
      return 411;
    case 159:  // TIMEOUT_EXCEEDED
      return 408;
    default:
      return 500;
  }
}

std::string formatException(int code, std::string_view name, std::string_view text) {
  std::string out = "Code: " + std::to_string(code) + ". DB::Exception: ";
  out.append(text);
  if (!text.empty() && text.back() != '.') out += '.';
  out += " (";
  out.append(name);
  out += ')';
  return out;
}

ExceptionText exceptionFromStatus(const Status& status) {
  int code = parseExceptionCode(status.message());
  if (code >= 0) return {code, status.message()};
  switch (status.code()) {
    case Code::kInvalidArgument:
      return {ch_error::kBadArguments,
              formatException(ch_error::kBadArguments, "BAD_ARGUMENTS", status.message())};
    case Code::kTooLarge:
      return {ch_error::kQueryIsTooLarge,
              formatException(ch_error::kQueryIsTooLarge, "QUERY_IS_TOO_LARGE", status.message())};
    case Code::kUnsupported:
      return {ch_error::kNotImplemented,
              formatException(ch_error::kNotImplemented, "NOT_IMPLEMENTED", status.message())};
    case Code::kNotFound:
      return {ch_error::kUnknownTable,
              formatException(ch_error::kUnknownTable, "UNKNOWN_TABLE", status.message())};
    case Code::kResourceExhausted:
      return {ch_error::kTooManySimultaneousQueries,
              formatException(ch_error::kTooManySimultaneousQueries,
                              "TOO_MANY_SIMULTANEOUS_QUERIES", status.message())};
    case Code::kUnavailable:
      return {ch_error::kCannotScheduleTask,
              formatException(ch_error::kCannotScheduleTask, "CANNOT_SCHEDULE_TASK",
                              status.message())};
    case Code::kOk:
    case Code::kInternal:
      break;
  }
  return {ch_error::kUnknownException,
          formatException(ch_error::kUnknownException, "UNKNOWN_EXCEPTION", status.message())};
}

}  // namespace otelhouse
