#include "codec/otlp_logs_proto.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "codec/any_value_proto.h"
#include "codec/otlp_proto_common.h"
#include "codec/proto_reader.h"

namespace otelhouse {
namespace {

extern const ProtoMessageSpec kResourceLogsSpec;
extern const ProtoMessageSpec kScopeLogsSpec;
extern const ProtoMessageSpec kLogRecordSpec;

constexpr ProtoFieldSpec kRequestFields[] = {
    {1, ProtoFieldKind::kMessage, true, "resource_logs", &kResourceLogsSpec},
};
constexpr ProtoFieldSpec kResourceLogsFields[] = {
    {1, ProtoFieldKind::kMessage, false, "resource", &kResourceSpec},
    {2, ProtoFieldKind::kMessage, true, "scope_logs", &kScopeLogsSpec},
};
constexpr ProtoFieldSpec kScopeLogsFields[] = {
    {1, ProtoFieldKind::kMessage, false, "scope", &kInstrumentationScopeSpec},
    {2, ProtoFieldKind::kMessage, true, "log_records", &kLogRecordSpec},
};
constexpr ProtoFieldSpec kLogRecordFields[] = {
    {5, ProtoFieldKind::kMessage, false, "body", &kAnyValueSpec},
    {6, ProtoFieldKind::kMessage, true, "attributes", &kKeyValueSpec},
};

const ProtoMessageSpec kRequestSpec{kRequestFields, std::size(kRequestFields)};
const ProtoMessageSpec kResourceLogsSpec{kResourceLogsFields, std::size(kResourceLogsFields)};
const ProtoMessageSpec kScopeLogsSpec{kScopeLogsFields, std::size(kScopeLogsFields)};
const ProtoMessageSpec kLogRecordSpec{kLogRecordFields, std::size(kLogRecordFields)};

class LogsProtoDecoder {
 public:
  Status decode(std::string_view body, LogsRows& rows, LogRecordHook* hook);

 private:
  // The fused walk: decodes and checks the wire format in one pass. `budget`
  // is the depth budget of the payload's own reader, as validateProto counts.
  // A wire error sets wire_error_ and returns a placeholder status.
  Status decodeRequest(std::string_view body, LogsRows& rows);
  Status decodeResourceLogs(std::string_view payload, int budget, LogsRows& rows);
  Status decodeScopeLogs(std::string_view payload, int budget, LogsRows& rows);
  Status decodeRecord(std::string_view payload, int budget, LogsRows& rows);
  Status wireError() {
    wire_error_ = true;
    return Status::invalid("malformed protobuf");
  }
  std::string recordPath() const;
  // The record's attributes in wire order, for the hook.
  void collectAttributes(size_t entry_mark);

  AnyValueRenderer av_;
  std::vector<std::string_view> body_segs_;
  std::string scratch_;

  LogRecordHook* hook_ = nullptr;
  std::vector<LogAttributeView> hook_attrs_;
  // Where each rendered value lies in hook_text_ (offset, size); SIZE_MAX
  // offsets mark values that are views of the request.
  std::vector<std::pair<size_t, size_t>> hook_spans_;
  std::string hook_text_;
  std::string hook_scratch_;

  bool wire_error_ = false;
  size_t resource_index_ = 0;
  size_t scope_index_ = 0;
  size_t record_index_ = 0;

  // Per resource: rendered once, copied into every row.
  std::string_view resource_schema_url_;
  ResourceRendering resource_;

