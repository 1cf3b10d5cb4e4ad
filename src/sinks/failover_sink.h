// FailoverSink: several ClickHouse endpoints used in order. Every call goes to
// the first endpoint that is not resting; an endpoint that fails with
// Status::unavailable (unreachable, timed out, 5xx) rests for `rest` and the
// call moves on to the next one. A server exception is returned as is, with
// the member's verdict for inserts (retry later or rejected): another replica
// of the same cluster would most likely answer the same. When
// every endpoint is resting, all are tried again in order, so a cluster that
// comes back is used at once.
//
// Replicas of a Replicated table share deduplication through Keeper, so a
// batch retried on another replica with the same token is stored once.
//
// Thread-safe: the resting marks are atomics; the sinks are thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "sinks/sink.h"

namespace otelhouse {

class FailoverSink final : public Sink {
 public:
  struct Member {
    std::string name;  // for logs: the endpoint without its password
    std::unique_ptr<Sink> sink;
  };
  explicit FailoverSink(std::vector<Member> members,
                        std::chrono::milliseconds rest = std::chrono::seconds(10));

  InsertOutcome insert(std::string_view table, std::string_view native, std::string_view dedup_token) override;
  Status execute(std::string_view sql) override;
  Status query(std::string_view sql, std::string_view format, QueryResult* out) override;
  Result<std::vector<ColumnInfo>> describe(std::string_view table) override;

  size_t size() const { return members_.size(); }
  uint64_t failovers() const { return failovers_.load(std::memory_order_relaxed); }

 private:
  // R is Status or InsertOutcome; a member that answers kUnavailable rests.
  template <class R, class Call>
  R each(Call&& call);

  std::vector<Member> members_;
  std::unique_ptr<std::atomic<int64_t>[]> resting_until_;  // steady-clock ns; 0: healthy
  std::chrono::milliseconds rest_;
  std::atomic<uint64_t> failovers_{0};
};

}  // namespace otelhouse
