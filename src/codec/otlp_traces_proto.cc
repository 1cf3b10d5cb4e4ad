#include "codec/otlp_traces_proto.h"

#include <string>
#include <vector>

#include "codec/any_value_proto.h"
#include "codec/otlp_proto_common.h"
#include "codec/proto_reader.h"

namespace otelhouse {
namespace {

extern const ProtoMessageSpec kResourceSpansSpec;
extern const ProtoMessageSpec kScopeSpansSpec;
extern const ProtoMessageSpec kSpanSpec;
extern const ProtoMessageSpec kEventSpec;
extern const ProtoMessageSpec kLinkSpec;
extern const ProtoMessageSpec kStatusSpec;

constexpr ProtoFieldSpec kRequestFields[] = {
    {1, ProtoFieldKind::kMessage, true, "resource_spans", &kResourceSpansSpec},
};
constexpr ProtoFieldSpec kResourceSpansFields[] = {
    {1, ProtoFieldKind::kMessage, false, "resource", &kResourceSpec},
    {2, ProtoFieldKind::kMessage, true, "scope_spans", &kScopeSpansSpec},
};
constexpr ProtoFieldSpec kScopeSpansFields[] = {
    {1, ProtoFieldKind::kMessage, false, "scope", &kInstrumentationScopeSpec},
    {2, ProtoFieldKind::kMessage, true, "spans", &kSpanSpec},
};
constexpr ProtoFieldSpec kSpanFields[] = {
    {9, ProtoFieldKind::kMessage, true, "attributes", &kKeyValueSpec},
    {11, ProtoFieldKind::kMessage, true, "events", &kEventSpec},
    {13, ProtoFieldKind::kMessage, true, "links", &kLinkSpec},
    {15, ProtoFieldKind::kMessage, false, "status", &kStatusSpec},
};
constexpr ProtoFieldSpec kEventFields[] = {
    {3, ProtoFieldKind::kMessage, true, "attributes", &kKeyValueSpec},
};
constexpr ProtoFieldSpec kLinkFields[] = {
    {4, ProtoFieldKind::kMessage, true, "attributes", &kKeyValueSpec},
};

const ProtoMessageSpec kRequestSpec{kRequestFields, std::size(kRequestFields)};
const ProtoMessageSpec kResourceSpansSpec{kResourceSpansFields, std::size(kResourceSpansFields)};
const ProtoMessageSpec kScopeSpansSpec{kScopeSpansFields, std::size(kScopeSpansFields)};
const ProtoMessageSpec kSpanSpec{kSpanFields, std::size(kSpanFields)};
const ProtoMessageSpec kEventSpec{kEventFields, std::size(kEventFields)};
const ProtoMessageSpec kLinkSpec{kLinkFields, std::size(kLinkFields)};
const ProtoMessageSpec kStatusSpec{nullptr, 0};  // a string and an enum

// ptrace.SpanKind.String() (pdata/ptrace/span_kind.go): "" for values the
// enum does not name. An enum is an int32 on the wire; pdata keeps its low
// 32 bits, as libprotobuf does.
std::string_view spanKindName(uint64_t wire) {
  switch (static_cast<int32_t>(static_cast<uint32_t>(wire))) {
    case 0: return "Unspecified";
    case 1: return "Internal";
    case 2: return "Server";
    case 3: return "Client";
    case 4: return "Producer";
    case 5: return "Consumer";
    default: return "";
  }
}

// ptrace.StatusCode.String() (pdata/ptrace/status_code.go).
std::string_view statusCodeName(uint64_t wire) {
  switch (static_cast<int32_t>(static_cast<uint32_t>(wire))) {
    case 0: return "Unset";
    case 1: return "Ok";
    case 2: return "Error";
    default: return "";
  }
}

class TracesProtoDecoder {
 public:
  Status decode(std::string_view body, TracesRows& rows);

 private:
  Status decodeResourceSpans(std::string_view payload, TracesRows& rows);
  Status decodeScopeSpans(std::string_view payload, TracesRows& rows);
  Status decodeSpan(std::string_view payload, TracesRows& rows);
  Status checkLinks(const std::string& path) const;
  void appendEvents(TracesRows& rows);
  void appendLinks(TracesRows& rows);
  std::string spanPath() const;
  Status internalError(const ProtoReader& r) const;

  AnyValueRenderer av_;
  std::string scratch_;
  // The current span's events, links and status occurrences (views into
  // the request); the decoder is not reentrant, so one set suffices.
  std::vector<std::string_view> events_;
  std::vector<std::string_view> links_;
  std::vector<std::string_view> status_segs_;

  size_t resource_index_ = 0;
  size_t scope_index_ = 0;
  size_t span_index_ = 0;