  // Per scope.
  std::string_view scope_schema_url_;
  ScopeRendering scope_;
};

std::string LogsProtoDecoder::recordPath() const {
  return "resource_logs[" + std::to_string(resource_index_) + "].scope_logs[" +
         std::to_string(scope_index_) + "].log_records[" + std::to_string(record_index_) + "]";
}

Status LogsProtoDecoder::decode(std::string_view body, LogsRows& rows, LogRecordHook* hook) {
  hook_ = hook;
  wire_error_ = false;
  Status s = decodeRequest(body, rows);
  if (s.isOk()) return s;
  av_.releaseEntries(0);  // an error leaves the walk's stacks behind
  av_.releaseSegments(0);
  // Errors are rare, so their message comes from the separate validation
  // pass, which names the field path. It also keeps the precedence of the
  // unfused decoder: libprotobuf rejects a malformed request before pdata
  // looks at ids, so a wire error anywhere wins over a bad id length.
  std::string error;
  if (!validateProto(body, kRequestSpec, &error)) return Status::invalid(std::move(error));
  if (wire_error_) {
    return Status::internal("logs decoder: the fused walk rejected what validation accepts");
  }
  return s;
}

Status LogsProtoDecoder::decodeRequest(std::string_view body, LogsRows& rows) {
  ProtoReader r(body, kProtoDefaultDepthLimit);
  ProtoField f;
  resource_index_ = 0;
  while (r.next(&f)) {
    if (f.number != 1 || !f.isLen()) continue;
    if (r.depthBudget() - 1 < 0) return wireError();
    Status s = decodeResourceLogs(f.bytes, r.depthBudget() - 1, rows);
    if (!s.isOk()) return s;
    ++resource_index_;
  }
  if (r.failed()) return wireError();
  return Status::ok();
}

Status LogsProtoDecoder::decodeResourceLogs(std::string_view payload, int budget,
                                            LogsRows& rows) {
  scope_index_ = 0;
  return walkOtlpContainer(
      av_, payload, budget, &kResourceSpec, &wire_error_,
      [&](size_t seg_begin, size_t seg_end, std::string_view schema_url) {
        resource_schema_url_ = schema_url;
        renderResource(av_, seg_begin, seg_end, &scratch_, &resource_);
        if (hook_) {
          hook_->onResource(resource_.keys, resource_.values, resource_.count,
                            resource_.service_name);
        }
      },
      [&](std::string_view scope_logs, int child_budget) {
        Status s = decodeScopeLogs(scope_logs, child_budget, rows);
        if (s.isOk()) ++scope_index_;
        return s;
      });
}

Status LogsProtoDecoder::decodeScopeLogs(std::string_view payload, int budget, LogsRows& rows) {
  record_index_ = 0;
  return walkOtlpContainer(
      av_, payload, budget, &kInstrumentationScopeSpec, &wire_error_,
      [&](size_t seg_begin, size_t seg_end, std::string_view schema_url) {
        scope_schema_url_ = schema_url;
        renderScope(av_, seg_begin, seg_end, &scratch_, &scope_);
      },
      [&](std::string_view record, int child_budget) {
        Status s = decodeRecord(record, child_budget, rows);
        if (s.isOk()) ++record_index_;
        return s;
      });
}

Status LogsProtoDecoder::decodeRecord(std::string_view payload, int budget, LogsRows& rows) {
  uint64_t time = 0, observed = 0, severity = 0;
  uint32_t flags = 0;
  std::string_view severity_text, trace_id, span_id, event_name;
  const size_t seg_mark = av_.segMark();
  const size_t entry_mark = av_.entryMark();
  body_segs_.clear();

  // Nested messages (body, attributes) have one level less of budget.
  ProtoReader r(payload, budget);
  ProtoField f;
  while (r.next(&f)) {
    switch (f.number) {
      case 1:
        if (f.isFixed64()) time = f.value;
        break;
      case 11:
        if (f.isFixed64()) observed = f.value;
        break;
      case 2:
        if (f.isVarint()) severity = f.value;
        break;
      case 3:
        if (f.isLen()) severity_text = f.bytes;
        break;
      case 5:
        if (f.isLen()) {
          if (budget - 1 < 0) return wireError();
          body_segs_.push_back(f.bytes);
        }
        break;
      case 6:
        if (f.isLen() && (budget - 1 < 0 || !av_.addKeyValueChecked(f.bytes, budget - 1)))
          return wireError();
        break;
      case 8:
        if (f.isFixed32()) flags = static_cast<uint32_t>(f.value);
        break;
      case 9:
        if (f.isLen()) trace_id = f.bytes;
        break;
      case 10:
        if (f.isLen()) span_id = f.bytes;
        break;
      case 12:
        if (f.isLen()) event_name = f.bytes;
        break;
      default:
        break;
    }
  }
  if (r.failed()) return wireError();
  if (!idLengthOk(trace_id, 16) || !idLengthOk(span_id, 8)) {
    av_.releaseEntries(entry_mark);
    av_.releaseSegments(seg_mark);
    return idLengthOk(trace_id, 16) ? badIdLength(recordPath(), "span_id", span_id.size(), 8)
                                    : badIdLength(recordPath(), "trace_id", trace_id.size(), 16);
  }

  const size_t body_begin = av_.segMark();
  for (std::string_view s : body_segs_) av_.pushSegment(s);
  AnyValueRef body;
  if (!av_.resolveChecked(body_begin, av_.segMark(), budget - 1, &body)) return wireError();
  const std::string_view body_text = av_.asString(body, &scratch_);

  // An enum is an int32 on the wire; the exporter keeps its low byte.
  uint8_t severity_number = static_cast<uint8_t>(static_cast<uint32_t>(severity));
  LogRecordOutput out;
  out.rows = &rows;
  if (hook_) {
    collectAttributes(entry_mark);
    LogRecordView view;
    view.body_kind = static_cast<LogValueKind>(body.kind);
    view.body = body_text;
    view.severity_number = static_cast<uint32_t>(severity);
    view.severity_text = severity_text;
    view.attributes = hook_attrs_;
    out.severity_number = severity_number;
    out.severity_text = severity_text;
    hook_->onRecord(view, out);
    severity_number = out.severity_number;
    severity_text = out.severity_text;
  }
  LogsRows& rows_out = *out.rows;

  rows_out.timestamp.append(static_cast<int64_t>(time != 0 ? time : observed));
  appendIdHexOrEmpty(rows_out.trace_id, trace_id);
  appendIdHexOrEmpty(rows_out.span_id, span_id);
  rows_out.trace_flags.append(static_cast<uint8_t>(flags & 0xFF));
  rows_out.severity_text.append(severity_text);
  rows_out.severity_number.append(severity_number);
  rows_out.service_name.append(resource_.service_name);
  rows_out.body.append(body_text);

  rows_out.resource_schema_url.append(resource_schema_url_);
  rows_out.resource_attributes.appendRow(resource_.keys, resource_.values, resource_.count);
  rows_out.scope_schema_url.append(scope_schema_url_);
  rows_out.scope_name.append(scope_.name);
  rows_out.scope_version.append(scope_.version);
  rows_out.scope_attributes.appendRow(scope_.keys, scope_.values, scope_.count);

  if (hook_) {
    rows_out.log_attributes.appendRow(out.attribute_keys, out.attribute_values,
                                      out.attribute_count);
  } else {
    appendAttributes(av_, entry_mark, &scratch_, rows_out.log_attributes);
  }
  rows_out.event_name.append(event_name);

  av_.releaseEntries(entry_mark);
  av_.releaseSegments(seg_mark);
  return Status::ok();
}

static_assert(static_cast<int>(LogValueKind::kKvlist) == AnyValueRef::kKvlist &&
              static_cast<int>(LogValueKind::kString) == AnyValueRef::kString);

void LogsProtoDecoder::collectAttributes(size_t entry_mark) {
  // Rendered values go to hook_text_, which may move while it grows, so
  // their views are made once all are there.
  hook_attrs_.clear();
  hook_spans_.clear();
  hook_text_.clear();
  const size_t end = av_.entryMark();
  for (size_t i = entry_mark; i < end; ++i) {
    const AttributeEntry e = av_.entry(i);  // by value: rendering may move entries
    LogAttributeView a;
    a.key = e.key;
    a.kind = static_cast<LogValueKind>(e.value.kind);
    if (e.value.kind == AnyValueRef::kString) {
      a.text = e.value.str;
      hook_spans_.emplace_back(SIZE_MAX, 0);
    } else {
      const size_t at = hook_text_.size();
      hook_text_.append(av_.asString(e.value, &hook_scratch_));
      hook_spans_.emplace_back(at, hook_text_.size() - at);
    }
    hook_attrs_.push_back(a);
  }
  for (size_t i = 0; i < hook_attrs_.size(); ++i) {
    if (hook_spans_[i].first == SIZE_MAX) continue;
    hook_attrs_[i].text = std::string_view(hook_text_).substr(hook_spans_[i].first,
                                                             hook_spans_[i].second);
  }
}

}  // namespace

Status decodeLogsProto(std::string_view body, LogsRows& rows, LogRecordHook* hook) {
  thread_local LogsProtoDecoder decoder;
  return decoder.decode(body, rows, hook);
}

}  // namespace otelhouse
