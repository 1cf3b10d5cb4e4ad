#include "codec/otlp_logs_proto.h"

#include <string>
#include <vector>

#include "codec/any_value_proto.h"
#include "codec/proto_reader.h"

namespace otelhouse {
namespace {

constexpr int kNoDepthLimit = 1 << 30;

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

// Lowercase hex of an id; "" when all bytes are zero (pdata's IsEmpty).
void appendIdHex(StringColumn& col, std::string_view id) {
  static const char kHex[] = "0123456789abcdef";
  bool zero = true;
  for (char c : id) zero &= c == 0;
  if (zero) {
    col.append({});
    return;
  }
  char buf[32];
  for (size_t i = 0; i < id.size(); ++i) {
    const auto b = static_cast<uint8_t>(id[i]);
    buf[2 * i] = kHex[b >> 4];
    buf[2 * i + 1] = kHex[b & 15];
  }
  col.append(std::string_view(buf, 2 * id.size()));
}

class LogsProtoDecoder {
 public:
  Status decode(std::string_view body, LogsRows& rows);

 private:
  Status decodeResourceLogs(std::string_view payload, LogsRows& rows);
  Status decodeScopeLogs(std::string_view payload, LogsRows& rows);
  Status decodeRecord(std::string_view payload, LogsRows& rows);
  // Serializes the sorted, deduplicated entries from `mark` as a Map row.
  void serializeMap(size_t entry_mark, std::string* keys, std::string* values, size_t* count);
  std::string recordPath() const;
  Status internalError(const ProtoReader& r) const;

  AnyValueRenderer av_;
  std::vector<std::string_view> body_segs_;
  std::string scratch_;

  size_t resource_index_ = 0;
  size_t scope_index_ = 0;
  size_t record_index_ = 0;

  // Per resource: rendered once, copied into every row.
  std::string_view resource_schema_url_;
  std::string service_name_;
  std::string resource_keys_, resource_values_;
  size_t resource_count_ = 0;

