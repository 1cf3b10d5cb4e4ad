#include "sinks/failover_sink.h"

#include <gtest/gtest.h>

namespace otelhouse {
namespace {

// A sink that answers with a set status and counts its calls.
class ScriptedSink final : public Sink {
 public:
  Status answer;
  int inserts = 0;
  std::string last_token;
  InsertOutcome insert(std::string_view, std::string_view, std::string_view token) override {
    ++inserts;
    last_token.assign(token);
    return InsertOutcome::fromStatus(answer);
  }
  Status execute(std::string_view) override { return answer; }
  Status query(std::string_view, std::string_view, QueryResult* out) override {
    if (answer.isOk()) out->data = "ok";
    return answer;
  }
  Result<std::vector<ColumnInfo>> describe(std::string_view) override {
    if (!answer.isOk()) return answer;
    return std::vector<ColumnInfo>{{"Body", "String", ""}};
  }
};

struct Pair {
  ScriptedSink* a;
  ScriptedSink* b;
  std::unique_ptr<FailoverSink> sink;
};

Pair make(std::chrono::milliseconds rest) {
  auto a = std::make_unique<ScriptedSink>();
  auto b = std::make_unique<ScriptedSink>();
  Pair p{a.get(), b.get(), nullptr};
  std::vector<FailoverSink::Member> m;
  m.push_back({"http://a:8123", std::move(a)});
  m.push_back({"http://b:8123", std::move(b)});
  p.sink = std::make_unique<FailoverSink>(std::move(m), rest);
  return p;
}

TEST(FailoverSinkTest, UsesTheFirstWhileItAnswers) {
  auto p = make(std::chrono::seconds(10));
  ASSERT_TRUE(p.sink->insert("t", "x", "tok").isOk());
  EXPECT_EQ(p.a->inserts, 1);
  EXPECT_EQ(p.b->inserts, 0);
  EXPECT_EQ(p.a->last_token, "tok");
}

TEST(FailoverSinkTest, UnavailableMovesOnAndTheFailedOneRests) {
  auto p = make(std::chrono::seconds(10));
  p.a->answer = Status::unavailable("connection refused");
  ASSERT_TRUE(p.sink->insert("t", "x", "tok").isOk());
  EXPECT_EQ(p.a->inserts, 1);
  EXPECT_EQ(p.b->inserts, 1);
  EXPECT_EQ(p.b->last_token, "tok");  // the same token: the replica deduplicates
  ASSERT_TRUE(p.sink->insert("t", "x", "tok2").isOk());
  EXPECT_EQ(p.a->inserts, 1) << "a rests";
  EXPECT_EQ(p.b->inserts, 2);
  EXPECT_EQ(p.sink->failovers(), 1u);
}

TEST(FailoverSinkTest, AServerExceptionIsNotFailedOver) {
  auto p = make(std::chrono::seconds(10));
  p.a->answer = Status::invalid("Code: 60. DB::Exception: Table default.t does not exist. (UNKNOWN_TABLE)");
  Status st = p.sink->insert("t", "x", "");
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_EQ(p.b->inserts, 0);
}

TEST(FailoverSinkTest, AllDownReturnsTheLastErrorThenRecovers) {
  auto p = make(std::chrono::milliseconds(0));
  p.a->answer = Status::unavailable("a down");
  p.b->answer = Status::unavailable("b down");
  Status st = p.sink->insert("t", "x", "");
  EXPECT_EQ(st.code(), Code::kUnavailable);
  EXPECT_EQ(st.message(), "b down");
  p.a->answer = Status();
  EXPECT_TRUE(p.sink->insert("t", "x", "").isOk());
  EXPECT_EQ(p.a->inserts, 2);
}

TEST(FailoverSinkTest, RestingEndpointsAreStillTriedWhenNothingElseAnswers) {
  auto p = make(std::chrono::seconds(10));
  p.a->answer = Status::unavailable("a down");
  p.b->answer = Status::unavailable("b down");
  EXPECT_FALSE(p.sink->insert("t", "x", "").isOk());
  p.b->answer = Status();  // b is back while both rest
  EXPECT_TRUE(p.sink->insert("t", "x", "").isOk());
  EXPECT_EQ(p.b->inserts, 2);
}

TEST(FailoverSinkTest, DescribeAndQueryFailOverToo) {
  auto p = make(std::chrono::seconds(10));
  p.a->answer = Status::unavailable("a down");
  auto cols = p.sink->describe("t");
  ASSERT_TRUE(cols.isOk());
  EXPECT_EQ(cols.value()[0].name, "Body");
  QueryResult r;
  ASSERT_TRUE(p.sink->query("SELECT 1", "TSV", &r).isOk());
  EXPECT_EQ(r.data, "ok");
}

}  // namespace
}  // namespace otelhouse
