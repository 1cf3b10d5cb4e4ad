#include "receivers/retryable_refusals.h"

#include <gtest/gtest.h>

#include <thread>

namespace otelhouse {
namespace {

TEST(RetryableRefusals, OnlyConditionsThatPass) {
  RetryableRefusals r("http");
  EXPECT_TRUE(r.note(Status::exhausted("the write-ahead log is full")));
  EXPECT_TRUE(r.note(Status::unavailable("write-ahead log: No space left on device")));
  EXPECT_TRUE(r.note(Status::unavailable("shutting down")));
  EXPECT_FALSE(r.note(Status::invalid("bad protobuf")));
  EXPECT_FALSE(r.note(Status::internal("a bug")));
  EXPECT_FALSE(r.note(Status::tooLarge("413")));
  EXPECT_EQ(r.linesLogged(), 1u);
}

TEST(RetryableRefusals, LogsAtMostOneLinePerInterval) {
  RetryableRefusals r("grpc", std::chrono::milliseconds(200));
  for (int i = 0; i < 1000; ++i) (void)r.note(Status::unavailable("disk full"));
  EXPECT_EQ(r.linesLogged(), 1u);
  std::this_thread::sleep_for(std::chrono::milliseconds(250));
  (void)r.note(Status::exhausted("over budget"));
  EXPECT_EQ(r.linesLogged(), 2u);
}

}  // namespace
}  // namespace otelhouse
