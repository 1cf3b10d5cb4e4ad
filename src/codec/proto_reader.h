// ProtoReader: a small, zero-copy reader of the protobuf wire format over a
// std::string_view, shared by the OTLP decoders (logs, traces, metrics).
//
// Contract:
// - Views handed out (ProtoField::bytes) point into the buffer the reader was
//   built on; they live exactly as long as that buffer. Nothing is copied and
//   nothing is allocated.
// - The accepted wire format is libprotobuf's (3.21) parser, because that is
//   the oracle the decoders are tested against:
//     tags are varints of at most 5 bytes (bits past 32 dropped), field number
//     0 is an error; value varints are at most 10 bytes (bits past 64
//     dropped); lengths are varints of at most 5 bytes and below 2^31;
//     wire types 6 and 7 are errors; an end-group tag outside a group is an
//     error; groups are skipped whole (they count against the nesting depth,
//     as libprotobuf counts them) and must end with the end-group tag of the
//     same field number.
// - Interpreting a field (wrong wire type for a known field number => skip it
//   as unknown, as libprotobuf does; packed or unpacked repeated scalars) is
//   the decoder's business; helpers below make that short.
// - Errors are sticky: after next() returns false, error() says why and
//   where (offset from the start of the top-level buffer, so messages from
//   nested readers still point at the right byte).
// Not thread-safe; a reader is a cursor owned by one stack frame.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace otelhouse {

// libprotobuf's default recursion limit (io::CodedInputStream): how many
// messages (and groups) may nest inside the top-level message.
constexpr int kProtoDefaultDepthLimit = 100;

enum class WireType : uint8_t {
  kVarint = 0,
  kFixed64 = 1,
  kLen = 2,
  kStartGroup = 3,
  kEndGroup = 4,
  kFixed32 = 5,
};

enum class ProtoError : uint8_t {
  kNone = 0,
  kTruncated,         // the buffer ends inside a tag, value or length
  kOverlongVarint,    // a varint longer than libprotobuf accepts
  kBadLength,         // a length past the end of the buffer or >= 2 GiB
  kBadWireType,       // wire type 6 or 7
  kFieldNumberZero,   // tag with field number 0 (including a zero tag)
  kUnexpectedEndGroup,
  kUnterminatedGroup, // a group that runs to the end of its message
  kMismatchedEndGroup,
  kTooDeep,           // nesting beyond the depth limit
};

const char* protoErrorName(ProtoError e);

struct ProtoField {
  uint32_t number = 0;
  WireType wire_type = WireType::kVarint;
  // kVarint: the value; kFixed32 / kFixed64: the raw little-endian bits.
  uint64_t value = 0;
  // kLen: the payload; kStartGroup: the group's body (between the tags).
  std::string_view bytes;

  bool isVarint() const { return wire_type == WireType::kVarint; }
  bool isFixed64() const { return wire_type == WireType::kFixed64; }
  bool isFixed32() const { return wire_type == WireType::kFixed32; }
  bool isLen() const { return wire_type == WireType::kLen; }
  double asDouble() const {
    double d;
    std::memcpy(&d, &value, sizeof d);
    return d;
  }
  float asFloat() const {
    uint32_t bits = static_cast<uint32_t>(value);
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
  }
};

namespace proto_wire {

// Reads a varint of at most `max_bytes` bytes. Returns nullptr when the
// buffer ends first (*err = kTruncated) or the varint is longer
// (*err = kOverlongVarint).
inline const char* readVarint(const char* p, const char* end, uint64_t* out, int max_bytes,
                              ProtoError* err) {
  if (p < end && static_cast<uint8_t>(*p) < 0x80) {
    *out = static_cast<uint8_t>(*p);
    return p + 1;
  }
  uint64_t result = 0;
  for (int i = 0; i < max_bytes; ++i) {
    if (p == end) {
      *err = ProtoError::kTruncated;
      return nullptr;
    }
    const uint8_t b = static_cast<uint8_t>(*p++);
    if (i < 10) result |= static_cast<uint64_t>(b & 0x7F) << (7 * i);
    if (b < 0x80) {
      *out = result;
      return p;
    }
  }
  *err = ProtoError::kOverlongVarint;
  return nullptr;
}

inline uint32_t loadFixed32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline uint64_t loadFixed64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline int64_t zigzag64(uint64_t v) {
  return static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1));
}
inline int32_t zigzag32(uint32_t v) {
  return static_cast<int32_t>((v >> 1) ^ (~(v & 1) + 1));
}

}  // namespace proto_wire

