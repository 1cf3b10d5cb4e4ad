#include "sinks/failover_sink.h"

#include "common/log.h"

namespace otelhouse {
namespace {

int64_t nowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

template <class R>
R noEndpoint(Status st);
template <>
Status noEndpoint<Status>(Status st) {
  return st;
}
template <>
InsertOutcome noEndpoint<InsertOutcome>(Status st) {
  return InsertOutcome::retryLater(std::move(st));
}

}  // namespace

FailoverSink::FailoverSink(std::vector<Member> members, std::chrono::milliseconds rest)
    : members_(std::move(members)),
      resting_until_(new std::atomic<int64_t>[members_.size()]),
      rest_(rest) {
  for (size_t i = 0; i < members_.size(); ++i) resting_until_[i].store(0);
}

template <class R, class Call>
R FailoverSink::each(Call&& call) {
  R last = noEndpoint<R>(Status::unavailable("no ClickHouse endpoint configured"));
  // First pass: endpoints not resting, in order; second pass: the resting ones.
  // Each endpoint is tried at most once per call.
  const int64_t now = nowNs();
  std::vector<bool> resting(members_.size());
  for (size_t i = 0; i < members_.size(); ++i)
    resting[i] = resting_until_[i].load(std::memory_order_relaxed) > now;
  for (int pass = 0; pass < 2; ++pass) {
    for (size_t i = 0; i < members_.size(); ++i) {
      if (resting[i] != (pass == 1)) continue;
      const bool was_resting = resting[i];
      R st = call(*members_[i].sink);
      if (st.code() != Code::kUnavailable) {
        if (was_resting) {
          resting_until_[i].store(0, std::memory_order_relaxed);
          LOG_INFO("ClickHouse endpoint %s answers again", members_[i].name.c_str());
        }
        return st;
      }
      if (members_.size() > 1) {
        if (!was_resting)
          LOG_WARN("ClickHouse endpoint %s unavailable, resting it for %lld ms: %s", members_[i].name.c_str(),
                   static_cast<long long>(rest_.count()), st.message().c_str());
        failovers_.fetch_add(1, std::memory_order_relaxed);
      }
      resting_until_[i].store(nowNs() + std::chrono::duration_cast<std::chrono::nanoseconds>(rest_).count(),
                              std::memory_order_relaxed);
      last = std::move(st);
    }
  }
  return last;
}

InsertOutcome FailoverSink::insert(std::string_view table, std::string_view native,
                                   std::string_view dedup_token) {
  return each<InsertOutcome>([&](Sink& s) { return s.insert(table, native, dedup_token); });
}

Status FailoverSink::execute(std::string_view sql) {
  return each<Status>([&](Sink& s) { return s.execute(sql); });
}

Status FailoverSink::query(std::string_view sql, std::string_view format, QueryResult* out) {
  return each<Status>([&](Sink& s) { return s.query(sql, format, out); });
}

Result<std::vector<ColumnInfo>> FailoverSink::describe(std::string_view table) {
  Result<std::vector<ColumnInfo>> result = Status::unavailable("no ClickHouse endpoint configured");
  Status st = each<Status>([&](Sink& s) {
    result = s.describe(table);
    return result.isOk() ? Status() : result.status();
  });
  if (!st.isOk()) return st;
  return result;
}

}  // namespace otelhouse
