// ColumnSet: the names of the columns a destination table has, so a block is
// written with only those (a table from an older or newer ClickStack schema
// keeps working). An empty set means "every column".
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace otelhouse {

class ColumnSet {
 public:
  ColumnSet() = default;
  explicit ColumnSet(std::vector<std::string> names) : names_(std::move(names)) {
    std::sort(names_.begin(), names_.end());
  }
  bool has(std::string_view name) const {
    return names_.empty() || std::binary_search(names_.begin(), names_.end(), name);
  }

 private:
  std::vector<std::string> names_;
};

}  // namespace otelhouse
