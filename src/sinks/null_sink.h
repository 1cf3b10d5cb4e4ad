// NullSink: a Sink that counts Native inserts and drops them, for measuring
// the gateway without the engine (`otelhouse run --sink null`, benchmarks).
//
// execute() accepts any statement (so the schema step passes) and stores
// nothing; describe() knows no table, so the pipeline inserts ClickStack's
// default columns; query() answers kUnsupported. Thread-safe: counters only.
#pragma once

#include <atomic>
#include <cstdint>

#include "sinks/sink.h"

namespace otelhouse {

struct NullSinkStats {
  std::atomic<uint64_t> inserts{0};
  std::atomic<uint64_t> bytes{0};
};

class NullSink final : public Sink {
 public:
  InsertOutcome insert(std::string_view, std::string_view native, std::string_view) override {
    stats_.inserts.fetch_add(1, std::memory_order_relaxed);
    stats_.bytes.fetch_add(native.size(), std::memory_order_relaxed);
    return InsertOutcome::ok();
  }
  Status execute(std::string_view) override { return Status::ok(); }
  Status query(std::string_view, std::string_view, QueryResult*) override {
    return Status::unsupported("the null sink stores nothing and answers no queries");
  }
  Result<std::vector<ColumnInfo>> describe(std::string_view) override {
    return std::vector<ColumnInfo>{};
  }
  const NullSinkStats& stats() const { return stats_; }

 private:
  NullSinkStats stats_;
};

}  // namespace otelhouse
