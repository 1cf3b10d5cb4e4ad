#include "codec/any_value_proto.h"

#include <algorithm>
#include <cstddef>
#include <cstring>

#include "codec/go_text.h"

namespace otelhouse {
namespace {

// Validation already bounded the depth; walking again needs no limit.
constexpr int kNoDepthLimit = 1 << 30;

extern const ProtoMessageSpec kArrayValueSpec;
extern const ProtoMessageSpec kKeyValueListSpec;
extern const ProtoMessageSpec kEntityRefSpec;

constexpr ProtoFieldSpec kAnyValueFields[] = {
    {5, ProtoFieldKind::kMessage, false, "array_value", &kArrayValueSpec},
    {6, ProtoFieldKind::kMessage, false, "kvlist_value", &kKeyValueListSpec},
};
constexpr ProtoFieldSpec kArrayValueFields[] = {
    {1, ProtoFieldKind::kMessage, true, "values", &kAnyValueSpec},
};
constexpr ProtoFieldSpec kKeyValueListFields[] = {
    {1, ProtoFieldKind::kMessage, true, "values", &kKeyValueSpec},
};
constexpr ProtoFieldSpec kKeyValueFields[] = {
    {2, ProtoFieldKind::kMessage, false, "value", &kAnyValueSpec},
};
constexpr ProtoFieldSpec kResourceFields[] = {
    {1, ProtoFieldKind::kMessage, true, "attributes", &kKeyValueSpec},
    {3, ProtoFieldKind::kMessage, true, "entity_refs", &kEntityRefSpec},
};
constexpr ProtoFieldSpec kScopeFields[] = {
    {3, ProtoFieldKind::kMessage, true, "attributes", &kKeyValueSpec},
};

const ProtoMessageSpec kArrayValueSpec{kArrayValueFields, std::size(kArrayValueFields)};
const ProtoMessageSpec kKeyValueListSpec{kKeyValueListFields, std::size(kKeyValueListFields)};
const ProtoMessageSpec kEntityRefSpec{nullptr, 0};  // strings only

// The fast paths below read the encoding every OTLP SDK writes (each field
// once, in field order, short lengths) and return false for anything else,
// which then takes the generic walk; where both apply they give the same
// result, so accepting and rejecting stays the generic walk's business.

// A length varint of one or two bytes (values below 16384).
inline const char* readShortLength(const char* p, const char* end, size_t* n) {
  if (p == end) return nullptr;
  const auto b0 = static_cast<uint8_t>(p[0]);
  if (b0 < 0x80) {
    *n = b0;
    return p + 1;
  }
  if (end - p < 2 || static_cast<uint8_t>(p[1]) >= 0x80) return nullptr;
  *n = (b0 & 0x7Fu) | (static_cast<size_t>(static_cast<uint8_t>(p[1])) << 7);
  return p + 2;
}

// A KeyValue that is exactly `key` (field 1) then `value` (field 2).
inline bool splitKeyValue(std::string_view payload, std::string_view* key,
                          std::string_view* value) {
  const char* p = payload.data();
  const char* end = p + payload.size();
  size_t n;
  if (p == end || *p != 0x0A || !(p = readShortLength(p + 1, end, &n)) ||
      n > static_cast<size_t>(end - p))
    return false;
  *key = std::string_view(p, n);
  p += n;
  if (p == end || *p != 0x12 || !(p = readShortLength(p + 1, end, &n)) ||
      n != static_cast<size_t>(end - p))
    return false;
  *value = std::string_view(p, n);
  return true;
}

// An AnyValue of one scalar or string member (or none).
inline bool resolveScalar(std::string_view seg, AnyValueRef* v) {
  const char* p = seg.data();
  const char* end = p + seg.size();
  if (p == end) return true;  // kEmpty
  const auto tag = static_cast<uint8_t>(*p++);
  size_t n;
  uint64_t x;
  ProtoError err;
  switch (tag) {
    case 0x0A:  // string_value
    case 0x3A:  // bytes_value
      if (!(p = readShortLength(p, end, &n)) || n != static_cast<size_t>(end - p)) return false;
      v->kind = tag == 0x0A ? AnyValueRef::kString : AnyValueRef::kBytes;
      v->str = std::string_view(p, n);
      return true;
    case 0x10:  // bool_value
    case 0x18:  // int_value
      if (!(p = proto_wire::readVarint(p, end, &x, 10, &err)) || p != end) return false;
      if (tag == 0x10) {
        v->kind = AnyValueRef::kBool;
        v->b = x != 0;
      } else {
        v->kind = AnyValueRef::kInt;
        v->i = static_cast<int64_t>(x);
      }
      return true;
    case 0x21:  // double_value
      if (end - p != 8) return false;
      x = proto_wire::loadFixed64(p);
      v->kind = AnyValueRef::kDouble;
      std::memcpy(&v->d, &x, sizeof x);
      return true;
    default:
      return false;
  }
}

}  // namespace

const ProtoMessageSpec kAnyValueSpec{kAnyValueFields, std::size(kAnyValueFields)};
const ProtoMessageSpec kKeyValueSpec{kKeyValueFields, std::size(kKeyValueFields)};
const ProtoMessageSpec kResourceSpec{kResourceFields, std::size(kResourceFields)};
const ProtoMessageSpec kInstrumentationScopeSpec{kScopeFields, std::size(kScopeFields)};

template <bool kChecked>
bool AnyValueRenderer::resolveImpl(size_t begin, size_t end, int budget, AnyValueRef* out) {
  AnyValueRef v;
  if (end - begin == 1 && resolveScalar(segs_[begin], &v)) {
    *out = v;
    return true;
  }
  v = AnyValueRef{};
  size_t child = segs_.size();
  for (size_t s = begin; s < end; ++s) {
    ProtoReader r(segs_[s], kChecked ? budget : kNoDepthLimit);
    ProtoField f;
    while (r.next(&f)) {
      switch (f.number) {
        case 1:
          if (f.isLen()) v.kind = AnyValueRef::kString, v.str = f.bytes;
          break;
        case 2:
          if (f.isVarint()) v.kind = AnyValueRef::kBool, v.b = f.value != 0;
          break;
        case 3:
          if (f.isVarint()) v.kind = AnyValueRef::kInt, v.i = static_cast<int64_t>(f.value);
          break;
        case 4:
          if (f.isFixed64()) v.kind = AnyValueRef::kDouble, v.d = f.asDouble();
          break;
        case 5:
        case 6:
          if (f.isLen()) {
            const auto kind = f.number == 5 ? AnyValueRef::kArray : AnyValueRef::kKvlist;
            if constexpr (kChecked) {
              std::string path, detail;  // written only on failure
              if (budget - 1 < 0 ||
                  !proto_detail::validateMessage(
                      f.bytes, f.number == 5 ? kArrayValueSpec : kKeyValueListSpec, budget - 1,
                      f.bytes.data(), &path, &detail))
                return false;
            }
            // A oneof message member merges with itself only while it stays
            // the current member; any other member in between resets it.
            if (v.kind != kind) segs_.resize(child);
            v.kind = kind;
            segs_.push_back(f.bytes);
          }
          break;
        case 7:
          if (f.isLen()) v.kind = AnyValueRef::kBytes, v.str = f.bytes;
          break;
        default:
          break;
      }
    }
    if (kChecked && r.failed()) return false;
  }
  if (v.kind == AnyValueRef::kArray || v.kind == AnyValueRef::kKvlist) {
    v.seg_begin = static_cast<uint32_t>(child);
    v.seg_end = static_cast<uint32_t>(segs_.size());
  } else {
    segs_.resize(child);
  }
  *out = v;
  return true;
}

AnyValueRef AnyValueRenderer::resolve(size_t begin, size_t end) {
  AnyValueRef v;
  resolveImpl<false>(begin, end, kNoDepthLimit, &v);
  return v;
}

bool AnyValueRenderer::resolveChecked(size_t begin, size_t end, int budget, AnyValueRef* out) {
  return resolveImpl<true>(begin, end, budget, out);
}

void AnyValueRenderer::addKeyValue(std::string_view payload) {
  AttributeEntry e;
  std::string_view value;
  if (splitKeyValue(payload, &e.key, &value) && resolveScalar(value, &e.value)) {
    e.order = static_cast<uint32_t>(entries_.size());
    entries_.push_back(e);
    return;
  }
  std::string_view key;
  const size_t vb = segs_.size();
  ProtoReader r(payload, kNoDepthLimit);
  ProtoField f;
  while (r.next(&f)) {
    if (!f.isLen()) continue;
    if (f.number == 1) {
      key = f.bytes;
    } else if (f.number == 2) {
      segs_.push_back(f.bytes);
    }
  }
  e = AttributeEntry{};
  e.key = key;
  e.order = static_cast<uint32_t>(entries_.size());
  e.value = resolve(vb, segs_.size());
  entries_.push_back(e);
}

bool AnyValueRenderer::addKeyValueChecked(std::string_view payload, int budget) {
  AttributeEntry e;
  std::string_view value;
  if (budget - 1 >= 0 && splitKeyValue(payload, &e.key, &value) &&
      resolveScalar(value, &e.value)) {
    e.order = static_cast<uint32_t>(entries_.size());
    entries_.push_back(e);
    return true;
  }
  std::string_view key;
  const size_t vb = segs_.size();
  ProtoReader r(payload, budget);
  ProtoField f;
  while (r.next(&f)) {
    if (!f.isLen()) continue;
    if (f.number == 1) {
      key = f.bytes;
    } else if (f.number == 2) {
      if (budget - 1 < 0) return false;  // the value message would nest too deep
      segs_.push_back(f.bytes);
    }
  }
  if (r.failed()) return false;
  e = AttributeEntry{};
  e.key = key;
  e.order = static_cast<uint32_t>(entries_.size());
  if (!resolveChecked(vb, segs_.size(), budget - 1, &e.value)) return false;
  entries_.push_back(e);
  return true;
}

void AnyValueRenderer::addKeyValues(size_t seg_begin, size_t seg_end, uint32_t field) {
  for (size_t s = seg_begin; s < seg_end; ++s) {
    ProtoReader r(segs_[s], kNoDepthLimit);
    ProtoField f;
    while (r.next(&f)) {
      if (f.number == field && f.isLen()) addKeyValue(f.bytes);
    }
  }
}

namespace {

// The first eight bytes of a key, zero-padded, as a big-endian number: when
// two prefixes differ they order the keys bytewise; when equal, compare whole.
inline uint64_t keyPrefix(std::string_view k) {
  uint64_t x = 0;
  if (!k.empty()) std::memcpy(&x, k.data(), k.size() < 8 ? k.size() : 8);  // data() may be null
  return __builtin_bswap64(x);
}

inline bool keyLess(std::string_view a, std::string_view b) {
  const uint64_t x = keyPrefix(a), y = keyPrefix(b);
  if (x != y) return x < y;
  return a < b;
}

}  // namespace

size_t AnyValueRenderer::sortedUnique(size_t begin) {
  const size_t n = entries_.size() - begin;
  if (n <= 1) return entries_.size();
  if (n <= 64) {
    // Insertion sort of (prefix, index) pairs, stable, then one permutation
    // of the entries: quickest for the few attributes a record or resource
    // has, and the entries themselves are large to move.
    struct Slot {
      uint64_t prefix;
      uint32_t index;
    };
    Slot slots[64];
    bool sorted = true;
    for (size_t i = 0; i < n; ++i) {
      slots[i] = {keyPrefix(entries_[begin + i].key), static_cast<uint32_t>(begin + i)};
    }
    auto less = [this](const Slot& a, const Slot& b) {
      if (a.prefix != b.prefix) return a.prefix < b.prefix;
      return entries_[a.index].key < entries_[b.index].key;
    };
    for (size_t i = 1; i < n; ++i) {
      if (!less(slots[i], slots[i - 1])) continue;
      sorted = false;
      const Slot e = slots[i];
      size_t j = i;
      do {
        slots[j] = slots[j - 1];
        --j;
      } while (j > 0 && less(e, slots[j - 1]));
      slots[j] = e;
    }
    // Keep the last of each run of equal keys.
    size_t kept = 0;
    for (size_t i = 0; i < n; ++i) {
      if (i + 1 < n && slots[i + 1].prefix == slots[i].prefix &&
          entries_[slots[i + 1].index].key == entries_[slots[i].index].key)
        continue;
      slots[kept++] = slots[i];
    }
    if (sorted && kept == n) return entries_.size();
    sort_scratch_.clear();
    for (size_t i = 0; i < kept; ++i) sort_scratch_.push_back(entries_[slots[i].index]);
    std::copy(sort_scratch_.begin(), sort_scratch_.end(),
              entries_.begin() + static_cast<ptrdiff_t>(begin));
    return begin + kept;
  }
  std::stable_sort(entries_.begin() + static_cast<ptrdiff_t>(begin), entries_.end(),
                   [](const AttributeEntry& a, const AttributeEntry& b) {
                     return keyLess(a.key, b.key);
                   });
  size_t out = begin;
  for (size_t i = begin; i < entries_.size(); ++i) {
    if (i + 1 < entries_.size() && entries_[i + 1].key == entries_[i].key) continue;
    entries_[out++] = entries_[i];
  }
  return out;
}

const AttributeEntry* AnyValueRenderer::findFirst(size_t begin, std::string_view key) const {
  for (size_t i = begin; i < entries_.size(); ++i) {
    if (entries_[i].key == key) return &entries_[i];
  }
  return nullptr;
}

std::string_view AnyValueRenderer::asString(AnyValueRef v, std::string* scratch) {
  switch (v.kind) {
    case AnyValueRef::kEmpty:
      return {};
    case AnyValueRef::kString:
      return v.str;
    default:
      break;
  }
  scratch->clear();
  switch (v.kind) {
    case AnyValueRef::kBool:
      *scratch = v.b ? "true" : "false";
      break;
    case AnyValueRef::kInt:
      appendInt64(*scratch, v.i);
      break;
    case AnyValueRef::kDouble:
      appendGoFloat(*scratch, v.d);
      break;
    case AnyValueRef::kBytes:
      appendBase64(*scratch, v.str);
      break;
    case AnyValueRef::kArray:
    case AnyValueRef::kKvlist:
      if (!appendJson(v, scratch)) scratch->clear();
      break;
    default:
      break;
  }
  return *scratch;
}

bool AnyValueRenderer::appendJson(AnyValueRef v, std::string* out) {
  switch (v.kind) {
    case AnyValueRef::kEmpty:
      *out += "null";
      return true;
    case AnyValueRef::kString:
      appendGoJsonString(*out, v.str);
      return true;
    case AnyValueRef::kBool:
      *out += v.b ? "true" : "false";
      return true;
    case AnyValueRef::kInt:
      appendInt64(*out, v.i);
      return true;
    case AnyValueRef::kDouble:
      return appendGoJsonNumber(*out, v.d);
    case AnyValueRef::kBytes:
      out->push_back('"');
      appendBase64(*out, v.str);
      out->push_back('"');
      return true;
    case AnyValueRef::kArray: {
      out->push_back('[');
      bool first = true;
      for (uint32_t s = v.seg_begin; s < v.seg_end; ++s) {
        ProtoReader r(segs_[s], kNoDepthLimit);
        ProtoField f;
        while (r.next(&f)) {
          if (f.number != 1 || !f.isLen()) continue;
          const size_t mark = segs_.size();
          const AnyValueRef elem = resolveOne(f.bytes);
          if (!first) out->push_back(',');
          first = false;
          const bool ok = appendJson(elem, out);
          segs_.resize(mark);
          if (!ok) return false;
        }
      }
      out->push_back(']');
      return true;
    }
    case AnyValueRef::kKvlist: {
      const size_t seg_mark = segs_.size();
      const size_t entry_mark = entries_.size();
      addKeyValues(v.seg_begin, v.seg_end, 1);
      const size_t end = sortedUnique(entry_mark);
      entries_.resize(end);
      out->push_back('{');
      bool ok = true;
      for (size_t i = entry_mark; i < end && ok; ++i) {
        if (i != entry_mark) out->push_back(',');
        const AttributeEntry e = entries_[i];  // nested calls may grow entries_
        appendGoJsonString(*out, e.key);
        out->push_back(':');
        ok = appendJson(e.value, out);
      }
      entries_.resize(entry_mark);
      segs_.resize(seg_mark);
      if (!ok) return false;
      out->push_back('}');
      return true;
    }
  }
  return true;
}

}  // namespace otelhouse
