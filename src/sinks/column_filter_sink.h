// ColumnFilterSink: inserts only the columns a table has. The gateway encodes
// rows for the ClickStack schema it knows; a server whose tables come from an
// older ClickStack (or were made by someone else) may lack some of those
// columns, and a server that was down at start could not be asked. Before an
// insert, the table's columns are read once (DESCRIBE, cached) and columns the
// table lacks, or may not be written (MATERIALIZED / ALIAS), are dropped from
// each Native block without decoding values (clickhouse/native_block.h).
//
// The cache is dropped when an insert fails, so a table changed under us is
// read again on the retry. Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "sinks/sink.h"

namespace otelhouse {

class ColumnFilterSink final : public Sink {
 public:
  explicit ColumnFilterSink(std::unique_ptr<Sink> inner) : owned_(std::move(inner)), inner_(*owned_) {}

  InsertOutcome insert(std::string_view table, std::string_view native, std::string_view dedup_token) override;
  Status execute(std::string_view sql) override { return inner_.execute(sql); }
  Status query(std::string_view sql, std::string_view format, QueryResult* out) override {
    return inner_.query(sql, format, out);
  }
  Result<std::vector<ColumnInfo>> describe(std::string_view table) override { return inner_.describe(table); }

  // `native` with only the columns in `keep` (every block); an error for a
  // stream that is not Native.
  static Status filterColumns(std::string_view native, const std::set<std::string, std::less<>>& keep,
                              std::string* out, bool* changed);

 private:
  std::unique_ptr<Sink> owned_;
  Sink& inner_;
  std::mutex mu_;
  std::map<std::string, std::set<std::string, std::less<>>, std::less<>> columns_;
};

}  // namespace otelhouse