class ProtoReader {
 public:
  // `origin` is the start of the top-level buffer, for error offsets;
  // `depth_budget` is how many more levels (messages or groups) may nest
  // below the message this reader walks.
  explicit ProtoReader(std::string_view data, int depth_budget = kProtoDefaultDepthLimit,
                       const char* origin = nullptr)
      : p_(data.data()),
        end_(data.data() + data.size()),
        origin_(origin ? origin : data.data()),
        depth_budget_(depth_budget) {}

  bool done() const { return p_ == end_; }
  bool failed() const { return error_ != ProtoError::kNone; }
  ProtoError error() const { return error_; }
  // Offset (from `origin`) of the byte where the failing element started.
  size_t errorOffset() const { return error_offset_; }
  const char* origin() const { return origin_; }
  int depthBudget() const { return depth_budget_; }

  // A reader for a length-delimited field's payload as a nested message, one
  // level deeper. Returns false (and fails this reader with kTooDeep) when
  // the depth limit is exhausted.
  bool enter(std::string_view payload, ProtoReader* child) {
    if (depth_budget_ - 1 < 0) return fail(ProtoError::kTooDeep, payload.data());
    *child = ProtoReader(payload, depth_budget_ - 1, origin_);
    return true;
  }

  // Reads the next field into *f. Returns false at the end of the buffer
  // (failed() is false) or on an error (failed() is true).
  bool next(ProtoField* f) {
    if (p_ == end_ || failed()) return false;
    const char* start = p_;
    uint64_t tag64;
    ProtoError err = ProtoError::kNone;
    const char* p = proto_wire::readVarint(p_, end_, &tag64, 5, &err);
    if (!p) return fail(err, start);
    const uint32_t tag = static_cast<uint32_t>(tag64);
    const uint32_t wt = tag & 7;
    f->number = tag >> 3;
    if (wt == 4) return fail(ProtoError::kUnexpectedEndGroup, start);
    if (f->number == 0) return fail(ProtoError::kFieldNumberZero, start);
    f->wire_type = static_cast<WireType>(wt);
    switch (wt) {
      case 0:
        p = proto_wire::readVarint(p, end_, &f->value, 10, &err);
        if (!p) return fail(err, start);
        break;
      case 1:
        if (end_ - p < 8) return fail(ProtoError::kTruncated, start);
        f->value = proto_wire::loadFixed64(p);
        p += 8;
        break;
      case 5:
        if (end_ - p < 4) return fail(ProtoError::kTruncated, start);
        f->value = proto_wire::loadFixed32(p);
        p += 4;
        break;
      case 2: {
        uint64_t len;
        if (!(p = readLength(p, &len, &err))) return fail(err, start);
        if (len > static_cast<uint64_t>(end_ - p)) return fail(ProtoError::kBadLength, start);
        f->bytes = std::string_view(p, len);
        p += len;
        break;
      }
      case 3: {
        const char* body = p;
        const char* body_end;
        if (!(p = skipGroup(p, f->number, depth_budget_, &body_end, &err))) return fail(err, start);
        f->bytes = std::string_view(body, body_end - body);
        break;
      }
      default:
        return fail(ProtoError::kBadWireType, start);
    }
    p_ = p;
    return true;
  }

  // Human-readable description, e.g. "truncated input at byte 17".
  std::string describeError() const;

 private:
  bool fail(ProtoError e, const char* at) {
    error_ = e;
    error_offset_ = static_cast<size_t>(at - origin_);
    p_ = end_;
    return false;
  }

  // libprotobuf's ReadSize: at most 5 bytes and below 2^31 - 16.
  const char* readLength(const char* p, uint64_t* len, ProtoError* err) const {
    if (p < end_ && static_cast<uint8_t>(*p) < 0x80) {
      *len = static_cast<uint8_t>(*p);
      return p + 1;
    }
    uint64_t v;
    const char* q = proto_wire::readVarint(p, end_, &v, 5, err);
    if (!q) return nullptr;
    if (v > 0x7FFFFFFFull - 16) {
      *err = ProtoError::kBadLength;
      return nullptr;
    }
    *len = v;
    return q;
  }

