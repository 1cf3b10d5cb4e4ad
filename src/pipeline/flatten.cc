#include "pipeline/flatten.h"

#include <string>

#include "codec/go_text.h"

namespace otelhouse {
namespace {

std::string_view indexText(size_t i, TextArena& arena) {
  char buf[24];
  const int n = snprintf(buf, sizeof(buf), "%zu", i);
  return arena.save(std::string_view(buf, static_cast<size_t>(n)));
}

bool isContainerText(std::string_view text, char open) {
  return !text.empty() && text.front() == open;
}

}  // namespace

LogAttr attrOfElement(std::string_view key, simdjson::dom::element v, TextArena& arena) {
  LogAttr a;
  a.key = key;
  switch (v.type()) {
    case simdjson::dom::element_type::OBJECT:
      a.kind = LogValueKind::kKvlist;
      a.tree = true;
      a.element = v;
      break;
    case simdjson::dom::element_type::ARRAY:
      a.kind = LogValueKind::kArray;
      a.tree = true;
      a.element = v;
      break;
    case simdjson::dom::element_type::STRING:
      a.kind = LogValueKind::kString;
      a.text = std::string_view(v.get_string().value_unsafe());
      break;
    case simdjson::dom::element_type::INT64:
    case simdjson::dom::element_type::UINT64:
    case simdjson::dom::element_type::DOUBLE: {
      // ParseJSON decodes every JSON number as a float64.
      double d = 0;
      if (v.type() == simdjson::dom::element_type::INT64) {
        d = static_cast<double>(v.get_int64().value_unsafe());
      } else if (v.type() == simdjson::dom::element_type::UINT64) {
        d = static_cast<double>(v.get_uint64().value_unsafe());
      } else {
        d = v.get_double().value_unsafe();
      }
      thread_local std::string number;
      number.clear();
      appendGoFloat(number, d);
      a.kind = LogValueKind::kDouble;
      a.text = arena.save(number);
      break;
    }
    case simdjson::dom::element_type::BOOL:
      a.kind = LogValueKind::kBool;
      a.text = v.get_bool().value_unsafe() ? "true" : "false";
      break;
    case simdjson::dom::element_type::NULL_VALUE:
      a.kind = LogValueKind::kEmpty;
      break;
  }
  return a;
}

LogAttr attrOfGoJson(std::string_view key, const GoJsonValue& v) {
  LogAttr a;
  a.key = key;
  switch (v.type) {
    case GoJsonValue::kNull: a.kind = LogValueKind::kEmpty; break;
    case GoJsonValue::kBool: a.kind = LogValueKind::kBool, a.text = v.raw; break;
    case GoJsonValue::kInt: a.kind = LogValueKind::kInt, a.text = v.raw; break;
    case GoJsonValue::kDouble: a.kind = LogValueKind::kDouble, a.text = v.raw; break;
    case GoJsonValue::kString: a.kind = LogValueKind::kString, a.text = v.str; break;
    case GoJsonValue::kObject: a.kind = LogValueKind::kKvlist, a.text = v.raw; break;
    case GoJsonValue::kArray: a.kind = LogValueKind::kArray, a.text = v.raw; break;
  }
  return a;
}

void Flattener::put(std::string_view key, const LogAttr& value) {
  LogAttr a = value;
  a.key = key;
  // A record has a handful of attributes: a linear search finds a repeated
  // key without the hash map's node allocation per key; past kLinearKeys
  // the map takes over (built once from what is there).
  constexpr size_t kLinearKeys = 16;
  if (index_.empty()) {
    for (LogAttr& r : result_) {
      if (r.key == key) {
        r = a;
        return;
      }
    }
    if (result_.size() < kLinearKeys) {
      result_.push_back(a);
      return;
    }
    for (size_t i = 0; i < result_.size(); ++i) index_.emplace(result_[i].key, i);
  }
  auto [it, inserted] = index_.try_emplace(key, result_.size());
  if (inserted) {
    result_.push_back(a);
  } else {
    result_[it->second] = a;
  }
}

void Flattener::putLeaf(std::string_view key, LogValueKind kind, std::string_view text) {
  LogAttr a;
  a.kind = kind;
  a.text = text;
  put(key, a);
}

void Flattener::flatten(LogAttributes& attributes, TextArena& arena) {
  arena_ = &arena;
  result_.clear();
  index_.clear();
  for (const LogAttr& a : attributes.entries()) {
    if (a.tree) {
      if (a.kind == LogValueKind::kKvlist) {
        treeMap(a.element.get_object().value_unsafe(), a.key);
      } else {
        treeValue(a.key, a.element, {});
      }
    } else if (a.kind == LogValueKind::kKvlist && isContainerText(a.text, '{')) {
      textMap(a.text, a.key);
    } else if (a.kind == LogValueKind::kArray && isContainerText(a.text, '[')) {
      GoJsonValue v;
      v.type = GoJsonValue::kArray;
      v.raw = a.text;
      textValue(a.key, v, {});
    } else {
      put(a.key, a);
    }
  }
  attributes.entries().swap(result_);
}

void Flattener::treeMap(simdjson::dom::object map, std::string_view prefix) {
  const std::string_view p = prefix.empty() ? prefix : arena_->join(prefix, ".");
  for (auto field : map) treeValue(field.key, field.value, p);
}

void Flattener::treeSlice(simdjson::dom::array slice, std::string_view prefix) {
  size_t i = 0;
  for (simdjson::dom::element e : slice) treeValue(indexText(i++, *arena_), e, prefix);
}

void Flattener::treeValue(std::string_view key, simdjson::dom::element v,
                          std::string_view prefix) {
  const std::string_view k = prefix.empty() ? key : arena_->join(prefix, key);
  if (v.type() == simdjson::dom::element_type::OBJECT) {
    treeMap(v.get_object().value_unsafe(), k);
  } else if (v.type() == simdjson::dom::element_type::ARRAY) {
    size_t i = 0;
    const simdjson::dom::array slice = v.get_array().value_unsafe();
    for (simdjson::dom::element e : slice) {
      const std::string_view ik = arena_->join(k, ".", indexText(i++, *arena_));
      if (e.type() == simdjson::dom::element_type::OBJECT) {
        treeMap(e.get_object().value_unsafe(), ik);
      } else if (e.type() == simdjson::dom::element_type::ARRAY) {
        treeSlice(e.get_array().value_unsafe(), ik);
      } else {
        treeLeaf(ik, e);
      }
    }
  } else {
    treeLeaf(k, v);
  }
}

void Flattener::treeLeaf(std::string_view key, simdjson::dom::element v) {
  put(key, attrOfElement(key, v, *arena_));
}

void Flattener::textMap(std::string_view map, std::string_view prefix) {
  const std::string_view p = prefix.empty() ? prefix : arena_->join(prefix, ".");
  GoJsonReader reader(*arena_);
  reader.forEachMember(map, [&](std::string_view key, const GoJsonValue& v) {
    textValue(key, v, p);
  });
}

void Flattener::textSlice(std::string_view slice, std::string_view prefix) {
  GoJsonReader reader(*arena_);
  size_t i = 0;
  reader.forEachElement(slice, [&](const GoJsonValue& v) {
    textValue(indexText(i++, *arena_), v, prefix);
  });
}

void Flattener::textValue(std::string_view key, const GoJsonValue& v, std::string_view prefix) {
  const std::string_view k = prefix.empty() ? key : arena_->join(prefix, key);
  if (v.type == GoJsonValue::kObject) {
    textMap(v.raw, k);
  } else if (v.type == GoJsonValue::kArray) {
    GoJsonReader reader(*arena_);
    size_t i = 0;
    reader.forEachElement(v.raw, [&](const GoJsonValue& e) {
      const std::string_view ik = arena_->join(k, ".", indexText(i++, *arena_));
      if (e.type == GoJsonValue::kObject) {
        textMap(e.raw, ik);
      } else if (e.type == GoJsonValue::kArray) {
        textSlice(e.raw, ik);
      } else {
        put(ik, attrOfGoJson(ik, e));
      }
    });
  } else {
    put(k, attrOfGoJson(k, v));
  }
}

}  // namespace otelhouse
