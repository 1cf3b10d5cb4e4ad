// OtlpWriter: writes one OTLP message tree as protobuf or as OTLP/JSON from
// the same calls, so each payload shape is described once (payload_builder).
//
// Calls mirror the message: beginMessage/endMessage around a nested message,
// beginArray/endArray around the elements of a repeated message field (each
// element is a beginMessage with field 0, "the array's field"), scalars by
// kind. Every call
// names the field both ways (protobuf number, JSON name); each format uses
// its own. JSON follows the OTLP/JSON mapping: ids in hex, 64-bit integers
// and fixed64 times as strings, enums as numbers.
//
// Not for the data path: nested messages are encoded into their own buffer
// and copied into the parent to learn their length. Not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace otelhouse::loadgen {

class OtlpWriter {
 public:
  virtual ~OtlpWriter() = default;
  virtual void beginMessage(int field, const char* name) = 0;
  virtual void endMessage() = 0;
  virtual void beginArray(int field, const char* name) = 0;
  virtual void endArray() = 0;
  virtual void string(int field, const char* name, std::string_view v) = 0;
  virtual void id(int field, const char* name, std::string_view bytes) = 0;
  virtual void fixed64(int field, const char* name, uint64_t v) = 0;  // JSON: "123"
  virtual void sfixed64(int field, const char* name, int64_t v) = 0;  // JSON: "-123"
  virtual void fixed32(int field, const char* name, uint32_t v) = 0;  // JSON: 123
  virtual void uint(int field, const char* name, uint64_t v) = 0;     // varint; JSON: 123
  virtual void int64(int field, const char* name, int64_t v) = 0;     // varint; JSON: "-123"
  virtual void boolean(int field, const char* name, bool v) = 0;
  virtual void dbl(int field, const char* name, double v) = 0;
  // The finished document; valid once every begin* has its end*.
  virtual std::string take() = 0;
};

std::unique_ptr<OtlpWriter> makeProtoWriter();
std::unique_ptr<OtlpWriter> makeJsonWriter();

}  // namespace otelhouse::loadgen
