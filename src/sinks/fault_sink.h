// FaultSink: a Sink wrapper whose inserts fail (retry later) while a file
// exists. A testing aid for the WAL, retries and backpressure: a test makes
// the sink refuse and recover without touching the engine.
#pragma once

#include <sys/stat.h>

#include <string>

#include "sinks/sink.h"

namespace otelhouse {

class FaultSink final : public Sink {
 public:
  FaultSink(Sink& inner, std::string switch_file) : inner_(inner), file_(std::move(switch_file)) {}

  InsertOutcome insert(std::string_view table, std::string_view native, std::string_view token) override {
    struct stat st;
    if (!file_.empty() && ::stat(file_.c_str(), &st) == 0)
      return InsertOutcome::retryLater(Status::unavailable("fault switch " + file_ + " is on"));
    return inner_.insert(table, native, token);
  }
  Status execute(std::string_view sql) override { return inner_.execute(sql); }
  Status query(std::string_view sql, std::string_view format, QueryResult* out) override {
    return inner_.query(sql, format, out);
  }
  Result<std::vector<ColumnInfo>> describe(std::string_view table) override {
    return inner_.describe(table);
  }

 private:
  Sink& inner_;
  std::string file_;
};

}  // namespace otelhouse
