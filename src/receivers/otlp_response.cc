#include "receivers/otlp_response.h"

#include "codec/go_text.h"

namespace otelhouse {

namespace {

void appendVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void appendLengthDelimited(std::string& out, uint32_t field, std::string_view bytes) {
  appendVarint(out, (static_cast<uint64_t>(field) << 3) | 2);
  appendVarint(out, bytes.size());
  out.append(bytes);
}

const char* rejectedFieldJson(Signal signal) {
  switch (signal) {
    case Signal::kLogs:
      return "rejectedLogRecords";
    case Signal::kTraces:
      return "rejectedSpans";
    case Signal::kMetrics:
      return "rejectedDataPoints";
  }
  return "rejectedLogRecords";
}

// encoding/json with HTML escaping on (gogo jsonpb marshals strings that way).
void appendGoJsonStringHtml(std::string& out, std::string_view text) {
  std::string plain;
  appendGoJsonString(plain, text);
  for (char c : plain) {
    switch (c) {
      case '<':
        out += "\\u003c";
        break;
      case '>':
        out += "\\u003e";
        break;
      case '&':
        out += "\\u0026";
        break;
      default:
        out.push_back(c);
    }
  }
}

}  // namespace

std::string encodeExportResponseProto(Signal /*signal*/, uint64_t rejected,
                                      std::string_view error_message) {
  // The three partial-success messages share one layout: rejected count in
  // field 1, error_message in field 2.
  if (rejected == 0 && error_message.empty()) return {};
  std::string inner;
  if (rejected != 0) {
    appendVarint(inner, 1 << 3);
    appendVarint(inner, rejected);
  }
  if (!error_message.empty()) appendLengthDelimited(inner, 2, error_message);
  std::string out;
  appendLengthDelimited(out, 1, inner);
  return out;
}

std::string encodeExportResponseJson(Signal signal, uint64_t rejected,
                                     std::string_view error_message) {
  std::string out = "{\"partialSuccess\":{";
  bool first = true;
  if (rejected != 0) {
    out += '"';
    out += rejectedFieldJson(signal);
    out += "\":\"";
    out += std::to_string(rejected);
    out += '"';
    first = false;
  }
  if (!error_message.empty()) {
    if (!first) out += ',';
    out += "\"errorMessage\":";
    appendGoJsonString(out, error_message);
  }
  out += "}}";
  return out;
}

std::string encodeStatusProto(GrpcCode code, std::string_view message) {
  std::string out;
  if (code != GrpcCode::kOk) {
    appendVarint(out, 1 << 3);
    appendVarint(out, static_cast<uint64_t>(static_cast<int64_t>(code)));
  }
  if (!message.empty()) appendLengthDelimited(out, 2, message);
  return out;
}

std::string encodeStatusJson(GrpcCode code, std::string_view message) {
  std::string out = "{";
  bool first = true;
  if (code != GrpcCode::kOk) {
    out += "\"code\":";
    out += std::to_string(static_cast<int32_t>(code));
    first = false;
  }
  if (!message.empty()) {
    if (!first) out += ',';
    out += "\"message\":";
    appendGoJsonStringHtml(out, message);
  }
  out += '}';
  return out;
}

}  // namespace otelhouse
