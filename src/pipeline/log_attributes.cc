#include "pipeline/log_attributes.h"

#include <algorithm>

#include "rows/columns.h"

namespace otelhouse {
namespace {

template <class Entry>
void serializeSorted(std::span<const Entry> entries, std::vector<uint32_t>& order,
                     std::string& keys, std::string& values, size_t& count) {
  keys.clear();
  values.clear();
  count = 0;
  order.resize(entries.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  auto less = [&](uint32_t a, uint32_t b) { return entries[a].key < entries[b].key; };
  if (order.size() <= 32) {
    // Insertion sort: stable like stable_sort, without its temporary buffer
    // (one allocation per record otherwise).
    for (size_t i = 1; i < order.size(); ++i) {
      const uint32_t x = order[i];
      size_t j = i;
      for (; j > 0 && less(x, order[j - 1]); --j) order[j] = order[j - 1];
      order[j] = x;
    }
  } else {
    std::stable_sort(order.begin(), order.end(), less);
  }
  for (size_t i = 0; i < order.size(); ++i) {
    if (i + 1 < order.size() && entries[order[i + 1]].key == entries[order[i]].key) continue;
    const Entry& e = entries[order[i]];
    appendVarUInt(keys, e.key.size());
    keys.append(e.key);
    appendVarUInt(values, e.text.size());
    values.append(e.text);
    ++count;
  }
}

}  // namespace

void LogAttributes::reset(std::span<const LogAttributeView> attributes) {
  entries_.clear();
  for (const LogAttributeView& a : attributes) {
    LogAttr e;
    e.key = a.key;
    e.kind = a.kind;
    e.text = a.text;
    entries_.push_back(e);
  }
}

const LogAttr* LogAttributes::get(std::string_view key) const {
  for (const LogAttr& e : entries_)
    if (e.key == key) return &e;
  return nullptr;
}

void LogAttributes::upsert(const LogAttr& attr) {
  for (LogAttr& e : entries_) {
    if (e.key == attr.key) {
      e = attr;
      e.key = attr.key;
      return;
    }
  }
  entries_.push_back(attr);
}

void LogAttributes::serialize(std::string& keys, std::string& values, size_t& count) {
  serializeSorted<LogAttr>(entries_, order_, keys, values, count);
}

void serializeAttributeViews(std::span<const LogAttributeView> attributes,
                             std::vector<uint32_t>& order, std::string& keys,
                             std::string& values, size_t& count) {
  serializeSorted<LogAttributeView>(attributes, order, keys, values, count);
}

}  // namespace otelhouse
