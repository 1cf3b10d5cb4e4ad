#include "clickhouse/native_block.h"

#include <algorithm>
#include <memory>
#include <unordered_map>

namespace otelhouse::clickhouse {
namespace {

enum class Kind { kFixed, kString, kNullable, kArray, kMap, kTuple, kLowCardinality };

struct TypeNode {
  Kind kind = Kind::kFixed;
  uint64_t size = 0;  // kFixed: bytes per value
  std::vector<TypeNode> children;
};

constexpr int kMaxDepth = 32;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\n' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Splits "a, b(c, d), 'e,f'" at top-level commas.
bool splitArgs(std::string_view args, std::vector<std::string_view>* out) {
  int depth = 0;
  bool quoted = false;
  size_t start = 0;
  for (size_t i = 0; i < args.size(); ++i) {
    char c = args[i];
    if (quoted) {
      if (c == '\\') ++i;
      else if (c == '\'') quoted = false;
      continue;
    }
    if (c == '\'') quoted = true;
    else if (c == '(') ++depth;
    else if (c == ')') --depth;
    else if (c == ',' && depth == 0) {
      out->push_back(trim(args.substr(start, i - start)));
      start = i + 1;
    }
    if (depth < 0) return false;
  }
  if (depth != 0 || quoted) return false;
  out->push_back(trim(args.substr(start)));
  return true;
}

bool fixedSize(std::string_view name, uint64_t* size) {
  struct Entry {
    std::string_view name;
    uint64_t size;
  };
  static constexpr Entry kTypes[] = {
      {"UInt8", 1},    {"Int8", 1},     {"Bool", 1},      {"Enum8", 1},      {"Nothing", 1},
      {"UInt16", 2},   {"Int16", 2},    {"Date", 2},      {"Enum16", 2},     {"UInt32", 4},
      {"Int32", 4},    {"Float32", 4},  {"DateTime", 4},  {"Date32", 4},     {"IPv4", 4},
      {"Decimal32", 4}, {"UInt64", 8},  {"Int64", 8},     {"Float64", 8},    {"DateTime64", 8},
      {"Decimal64", 8}, {"IntervalSecond", 8}, {"IntervalMinute", 8}, {"IntervalHour", 8},
      {"IntervalDay", 8}, {"IntervalWeek", 8}, {"IntervalMonth", 8}, {"IntervalQuarter", 8},
      {"IntervalYear", 8}, {"UInt128", 16}, {"Int128", 16}, {"UUID", 16}, {"IPv6", 16},
      {"Decimal128", 16}, {"UInt256", 32}, {"Int256", 32}, {"Decimal256", 32},
  };
  for (const Entry& e : kTypes) {
    if (e.name == name) {
      *size = e.size;
      return true;
    }
  }
  return false;
}

Status parseType(std::string_view type, int depth, TypeNode* node) {
  type = trim(type);
  if (depth > kMaxDepth) return Status::invalid("type nested too deeply");
  std::string_view name = type;
  std::string_view args;
  bool has_args = false;
  size_t open = type.find('(');
  if (open != std::string_view::npos) {
    if (type.back() != ')') return Status::invalid("malformed type '" + std::string(type) + "'");
    name = trim(type.substr(0, open));
    args = type.substr(open + 1, type.size() - open - 2);
    has_args = true;
  }
  std::vector<std::string_view> parts;
  if (has_args && !splitArgs(args, &parts)) {
    return Status::invalid("malformed type arguments in '" + std::string(type) + "'");
  }
  auto child = [&](std::string_view t) -> Status {
    node->children.emplace_back();
    return parseType(t, depth + 1, &node->children.back());
  };
  if (name == "String") {
    node->kind = Kind::kString;
    return Status::ok();
  }
  if (name == "FixedString") {
    uint64_t n = 0;
    if (parts.size() != 1 || parts[0].empty()) return Status::invalid("malformed FixedString type");
    for (char c : parts[0]) {
      if (c < '0' || c > '9' || n > (uint64_t{1} << 32)) return Status::invalid("malformed FixedString type");
      n = n * 10 + static_cast<uint64_t>(c - '0');
    }
    node->kind = Kind::kFixed;
    node->size = n;
    return Status::ok();
  }
  if (name == "Decimal") {
    uint64_t p = 0;
    if (parts.empty() || parts[0].empty() || parts[0].size() > 3) return Status::invalid("malformed Decimal type");
    for (char c : parts[0]) {
      if (c < '0' || c > '9') return Status::invalid("malformed Decimal type");
      p = p * 10 + static_cast<uint64_t>(c - '0');
    }
    node->kind = Kind::kFixed;
    node->size = p <= 9 ? 4 : p <= 18 ? 8 : p <= 38 ? 16 : 32;
    return Status::ok();
  }
  if (name == "Nullable" || name == "Array" || name == "LowCardinality") {
    if (parts.size() != 1) return Status::invalid("malformed type '" + std::string(type) + "'");
    node->kind = name == "Nullable" ? Kind::kNullable : name == "Array" ? Kind::kArray : Kind::kLowCardinality;
    return child(parts[0]);
  }
  if (name == "SimpleAggregateFunction") {
    if (parts.size() != 2) return Status::invalid("malformed SimpleAggregateFunction type");
    return parseType(parts[1], depth + 1, node);
  }
  if (name == "Map") {
    if (parts.size() != 2) return Status::invalid("malformed Map type");
    node->kind = Kind::kMap;
    Status st = child(parts[0]);
    return st.isOk() ? child(parts[1]) : st;
  }
  if (name == "Tuple") {
    node->kind = Kind::kTuple;
    for (std::string_view p : parts) {
      // Named elements: "name Type".
      TypeNode probe;
      Status st = parseType(p, depth + 1, &probe);
      if (!st.isOk()) {
        size_t space = p.find(' ');
        if (space == std::string_view::npos) return st;
        st = parseType(p.substr(space + 1), depth + 1, &probe);
        if (!st.isOk()) return st;
      }
      node->children.push_back(std::move(probe));
    }
    return Status::ok();
  }
  uint64_t size = 0;
  if (fixedSize(name, &size)) {
    node->kind = Kind::kFixed;
    node->size = size;
    return Status::ok();
  }
  return Status::unsupported("cannot read Native column of type '" + std::string(type) + "'");
}

// LowCardinality keeps one state word per column, written before any data.
Status skipPrefix(Input& in, const TypeNode& node) {
  if (node.kind == Kind::kLowCardinality) {
    uint64_t version = 0;
    Status st = in.readFixed(&version);
    if (!st.isOk()) return st;
    if (version != 1) return Status::invalid("unknown LowCardinality serialization version " + std::to_string(version));
    return Status::ok();
  }
  for (const TypeNode& c : node.children) {
    Status st = skipPrefix(in, c);
    if (!st.isOk()) return st;
  }
  return Status::ok();
}

Status skipFixed(Input& in, uint64_t size, uint64_t rows) {
  if (size != 0 && rows > Input::kMaxLength / size) {
    // Reading it would need more than any input may hold.
    return Status::invalid("column of " + std::to_string(rows) + " values too large");
  }
  return in.skip(static_cast<size_t>(size * rows));
}

Status skipData(Input& in, const TypeNode& node, uint64_t rows);

Status skipArrayOffsets(Input& in, uint64_t rows, uint64_t* nested) {
  if (rows > Input::kMaxLength / 8) return Status::invalid("array column too large");
  Status st = in.need(static_cast<size_t>(rows * 8));
  if (!st.isOk()) return st;
  uint64_t prev = 0;
  for (uint64_t i = 0; i < rows; ++i) {
    uint64_t off;
    std::memcpy(&off, in.cur() + i * 8, 8);
    if (off < prev) return Status::invalid("array offsets decrease at offset " + std::to_string(in.consumed()));
    prev = off;
  }
  in.advance(static_cast<size_t>(rows * 8));
  *nested = prev;
  return Status::ok();
}

Status skipData(Input& in, const TypeNode& node, uint64_t rows) {
  switch (node.kind) {
    case Kind::kFixed:
      return skipFixed(in, node.size, rows);
    case Kind::kString:
      for (uint64_t i = 0; i < rows; ++i) {
        uint64_t len = 0;
        Status st = in.readVarUInt(&len);
        if (!st.isOk()) return st;
        if (len > Input::kMaxLength) return Status::invalid("string length too large");
        st = in.skip(static_cast<size_t>(len));
        if (!st.isOk()) return st;
      }
      return Status::ok();
    case Kind::kNullable: {
      Status st = skipFixed(in, 1, rows);
      return st.isOk() ? skipData(in, node.children[0], rows) : st;
    }
    case Kind::kArray:
    case Kind::kMap: {
      uint64_t nested = 0;
      Status st = skipArrayOffsets(in, rows, &nested);
      for (const TypeNode& c : node.children) {
        if (!st.isOk()) return st;
        st = skipData(in, c, nested);
      }
      return st;
    }
    case Kind::kTuple:
      for (const TypeNode& c : node.children) {
        Status st = skipData(in, c, rows);
        if (!st.isOk()) return st;
      }
      return Status::ok();
    case Kind::kLowCardinality: {
      if (rows == 0) return Status::ok();
      uint64_t flags = 0;
      Status st = in.readFixed(&flags);
      if (!st.isOk()) return st;
      uint64_t index_type = flags & 0xff;
      if (index_type > 3) return Status::invalid("unknown LowCardinality index type");
      constexpr uint64_t kHasAdditionalKeys = 1u << 9;
      if (flags & kHasAdditionalKeys) {
        uint64_t keys = 0;
        st = in.readFixed(&keys);
        if (!st.isOk()) return st;
        // The dictionary holds the inner type without Nullable.
        const TypeNode& inner = node.children[0].kind == Kind::kNullable ? node.children[0].children[0]
                                                                          : node.children[0];
        st = skipData(in, inner, keys);
        if (!st.isOk()) return st;
      }
      uint64_t indexes = 0;
      st = in.readFixed(&indexes);
      if (!st.isOk()) return st;
      if (indexes != rows) return Status::invalid("LowCardinality index count differs from rows");
      return skipFixed(in, uint64_t{1} << index_type, indexes);
    }
  }
  return Status::internal("unreachable");
}

// Offsets, not pointers, while reading: a Source-backed Input may move its
// buffer; the views are made once the whole block is buffered.
struct ColumnOffsets {
  uint64_t name, name_len, type, type_len, data, data_len;
};

Status readBlockCaptured(Input& in, bool with_block_info, NativeBlock* out) {
  const uint64_t start = in.consumed();
  Status st;
  if (with_block_info) {
    // field 1: is_overflows (u8), field 2: bucket_num (i32), 0: end.
    for (;;) {
      uint64_t field = 0;
      st = in.readVarUInt(&field);
      if (!st.isOk()) return st;
      if (field == 0) break;
      if (field == 1) st = in.skip(1);
      else if (field == 2) st = in.skip(4);
      else return Status::invalid("unknown block info field " + std::to_string(field));
      if (!st.isOk()) return st;
    }
  }
  uint64_t columns = 0;
  st = in.readVarUInt(&columns);
  if (st.isOk()) st = in.readVarUInt(&out->rows);
  if (!st.isOk()) return st;
  if (columns > 100000) return Status::invalid("block with " + std::to_string(columns) + " columns");
  std::vector<ColumnOffsets> offsets;
  for (uint64_t i = 0; i < columns; ++i) {
    ColumnOffsets o{};
    std::string_view name, type;
    st = in.readString(&name);
    if (!st.isOk()) return st;
    o.name = in.consumed() - name.size();
    o.name_len = name.size();
    st = in.readString(&type);
    if (!st.isOk()) return st;
    o.type = in.consumed() - type.size();
    o.type_len = type.size();
    std::string type_copy(type);
    o.data = in.consumed();
    st = skipColumnData(in, type_copy, out->rows);
    if (!st.isOk()) {
      return Status(st.code(), "column '" + std::string(name) + "' (" + type_copy + "): " + st.message());
    }
    o.data_len = in.consumed() - o.data;
    offsets.push_back(o);
  }
  out->bytes = in.bytesSince(start);
  for (const ColumnOffsets& o : offsets) {
    NativeColumn c;
    c.name = out->bytes.substr(o.name - start, o.name_len);
    c.type = out->bytes.substr(o.type - start, o.type_len);
    c.data = out->bytes.substr(o.data - start, o.data_len);
    out->columns.push_back(c);
  }
  return Status::ok();
}

}  // namespace

Status skipColumnData(Input& in, std::string_view type, uint64_t rows) {
  // No rows, no bytes, whatever the type: a header block may name types this
  // reader cannot walk (JSON, Variant...) without that being an error.
  if (rows == 0) return Status::ok();
  TypeNode node;
  Status st = parseType(type, 0, &node);
  if (!st.isOk()) return st;
  st = skipPrefix(in, node);
  return st.isOk() ? skipData(in, node, rows) : st;
}

Status readBlock(Input& in, bool with_block_info, NativeBlock* out) {
  out->columns.clear();
  in.beginCapture();
  Status st = readBlockCaptured(in, with_block_info, out);
  in.endCapture();
  return st;
}

Status splitNativeStream(std::string_view native, std::vector<NativeBlock>* blocks) {
  blocks->clear();
  Input in(native);
  while (!in.atEnd()) {
    NativeBlock block;
    Status st = readBlock(in, false, &block);
    if (!st.isOk()) {
      return Status::invalid("Native block " + std::to_string(blocks->size()) + ": " + st.message());
    }
    blocks->push_back(std::move(block));
  }
  return Status::ok();
}

void putBlockInfo(std::string& out) {
  putVarUInt(out, 1);
  out.push_back(0);
  putVarUInt(out, 2);
  putFixed<int32_t>(out, -1);
  putVarUInt(out, 0);
}

void putBlock(std::string& out, uint64_t rows, const std::vector<NativeColumn>& columns) {
  putVarUInt(out, columns.size());
  putVarUInt(out, rows);
  for (const NativeColumn& c : columns) {
    putString(out, c.name);
    putString(out, c.type);
    out.append(c.data.data(), c.data.size());
  }
}

Status decodeStrings(const NativeColumn& column, uint64_t rows, std::vector<std::string>* out) {
  if (column.type != "String") {
    return Status::invalid("column '" + std::string(column.name) + "' is " + std::string(column.type) + ", not String");
  }
  Input in(column.data);
  out->clear();
  for (uint64_t i = 0; i < rows; ++i) {
    std::string s;
    Status st = in.readString(&s);
    if (!st.isOk()) return st;
    out->push_back(std::move(s));
  }
  return Status::ok();
}

Status encodeLowCardinalityString(std::string_view string_data, uint64_t rows, std::string* out) {
  Input in(string_data);
  // Position 0 holds the default value, as the server's own dictionaries do.
  std::unordered_map<std::string_view, uint32_t> positions{{std::string_view(), 0}};
  std::vector<std::string_view> keys{std::string_view()};
  std::vector<uint32_t> indexes;
  indexes.reserve(static_cast<size_t>(std::min<uint64_t>(rows, string_data.size())));
  for (uint64_t i = 0; i < rows; ++i) {
    std::string_view v;
    Status st = in.readString(&v);
    if (!st.isOk()) return st;
    auto [it, added] = positions.emplace(v, static_cast<uint32_t>(keys.size()));
    if (added) keys.push_back(v);
    indexes.push_back(it->second);
  }
  if (!in.atEnd()) return Status::invalid("bytes after the String column's values");
  const uint64_t index_type = keys.size() <= 0x100 ? 0 : keys.size() <= 0x10000 ? 1 : 2;
  constexpr uint64_t kHasAdditionalKeys = 1u << 9;
  constexpr uint64_t kNeedUpdateDictionary = 1u << 10;
  putFixed<uint64_t>(*out, 1);  // keys serialization version
  putFixed<uint64_t>(*out, index_type | kHasAdditionalKeys | kNeedUpdateDictionary);
  putFixed<uint64_t>(*out, keys.size());
  for (std::string_view k : keys) putString(*out, k);
  putFixed<uint64_t>(*out, indexes.size());
  for (uint32_t ix : indexes) {
    if (index_type == 0) putFixed<uint8_t>(*out, static_cast<uint8_t>(ix));
    else if (index_type == 1) putFixed<uint16_t>(*out, static_cast<uint16_t>(ix));
    else putFixed<uint32_t>(*out, ix);
  }
  return Status::ok();
}

std::string withoutLowCardinality(std::string_view type) {
  std::string out;
  constexpr std::string_view kLc = "LowCardinality(";
  // Remove each "LowCardinality(" and its matching ')'.
  std::vector<bool> drop_close;  // per open paren: is it a LowCardinality one
  for (size_t i = 0; i < type.size(); ++i) {
    if (type.substr(i, kLc.size()) == kLc) {
      drop_close.push_back(true);
      i += kLc.size() - 1;
      continue;
    }
    char c = type[i];
    if (c == '(') drop_close.push_back(false);
    if (c == ')' && !drop_close.empty()) {
      bool drop = drop_close.back();
      drop_close.pop_back();
      if (drop) continue;
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace otelhouse::clickhouse
