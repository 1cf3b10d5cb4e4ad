#include "sinks/insert_outcome.h"

#include <gtest/gtest.h>

#include <string>

#include "sinks/fault_sink.h"
#include "sinks/null_sink.h"

namespace otelhouse {
namespace {

TEST(InsertOutcome, StoreStatesAreRetriedDataErrorsRejected) {
  // The disk-full run: NOT_ENOUGH_SPACE went to dead letters.
  EXPECT_EQ(classifyClickHouseCode(243), InsertVerdict::kRetryLater);  // NOT_ENOUGH_SPACE
  EXPECT_EQ(classifyClickHouseCode(241), InsertVerdict::kRetryLater);  // MEMORY_LIMIT_EXCEEDED
  EXPECT_EQ(classifyClickHouseCode(252), InsertVerdict::kRetryLater);  // TOO_MANY_PARTS
  EXPECT_EQ(classifyClickHouseCode(159), InsertVerdict::kRetryLater);  // TIMEOUT_EXCEEDED
  EXPECT_EQ(classifyClickHouseCode(209), InsertVerdict::kRetryLater);  // SOCKET_TIMEOUT
  EXPECT_EQ(classifyClickHouseCode(210), InsertVerdict::kRetryLater);  // NETWORK_ERROR
  EXPECT_EQ(classifyClickHouseCode(236), InsertVerdict::kRetryLater);  // ABORTED (shutdown)
  EXPECT_EQ(classifyClickHouseCode(242), InsertVerdict::kRetryLater);  // TABLE_IS_READ_ONLY
  EXPECT_EQ(classifyClickHouseCode(164), InsertVerdict::kRetryLater);  // READONLY
  EXPECT_EQ(classifyClickHouseCode(75), InsertVerdict::kRetryLater);   // CANNOT_WRITE_TO_FILE_DESCRIPTOR
  EXPECT_EQ(classifyClickHouseCode(425), InsertVerdict::kRetryLater);  // SYSTEM_ERROR
  EXPECT_EQ(classifyClickHouseCode(60), InsertVerdict::kRetryLater);   // UNKNOWN_TABLE
  EXPECT_EQ(classifyClickHouseCode(516), InsertVerdict::kRetryLater);  // AUTHENTICATION_FAILED

  EXPECT_EQ(classifyClickHouseCode(27), InsertVerdict::kRejected);   // CANNOT_PARSE_INPUT_ASSERTION_FAILED
  EXPECT_EQ(classifyClickHouseCode(53), InsertVerdict::kRejected);   // TYPE_MISMATCH
  EXPECT_EQ(classifyClickHouseCode(16), InsertVerdict::kRejected);   // NO_SUCH_COLUMN_IN_TABLE
  EXPECT_EQ(classifyClickHouseCode(62), InsertVerdict::kRejected);   // SYNTAX_ERROR
  EXPECT_EQ(classifyClickHouseCode(33), InsertVerdict::kRejected);   // CANNOT_READ_ALL_DATA (truncated block)
  EXPECT_EQ(classifyClickHouseCode(49), InsertVerdict::kRejected);   // LOGICAL_ERROR
  EXPECT_EQ(classifyClickHouseCode(1002), InsertVerdict::kRejected); // UNKNOWN_EXCEPTION
  EXPECT_EQ(classifyClickHouseCode(987654), InsertVerdict::kRejected);
}

TEST(InsertOutcome, CarriesTheEngineCode) {
  InsertOutcome full = InsertOutcome::fromEngineCode(
      Status::invalid("Code: 243. DB::Exception: Cannot reserve 1.00 MiB, not enough space"), 243);
  EXPECT_FALSE(full.isOk());
  EXPECT_EQ(full.verdict(), InsertVerdict::kRetryLater);
  EXPECT_EQ(full.engineCode(), 243);
  EXPECT_EQ(full.code(), Code::kInvalidArgument);
  // What the text says does not matter: the code decides.
  InsertOutcome bad = InsertOutcome::fromEngineCode(Status::invalid("Code: 243. lies"), 27);
  EXPECT_EQ(bad.verdict(), InsertVerdict::kRejected);
  EXPECT_EQ(std::string(insertVerdictName(bad.verdict())), "rejected");
}

TEST(InsertOutcome, WithoutAnEngineCodeTheStatusDecides) {
  EXPECT_EQ(InsertOutcome::fromStatus(Status::unavailable("refused")).verdict(), InsertVerdict::kRetryLater);
  EXPECT_EQ(InsertOutcome::fromStatus(Status::exhausted("busy")).verdict(), InsertVerdict::kRetryLater);
  EXPECT_EQ(InsertOutcome::fromStatus(Status::internal("engine hiccup")).verdict(), InsertVerdict::kRetryLater);
  EXPECT_EQ(InsertOutcome::fromStatus(Status::invalid("not Native")).verdict(), InsertVerdict::kRejected);
  EXPECT_TRUE(InsertOutcome::fromStatus(Status::ok()).isOk());
  EXPECT_EQ(InsertOutcome::fromEngineCode(Status::unavailable("x"), 0).verdict(), InsertVerdict::kRetryLater);
  InsertOutcome ok;
  EXPECT_TRUE(ok.isOk());
  EXPECT_EQ(ok.verdict(), InsertVerdict::kOk);
}

TEST(InsertOutcome, LeadingCodeOfEngineText) {
  EXPECT_EQ(leadingClickHouseCode("Code: 243. DB::Exception: Cannot reserve"), 243);
  EXPECT_EQ(leadingClickHouseCode("\n Code: 60. DB::Exception: Table x doesn't exist"), 60);
  EXPECT_EQ(leadingClickHouseCode("Syntax error near Code: 62."), 0);
  EXPECT_EQ(leadingClickHouseCode("Code: x"), 0);
  EXPECT_EQ(leadingClickHouseCode(""), 0);
}

TEST(InsertOutcome, FaultSinkRefusesAsRetryLaterWhileItsFileExists) {
  char tmpl[] = "/tmp/otelhouse-fault-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  const std::string flag = dir + "/down";
  NullSink inner;
  FaultSink sink(inner, flag);
  EXPECT_TRUE(sink.insert("t", "x", "").isOk());
  FILE* f = fopen(flag.c_str(), "w");
  ASSERT_NE(f, nullptr);
  fclose(f);
  InsertOutcome down = sink.insert("t", "x", "");
  EXPECT_EQ(down.verdict(), InsertVerdict::kRetryLater);
  ::unlink(flag.c_str());
  ::rmdir(dir.c_str());
  EXPECT_TRUE(sink.insert("t", "x", "").isOk());
  EXPECT_EQ(inner.stats().inserts.load(), 2u);
}

}  // namespace
}  // namespace otelhouse