  // Skips a group's body (the start tag already read); returns the position
  // after the end tag and, in *body_end, the position of the end tag.
  const char* skipGroup(const char* p, uint32_t number, int budget, const char** body_end,
                        ProtoError* err) const {
    if (budget - 1 < 0) {
      *err = ProtoError::kTooDeep;
      return nullptr;
    }
    while (true) {
      if (p == end_) {
        *err = ProtoError::kUnterminatedGroup;
        return nullptr;
      }
      const char* tag_start = p;
      uint64_t tag64;
      p = proto_wire::readVarint(p, end_, &tag64, 5, err);
      if (!p) return nullptr;
      const uint32_t tag = static_cast<uint32_t>(tag64);
      const uint32_t wt = tag & 7;
      if (wt == 4 || tag == 0) {
        if (tag != number * 8 + 4) {
          *err = ProtoError::kMismatchedEndGroup;
          return nullptr;
        }
        *body_end = tag_start;
        return p;
      }
      if ((tag >> 3) == 0) {
        *err = ProtoError::kFieldNumberZero;
        return nullptr;
      }
      uint64_t v;
      switch (wt) {
        case 0:
          if (!(p = proto_wire::readVarint(p, end_, &v, 10, err))) return nullptr;
          break;
        case 1:
          if (end_ - p < 8) return *err = ProtoError::kTruncated, nullptr;
          p += 8;
          break;
        case 5:
          if (end_ - p < 4) return *err = ProtoError::kTruncated, nullptr;
          p += 4;
          break;
        case 2:
          if (!(p = readLength(p, &v, err))) return nullptr;
          if (v > static_cast<uint64_t>(end_ - p)) return *err = ProtoError::kBadLength, nullptr;
          p += v;
          break;
        case 3: {
          const char* ignored;
          if (!(p = skipGroup(p, tag >> 3, budget - 1, &ignored, err))) return nullptr;
          break;
        }
        default:
          *err = ProtoError::kBadWireType;
          return nullptr;
      }
    }
  }

  const char* p_;
  const char* end_;
  const char* origin_;
  int depth_budget_;
  ProtoError error_ = ProtoError::kNone;
  size_t error_offset_ = 0;
};

// Repeated scalars arrive packed (one kLen field) or unpacked (one field per
// value); libprotobuf accepts both for every repeated scalar. These call
// fn(value) per element and return false on a malformed packed payload.
// A field of any other wire type is an unknown field: nothing is called.
template <class Fn>
bool forEachRepeatedVarint(const ProtoField& f, Fn&& fn) {
  if (f.isVarint()) {
    fn(f.value);
    return true;
  }
  if (!f.isLen()) return true;
  const char* p = f.bytes.data();
  const char* end = p + f.bytes.size();
  while (p < end) {
    uint64_t v;
    ProtoError err;
    if (!(p = proto_wire::readVarint(p, end, &v, 10, &err))) return false;
    fn(v);
  }
  return true;
}

template <class Fn>
bool forEachRepeatedFixed64(const ProtoField& f, Fn&& fn) {
  if (f.isFixed64()) {
    fn(f.value);
    return true;
  }
  if (!f.isLen()) return true;
  if (f.bytes.size() % 8 != 0) return false;
  for (size_t i = 0; i < f.bytes.size(); i += 8) fn(proto_wire::loadFixed64(f.bytes.data() + i));
  return true;
}

template <class Fn>
bool forEachRepeatedFixed32(const ProtoField& f, Fn&& fn) {
  if (f.isFixed32()) {
    fn(static_cast<uint64_t>(f.value));
    return true;
  }
  if (!f.isLen()) return true;
  if (f.bytes.size() % 4 != 0) return false;
  for (size_t i = 0; i < f.bytes.size(); i += 4) fn(proto_wire::loadFixed32(f.bytes.data() + i));
  return true;
}

inline const char* protoErrorName(ProtoError e) {
  switch (e) {
    case ProtoError::kNone: return "no error";
    case ProtoError::kTruncated: return "truncated input";
    case ProtoError::kOverlongVarint: return "varint too long";
    case ProtoError::kBadLength: return "length exceeds the input";
    case ProtoError::kBadWireType: return "invalid wire type";
    case ProtoError::kFieldNumberZero: return "field number 0";
    case ProtoError::kUnexpectedEndGroup: return "unexpected end-group tag";
    case ProtoError::kUnterminatedGroup: return "unterminated group";
    case ProtoError::kMismatchedEndGroup: return "mismatched end-group tag";
    case ProtoError::kTooDeep: return "nesting deeper than 100 levels";
  }
  return "unknown error";
}

inline std::string ProtoReader::describeError() const {
  std::string s = protoErrorName(error_);
  s += " at byte ";
  s += std::to_string(error_offset_);
  return s;
}