  ResourceRendering resource_;
  ScopeRendering scope_;
};

std::string TracesProtoDecoder::spanPath() const {
  return "resource_spans[" + std::to_string(resource_index_) + "].scope_spans[" +
         std::to_string(scope_index_) + "].spans[" + std::to_string(span_index_) + "]";
}

Status TracesProtoDecoder::internalError(const ProtoReader& r) const {
  // Validation accepted the input, so a second walk cannot fail.
  return Status::internal("traces decoder: " + r.describeError() + " after validation");
}

Status TracesProtoDecoder::decode(std::string_view body, TracesRows& rows) {
  std::string error;
  if (!validateProto(body, kRequestSpec, &error)) return Status::invalid(std::move(error));
  ProtoReader r(body, kProtoNoDepthLimit);
  ProtoField f;
  resource_index_ = 0;
  while (r.next(&f)) {
    if (f.number != 1 || !f.isLen()) continue;
    Status s = decodeResourceSpans(f.bytes, rows);
    if (!s.isOk()) return s;
    ++resource_index_;
  }
  if (r.failed()) return internalError(r);
  return Status::ok();
}

Status TracesProtoDecoder::decodeResourceSpans(std::string_view payload, TracesRows& rows) {
  scope_index_ = 0;
  return walkOtlpContainer(
      av_, payload, kProtoNoDepthLimit, nullptr, nullptr,
      [&](size_t seg_begin, size_t seg_end, std::string_view) {
        renderResource(av_, seg_begin, seg_end, &scratch_, &resource_);
      },
      [&](std::string_view scope_spans, int) {
        Status s = decodeScopeSpans(scope_spans, rows);
        if (s.isOk()) ++scope_index_;
        return s;
      });
}

Status TracesProtoDecoder::decodeScopeSpans(std::string_view payload, TracesRows& rows) {
  span_index_ = 0;
  return walkOtlpContainer(
      av_, payload, kProtoNoDepthLimit, nullptr, nullptr,
      [&](size_t seg_begin, size_t seg_end, std::string_view) {
        renderScope(av_, seg_begin, seg_end, &scratch_, &scope_);
      },
      [&](std::string_view span, int) {
        Status s = decodeSpan(span, rows);
        if (s.isOk()) ++span_index_;
        return s;
      });
}

Status TracesProtoDecoder::checkLinks(const std::string& path) const {
  for (size_t i = 0; i < links_.size(); ++i) {
    std::string_view trace_id, span_id;
    ProtoReader r(links_[i], kProtoNoDepthLimit);
    ProtoField f;
    while (r.next(&f)) {
      if (!f.isLen()) continue;
      if (f.number == 1) {
        trace_id = f.bytes;
      } else if (f.number == 2) {
        span_id = f.bytes;
      }
    }
    const std::string link_path = path + ".links[" + std::to_string(i) + "]";
    if (!idLengthOk(trace_id, 16)) return badIdLength(link_path, "trace_id", trace_id.size(), 16);
    if (!idLengthOk(span_id, 8)) return badIdLength(link_path, "span_id", span_id.size(), 8);
  }
  return Status::ok();
}

Status TracesProtoDecoder::decodeSpan(std::string_view payload, TracesRows& rows) {
  uint64_t start = 0, end = 0, kind = 0;
  std::string_view trace_id, span_id, parent_span_id, trace_state, name;
  const size_t seg_mark = av_.segMark();
  const size_t entry_mark = av_.entryMark();
  events_.clear();
  links_.clear();
  status_segs_.clear();

  ProtoReader r(payload, kProtoNoDepthLimit);
  ProtoField f;
  while (r.next(&f)) {
    switch (f.number) {
      case 1:
        if (f.isLen()) trace_id = f.bytes;
        break;
      case 2:
        if (f.isLen()) span_id = f.bytes;
        break;
      case 3:
        if (f.isLen()) trace_state = f.bytes;
        break;
      case 4:
        if (f.isLen()) parent_span_id = f.bytes;
        break;
      case 5:
        if (f.isLen()) name = f.bytes;
        break;
      case 6:
        if (f.isVarint()) kind = f.value;
        break;
      case 7:
        if (f.isFixed64()) start = f.value;
        break;
      case 8:
        if (f.isFixed64()) end = f.value;
        break;
      case 9:
        if (f.isLen()) av_.addKeyValue(f.bytes);
        break;
      case 11:
        if (f.isLen()) events_.push_back(f.bytes);
        break;
      case 13:
        if (f.isLen()) links_.push_back(f.bytes);
        break;
      case 15:
        if (f.isLen()) status_segs_.push_back(f.bytes);
        break;
      default:
        break;
    }
  }
  if (r.failed()) return internalError(r);

  Status bad;
  if (!idLengthOk(trace_id, 16)) {
    bad = badIdLength(spanPath(), "trace_id", trace_id.size(), 16);
  } else if (!idLengthOk(span_id, 8)) {
    bad = badIdLength(spanPath(), "span_id", span_id.size(), 8);
  } else if (!idLengthOk(parent_span_id, 8)) {
    bad = badIdLength(spanPath(), "parent_span_id", parent_span_id.size(), 8);
  } else if (!links_.empty()) {
    bad = checkLinks(spanPath());
  }
  if (!bad.isOk()) {
    av_.releaseEntries(entry_mark);
    av_.releaseSegments(seg_mark);
    return bad;
  }

  // Status: message = 2, code = 3; occurrences merge, the last value wins.
  uint64_t code = 0;
  std::string_view status_message;
  for (std::string_view seg : status_segs_) {
    ProtoReader sr(seg, kProtoNoDepthLimit);
    while (sr.next(&f)) {
      if (f.number == 2 && f.isLen()) {
        status_message = f.bytes;
      } else if (f.number == 3 && f.isVarint()) {
        code = f.value;
      }
    }
  }

  // pcommon.Timestamp.AsTime is time.Unix(0, int64(t)): the bits as int64.
  rows.timestamp.append(static_cast<int64_t>(start));
  appendIdHexOrEmpty(rows.trace_id, trace_id);
  appendIdHexOrEmpty(rows.span_id, span_id);
  appendIdHexOrEmpty(rows.parent_span_id, parent_span_id);
  rows.trace_state.append(trace_state);
  rows.span_name.append(name);
  rows.span_kind.append(spanKindName(kind));
  rows.service_name.append(resource_.service_name);
  rows.resource_attributes.appendRow(resource_.keys, resource_.values, resource_.count);
  rows.scope_name.append(scope_.name);
  rows.scope_version.append(scope_.version);
  appendAttributes(av_, entry_mark, &scratch_, rows.span_attributes);
  av_.releaseEntries(entry_mark);
  av_.releaseSegments(seg_mark);
  // span.EndTimestamp() - span.StartTimestamp(): uint64 arithmetic.
  rows.duration.append(end - start);
  rows.status_code.append(statusCodeName(code));
  rows.status_message.append(status_message);
  appendEvents(rows);
  appendLinks(rows);
  return Status::ok();
}

void TracesProtoDecoder::appendEvents(TracesRows& rows) {
  // Event: time_unix_nano = 1, name = 2, attributes = 3.
  for (std::string_view payload : events_) {
    uint64_t time = 0;
    std::string_view name;
    const size_t seg_mark = av_.segMark();
    const size_t entry_mark = av_.entryMark();
    ProtoReader r(payload, kProtoNoDepthLimit);
    ProtoField f;
    while (r.next(&f)) {
      if (f.number == 1 && f.isFixed64()) {
        time = f.value;
      } else if (f.number == 2 && f.isLen()) {
        name = f.bytes;
      } else if (f.number == 3 && f.isLen()) {
        av_.addKeyValue(f.bytes);
      }
    }
    rows.events_timestamp.add(static_cast<int64_t>(time));
    rows.events_name.add(name);
    appendAttributes(av_, entry_mark, &scratch_, rows.events_attributes.element());
    av_.releaseEntries(entry_mark);
    av_.releaseSegments(seg_mark);
  }
  rows.events_timestamp.endRow();
  rows.events_name.endRow();
  rows.events_attributes.endRow();
}

void TracesProtoDecoder::appendLinks(TracesRows& rows) {
  // Link: trace_id = 1, span_id = 2, trace_state = 3, attributes = 4.
  for (std::string_view payload : links_) {
    std::string_view trace_id, span_id, trace_state;
    const size_t seg_mark = av_.segMark();
    const size_t entry_mark = av_.entryMark();
    ProtoReader r(payload, kProtoNoDepthLimit);
    ProtoField f;
    while (r.next(&f)) {
      if (!f.isLen()) continue;
      switch (f.number) {
        case 1: trace_id = f.bytes; break;
        case 2: span_id = f.bytes; break;
        case 3: trace_state = f.bytes; break;
        case 4: av_.addKeyValue(f.bytes); break;
        default: break;
      }
    }
    char buf[32];
    rows.links_trace_id.add(isZeroId(trace_id) ? std::string_view{} : idHex(trace_id, buf));
    rows.links_span_id.add(isZeroId(span_id) ? std::string_view{} : idHex(span_id, buf));
    rows.links_trace_state.add(trace_state);
    appendAttributes(av_, entry_mark, &scratch_, rows.links_attributes.element());
    av_.releaseEntries(entry_mark);
    av_.releaseSegments(seg_mark);
  }
  rows.links_trace_id.endRow();
  rows.links_span_id.endRow();
  rows.links_trace_state.endRow();
  rows.links_attributes.endRow();
}

}  // namespace

Status decodeTracesProto(std::string_view body, TracesRows& rows) {
  thread_local TracesProtoDecoder decoder;
  return decoder.decode(body, rows);
}

}  // namespace otelhouse
