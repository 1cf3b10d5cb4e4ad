// Status and Result: how every data-path function reports failure.
//
// The data path never throws. A function that can fail returns Status (or
// Result<T>); the code says what kind of failure it is, so a receiver can map
// it to an HTTP or gRPC status without parsing text, and the message says what
// a human needs to fix it.
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace otelhouse {

enum class Code {
  kOk = 0,
  kInvalidArgument,    // malformed input from the network: 400 / INVALID_ARGUMENT
  kTooLarge,           // over a size limit: 413 / RESOURCE_EXHAUSTED
  kUnsupported,        // unknown content type or encoding: 415
  kNotFound,           // 404
  kResourceExhausted,  // overload, budget exceeded: 429 / RESOURCE_EXHAUSTED
  kUnavailable,        // shutting down, sink down: 503 / UNAVAILABLE
  kInternal,           // a bug or an engine failure: 500 / INTERNAL
};

const char* codeName(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok() { return {}; }
  static Status invalid(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
  static Status tooLarge(std::string m) { return {Code::kTooLarge, std::move(m)}; }
  static Status unsupported(std::string m) { return {Code::kUnsupported, std::move(m)}; }
  static Status notFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
  static Status exhausted(std::string m) { return {Code::kResourceExhausted, std::move(m)}; }
  static Status unavailable(std::string m) { return {Code::kUnavailable, std::move(m)}; }
  static Status internal(std::string m) { return {Code::kInternal, std::move(m)}; }

  bool isOk() const { return code_ == Code::kOk; }
  explicit operator bool() const { return isOk(); }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string toString() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {}  // NOLINT

  bool isOk() const { return status_.isOk(); }
  const Status& status() const { return status_; }
  T& value() { return *value_; }
  const T& value() const { return *value_; }
  T* operator->() { return &*value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace otelhouse
