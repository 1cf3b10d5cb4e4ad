#include "codec/otlp_proto_common.h"

#include <cstring>

#include "codec/proto_reader.h"

namespace otelhouse {

void serializeAttributes(AnyValueRenderer& av, size_t entry_mark, std::string* scratch,
                         std::string* keys, std::string* values, size_t* count) {
  keys->clear();
  values->clear();
  const size_t end = av.sortedUnique(entry_mark);
  for (size_t i = entry_mark; i < end; ++i) {
    const AttributeEntry e = av.entry(i);
    appendVarUInt(*keys, e.key.size());
    keys->append(e.key);
    const std::string_view v = av.asString(e.value, scratch);
    appendVarUInt(*values, v.size());
    values->append(v);
  }
  *count = end - entry_mark;
}

void appendAttributes(AnyValueRenderer& av, size_t entry_mark, std::string* scratch,
                      MapColumn& col) {
  const size_t end = av.sortedUnique(entry_mark);
  for (size_t i = entry_mark; i < end; ++i) {
    const AttributeEntry e = av.entry(i);
    col.addEntry(e.key, av.asString(e.value, scratch));
  }
  col.endRow();
}

void renderResource(AnyValueRenderer& av, size_t seg_begin, size_t seg_end, std::string* scratch,
                    ResourceRendering* out) {
  const size_t entry_mark = av.entryMark();
  av.addKeyValues(seg_begin, seg_end, 1);
  out->service_name.clear();
  // internal.GetServiceName: pcommon.Map.Get finds the first entry in wire
  // order, rendered with AsString.
  if (const AttributeEntry* e = av.findFirst(entry_mark, "service.name")) {
    const AnyValueRef value = e->value;  // rendering may move the entries
    out->service_name = av.asString(value, scratch);
  }
  serializeAttributes(av, entry_mark, scratch, &out->keys, &out->values, &out->count);
  av.releaseEntries(entry_mark);
}

void renderScope(AnyValueRenderer& av, size_t seg_begin, size_t seg_end, std::string* scratch,
                 ScopeRendering* out) {
  const size_t entry_mark = av.entryMark();
  out->name = {};
  out->version = {};
  out->dropped_attributes_count = 0;
  for (size_t s = seg_begin; s < seg_end; ++s) {
    ProtoReader r(av.segment(s), kProtoNoDepthLimit);
    ProtoField f;
    while (r.next(&f)) {
      if (f.isLen()) {
        if (f.number == 1) {
          out->name = f.bytes;
        } else if (f.number == 2) {
          out->version = f.bytes;
        } else if (f.number == 3) {
          av.addKeyValue(f.bytes);
        }
      } else if (f.isVarint() && f.number == 4) {
        out->dropped_attributes_count = static_cast<uint32_t>(f.value);
      }
    }
  }
  serializeAttributes(av, entry_mark, scratch, &out->keys, &out->values, &out->count);
  av.releaseEntries(entry_mark);
}

namespace {

// "00" .. "ff": two hex digits per byte in one load.
struct HexPairs {
  char pairs[512];
  constexpr HexPairs() : pairs() {
    const char* digits = "0123456789abcdef";
    for (int i = 0; i < 256; ++i) {
      pairs[2 * i] = digits[i >> 4];
      pairs[2 * i + 1] = digits[i & 15];
    }
  }
};
constexpr HexPairs kHexPairs;

}  // namespace

std::string_view idHex(std::string_view id, char* buf) {
  for (size_t i = 0; i < id.size(); ++i) {
    std::memcpy(buf + 2 * i, kHexPairs.pairs + 2 * static_cast<uint8_t>(id[i]), 2);
  }
  return {buf, 2 * id.size()};
}

bool isZeroId(std::string_view id) {
  size_t i = 0;
  uint64_t any = 0;
  for (; i + 8 <= id.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, id.data() + i, 8);
    any |= w;
  }
  for (; i < id.size(); ++i) any |= static_cast<uint8_t>(id[i]);
  return any == 0;
}

void appendIdHexOrEmpty(StringColumn& col, std::string_view id) {
  if (isZeroId(id)) {
    col.append({});
    return;
  }
  char buf[32];
  col.append(idHex(id.substr(0, 16), buf));
}

Status badIdLength(const std::string& path, const char* field, size_t got, size_t want) {
  return Status::invalid(path + "." + field + ": invalid length " + std::to_string(got) +
                         " (want 0 or " + std::to_string(want) + ")");
}

}  // namespace otelhouse