// ---------------------------------------------------------------------------
// ProtoMessageSpec and validateProto: a schema-driven check that a buffer
// parses under libprotobuf's rules, before a decoder walks it for values.
//
// Why a separate pass: libprotobuf parses every nested message eagerly, so a
// malformed message that the decoder would later discard (an overwritten
// oneof member, an attribute whose key repeats, a value inside JSON that was
// abandoned for a NaN) still fails the whole request. Validating first lets
// the decoders skip what they do not need and still accept and reject exactly
// what libprotobuf does. It costs one walk without copies.
//
// A spec lists only the fields whose payload libprotobuf parses further:
// nested messages and packed repeated scalars. Every other field (strings,
// bytes, scalars, unknown numbers, known numbers with another wire type) is
// skipped as ProtoReader does. Strings are not checked for UTF-8: the Go
// collector stores invalid UTF-8 as is, libprotobuf's proto3 parser rejects
// it; otelhouse follows the collector.
//
// Specs are constexpr tables with static lifetime; validateProto is
// reentrant and allocates only when it reports an error.

struct ProtoMessageSpec;

enum class ProtoFieldKind : uint8_t {
  kMessage,        // wire type 2, parsed as `message`
  kPackedVarint,   // repeated varint scalar: wire type 0, or 2 holding varints
  kPackedFixed32,  // repeated 4-byte scalar: wire type 5, or 2 holding 4n bytes
  kPackedFixed64,  // repeated 8-byte scalar: wire type 1, or 2 holding 8n bytes
};

struct ProtoFieldSpec {
  uint32_t number;
  ProtoFieldKind kind;
  bool repeated;
  const char* name;
  const ProtoMessageSpec* message;  // for kMessage
};

struct ProtoMessageSpec {
  const ProtoFieldSpec* fields;
  size_t count;  // at most kMaxProtoSpecFields
};

constexpr size_t kMaxProtoSpecFields = 16;

namespace proto_detail {

inline void prependPath(std::string* path, const ProtoFieldSpec& f, uint32_t index) {
  std::string comp = f.name;
  if (f.repeated) {
    comp += '[';
    comp += std::to_string(index);
    comp += ']';
  }
  if (!path->empty()) comp += '.';
  path->insert(0, comp);
}

inline bool validatePacked(const ProtoField& f, ProtoFieldKind kind) {
  auto ignore = [](uint64_t) {};
  switch (kind) {
    case ProtoFieldKind::kPackedVarint: return forEachRepeatedVarint(f, ignore);
    case ProtoFieldKind::kPackedFixed32: return forEachRepeatedFixed32(f, ignore);
    case ProtoFieldKind::kPackedFixed64: return forEachRepeatedFixed64(f, ignore);
    case ProtoFieldKind::kMessage: break;
  }
  return true;
}

// On failure: *path holds the field path inside `data` (without the message
// itself), *detail the problem.
inline bool validateMessage(std::string_view data, const ProtoMessageSpec& spec, int budget,
                            const char* origin, std::string* path, std::string* detail) {
  ProtoReader r(data, budget, origin);
  uint32_t counts[kMaxProtoSpecFields] = {};
  ProtoField f;
  while (r.next(&f)) {
    for (size_t i = 0; i < spec.count; ++i) {
      const ProtoFieldSpec& fs = spec.fields[i];
      if (fs.number != f.number) continue;
      const uint32_t index = counts[i]++;
      if (fs.kind == ProtoFieldKind::kMessage) {
        if (!f.isLen()) break;  // another wire type: an unknown field
        ProtoReader child(std::string_view{}, 0);
        if (!r.enter(f.bytes, &child)) {
          prependPath(path, fs, index);
          *detail = r.describeError();
          return false;
        }
        if (!validateMessage(f.bytes, *fs.message, child.depthBudget(), origin, path, detail)) {
          prependPath(path, fs, index);
          return false;
        }
      } else if (!validatePacked(f, fs.kind)) {
        prependPath(path, fs, index);
        *detail = "malformed packed repeated field at byte " +
                  std::to_string(static_cast<size_t>(f.bytes.data() - origin));
        return false;
      }
      break;
    }
  }
  if (r.failed()) {
    *detail = r.describeError();
    return false;
  }
  return true;
}

}  // namespace proto_detail

// Returns true when `data` parses as `spec`; otherwise writes
// "path: problem" (or just "problem" at the top level) to *error.
inline bool validateProto(std::string_view data, const ProtoMessageSpec& spec,
                          std::string* error, int depth_limit = kProtoDefaultDepthLimit) {
  std::string path, detail;
  if (proto_detail::validateMessage(data, spec, depth_limit, data.data(), &path, &detail)) {
    return true;
  }
  *error = path.empty() ? detail : path + ": " + detail;
  return false;
}

}  // namespace otelhouse
