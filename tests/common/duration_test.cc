#include "common/duration.h"

#include <gtest/gtest.h>

namespace otelhouse {
namespace {

TEST(DurationTest, GoForms) {
  int64_t ms = 0;
  ASSERT_TRUE(parseGoDuration("720h", &ms));
  EXPECT_EQ(ms, 720LL * 3600 * 1000);
  ASSERT_TRUE(parseGoDuration("1h30m", &ms));
  EXPECT_EQ(ms, 90LL * 60 * 1000);
  ASSERT_TRUE(parseGoDuration("200ms", &ms));
  EXPECT_EQ(ms, 200);
  ASSERT_TRUE(parseGoDuration("1.5s", &ms));
  EXPECT_EQ(ms, 1500);
  EXPECT_FALSE(parseGoDuration("", &ms));
  EXPECT_FALSE(parseGoDuration("5", &ms));
  EXPECT_FALSE(parseGoDuration("5d", &ms));
  EXPECT_FALSE(parseGoDuration("h", &ms));
}

}  // namespace
}  // namespace otelhouse