  // Per scope.
  std::string_view scope_schema_url_, scope_name_, scope_version_;
  std::string scope_keys_, scope_values_;
  size_t scope_count_ = 0;
};

std::string LogsProtoDecoder::recordPath() const {
  return "resource_logs[" + std::to_string(resource_index_) + "].scope_logs[" +
         std::to_string(scope_index_) + "].log_records[" + std::to_string(record_index_) + "]";
}

Status LogsProtoDecoder::internalError(const ProtoReader& r) const {
  // Validation accepted the input, so a second walk cannot fail.
  return Status::internal("logs decoder: " + r.describeError() + " after validation");
}

void LogsProtoDecoder::serializeMap(size_t entry_mark, std::string* keys, std::string* values,
                                    size_t* count) {
  keys->clear();
  values->clear();
  const size_t end = av_.sortedUnique(entry_mark);
  for (size_t i = entry_mark; i < end; ++i) {
    const AttributeEntry e = av_.entry(i);
    appendVarUInt(*keys, e.key.size());
    keys->append(e.key);
    const std::string_view v = av_.asString(e.value, &scratch_);
    appendVarUInt(*values, v.size());
    values->append(v);
  }
  *count = end - entry_mark;
}

Status LogsProtoDecoder::decode(std::string_view body, LogsRows& rows) {
  std::string error;
  if (!validateProto(body, kRequestSpec, &error)) return Status::invalid(std::move(error));
  ProtoReader r(body, kNoDepthLimit);
  ProtoField f;
  resource_index_ = 0;
  while (r.next(&f)) {
    if (f.number != 1 || !f.isLen()) continue;
    Status s = decodeResourceLogs(f.bytes, rows);
    if (!s.isOk()) return s;
    ++resource_index_;
  }
  if (r.failed()) return internalError(r);
  return Status::ok();
}

Status LogsProtoDecoder::decodeResourceLogs(std::string_view payload, LogsRows& rows) {
  const size_t seg_mark = av_.segMark();
  const size_t entry_mark = av_.entryMark();
  // The resource may follow its scope_logs on the wire: read it first.
  resource_schema_url_ = {};
  ProtoReader r(payload, kNoDepthLimit);
  ProtoField f;
  while (r.next(&f)) {
    if (!f.isLen()) continue;
    if (f.number == 1) {
      av_.pushSegment(f.bytes);
    } else if (f.number == 3) {
      resource_schema_url_ = f.bytes;
    }
  }
  if (r.failed()) return internalError(r);
  const size_t seg_end = av_.segMark();
  av_.addKeyValues(seg_mark, seg_end, 1);
  service_name_.clear();
  if (const AttributeEntry* e = av_.findFirst(entry_mark, "service.name")) {
    const AnyValueRef value = e->value;  // rendering may move the entries
    service_name_ = av_.asString(value, &scratch_);
  }
  serializeMap(entry_mark, &resource_keys_, &resource_values_, &resource_count_);
  av_.releaseEntries(entry_mark);
  av_.releaseSegments(seg_mark);

  scope_index_ = 0;
  ProtoReader r2(payload, kNoDepthLimit);
  while (r2.next(&f)) {
    if (f.number != 2 || !f.isLen()) continue;
    Status s = decodeScopeLogs(f.bytes, rows);
    if (!s.isOk()) return s;
    ++scope_index_;
  }
  if (r2.failed()) return internalError(r2);
  return Status::ok();
}

Status LogsProtoDecoder::decodeScopeLogs(std::string_view payload, LogsRows& rows) {
  const size_t seg_mark = av_.segMark();
  const size_t entry_mark = av_.entryMark();
  scope_schema_url_ = {};
  ProtoReader r(payload, kNoDepthLimit);
  ProtoField f;
  while (r.next(&f)) {
    if (!f.isLen()) continue;
    if (f.number == 1) {
      av_.pushSegment(f.bytes);
    } else if (f.number == 3) {
      scope_schema_url_ = f.bytes;
    }
  }
  if (r.failed()) return internalError(r);
  // InstrumentationScope: name = 1, version = 2, attributes = 3.
  scope_name_ = {};
  scope_version_ = {};
  const size_t seg_end = av_.segMark();
  for (size_t s = seg_mark; s < seg_end; ++s) {
    ProtoReader sr(av_.segment(s), kNoDepthLimit);
    while (sr.next(&f)) {
      if (!f.isLen()) continue;
      if (f.number == 1) {
        scope_name_ = f.bytes;
      } else if (f.number == 2) {
        scope_version_ = f.bytes;
      } else if (f.number == 3) {
        av_.addKeyValue(f.bytes);
      }
    }
    if (sr.failed()) return internalError(sr);
  }
  serializeMap(entry_mark, &scope_keys_, &scope_values_, &scope_count_);
  av_.releaseEntries(entry_mark);
  av_.releaseSegments(seg_mark);

  record_index_ = 0;
  ProtoReader r2(payload, kNoDepthLimit);
  while (r2.next(&f)) {
    if (f.number != 2 || !f.isLen()) continue;
    Status s = decodeRecord(f.bytes, rows);
    if (!s.isOk()) return s;
    ++record_index_;
  }
  if (r2.failed()) return internalError(r2);
  return Status::ok();
}

Status LogsProtoDecoder::decodeRecord(std::string_view payload, LogsRows& rows) {
  uint64_t time = 0, observed = 0, severity = 0;
  uint32_t flags = 0;
  std::string_view severity_text, trace_id, span_id, event_name;
  const size_t seg_mark = av_.segMark();
  const size_t entry_mark = av_.entryMark();
  body_segs_.clear();

  ProtoReader r(payload, kNoDepthLimit);
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
        if (f.isLen()) body_segs_.push_back(f.bytes);
        break;
      case 6:
        if (f.isLen()) av_.addKeyValue(f.bytes);
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
  if (r.failed()) return internalError(r);
  if (!trace_id.empty() && trace_id.size() != 16) {
    av_.releaseEntries(entry_mark);
    av_.releaseSegments(seg_mark);
    return Status::invalid(recordPath() + ".trace_id: invalid length " +
                           std::to_string(trace_id.size()) + " (want 0 or 16)");
  }
  if (!span_id.empty() && span_id.size() != 8) {
    av_.releaseEntries(entry_mark);
    av_.releaseSegments(seg_mark);
    return Status::invalid(recordPath() + ".span_id: invalid length " +
                           std::to_string(span_id.size()) + " (want 0 or 8)");
  }

  rows.timestamp.append(static_cast<int64_t>(time != 0 ? time : observed));
  appendIdHex(rows.trace_id, trace_id);
  appendIdHex(rows.span_id, span_id);
  rows.trace_flags.append(static_cast<uint8_t>(flags & 0xFF));
  rows.severity_text.append(severity_text);
  // An enum is an int32 on the wire; the exporter keeps its low byte.
  rows.severity_number.append(static_cast<uint8_t>(static_cast<uint32_t>(severity)));
  rows.service_name.append(service_name_);

  const size_t body_begin = av_.segMark();
  for (std::string_view s : body_segs_) av_.pushSegment(s);
  const AnyValueRef body = av_.resolve(body_begin, av_.segMark());
  rows.body.append(av_.asString(body, &scratch_));

  rows.resource_schema_url.append(resource_schema_url_);
  rows.resource_attributes.appendRow(resource_keys_, resource_values_, resource_count_);
  rows.scope_schema_url.append(scope_schema_url_);
  rows.scope_name.append(scope_name_);
  rows.scope_version.append(scope_version_);
  rows.scope_attributes.appendRow(scope_keys_, scope_values_, scope_count_);

  const size_t end = av_.sortedUnique(entry_mark);
  for (size_t i = entry_mark; i < end; ++i) {
    const AttributeEntry e = av_.entry(i);
    rows.log_attributes.addEntry(e.key, av_.asString(e.value, &scratch_));
  }
  rows.log_attributes.endRow();
  rows.event_name.append(event_name);

  av_.releaseEntries(entry_mark);
  av_.releaseSegments(seg_mark);
  return Status::ok();
}

}  // namespace

Status decodeLogsProto(std::string_view body, LogsRows& rows) {
  thread_local LogsProtoDecoder decoder;
  return decoder.decode(body, rows);
}

}  // namespace otelhouse
