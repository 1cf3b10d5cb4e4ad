#include "sinks/column_filter_sink.h"

#include <vector>

#include "clickhouse/native_block.h"
#include "common/log.h"

namespace otelhouse {

Status ColumnFilterSink::filterColumns(std::string_view native, const std::set<std::string, std::less<>>& keep,
                                       std::string* out, bool* changed) {
  std::vector<clickhouse::NativeBlock> blocks;
  Status st = clickhouse::splitNativeStream(native, &blocks);
  if (!st.isOk()) return st;
  *changed = false;
  for (const auto& b : blocks)
    for (const auto& c : b.columns)
      if (!keep.count(c.name)) *changed = true;
  if (!*changed) return Status::ok();
  out->clear();
  out->reserve(native.size());
  std::vector<clickhouse::NativeColumn> kept;
  for (const auto& b : blocks) {
    kept.clear();
    for (const auto& c : b.columns)
      if (keep.count(c.name)) kept.push_back(c);
    clickhouse::putBlock(*out, b.rows, kept);
  }
  return Status::ok();
}

InsertOutcome ColumnFilterSink::insert(std::string_view table, std::string_view native,
                                       std::string_view token) {
  std::set<std::string, std::less<>> keep;
  {
    std::lock_guard lock(mu_);
    auto it = columns_.find(table);
    if (it != columns_.end()) keep = it->second;
  }
  if (keep.empty()) {
    auto cols = inner_.describe(table);
    if (!cols.isOk()) {
      // Sink's contract: a failed describe carries the engine's exception text.
      Status why = cols.status();
      const int code = leadingClickHouseCode(why.message());
      return InsertOutcome::fromEngineCode(std::move(why), code);
    }
    for (const auto& c : cols.value())
      if (c.default_kind.empty() || c.default_kind == "DEFAULT") keep.insert(c.name);
    if (keep.empty())
      return InsertOutcome::retryLater(Status::internal("DESCRIBE " + std::string(table) + " returned no columns"));
    std::lock_guard lock(mu_);
    columns_[std::string(table)] = keep;
  }
  std::string filtered;
  bool changed = false;
  Status st = filterColumns(native, keep, &filtered, &changed);
  // Not retryable: a batch that is not Native goes to the dead letters.
  if (!st.isOk())
    return InsertOutcome::rejected(
        Status::invalid("a batch for " + std::string(table) + " is not Native: " + st.message()));
  InsertOutcome out = inner_.insert(table, changed ? std::string_view(filtered) : native, token);
  if (!out.isOk()) {
    std::lock_guard lock(mu_);
    columns_.erase(std::string(table));
  }
  return out;
}

}  // namespace otelhouse
