#include "codec/any_value_proto.h"

#include <algorithm>
#include <cstddef>

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

}  // namespace

const ProtoMessageSpec kAnyValueSpec{kAnyValueFields, std::size(kAnyValueFields)};
const ProtoMessageSpec kKeyValueSpec{kKeyValueFields, std::size(kKeyValueFields)};
const ProtoMessageSpec kResourceSpec{kResourceFields, std::size(kResourceFields)};
const ProtoMessageSpec kInstrumentationScopeSpec{kScopeFields, std::size(kScopeFields)};

AnyValueRef AnyValueRenderer::resolve(size_t begin, size_t end) {
  AnyValueRef v;
  size_t child = segs_.size();
  for (size_t s = begin; s < end; ++s) {
    ProtoReader r(segs_[s], kNoDepthLimit);
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
  }
  if (v.kind == AnyValueRef::kArray || v.kind == AnyValueRef::kKvlist) {
    v.seg_begin = static_cast<uint32_t>(child);
    v.seg_end = static_cast<uint32_t>(segs_.size());
  } else {
    segs_.resize(child);
  }
  return v;
}

void AnyValueRenderer::addKeyValue(std::string_view payload) {
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
  AttributeEntry e;
  e.key = key;
  e.order = static_cast<uint32_t>(entries_.size());
  e.value = resolve(vb, segs_.size());
  entries_.push_back(e);
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

size_t AnyValueRenderer::sortedUnique(size_t begin) {
  auto first = entries_.begin() + static_cast<ptrdiff_t>(begin);
  const size_t n = entries_.size() - begin;
  if (n > 1) {
    std::sort(first, entries_.end(), [](const AttributeEntry& a, const AttributeEntry& b) {
      int c = a.key.compare(b.key);
      return c < 0 || (c == 0 && a.order < b.order);
    });
  }
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
