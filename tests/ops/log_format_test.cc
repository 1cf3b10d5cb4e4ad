#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>

#include "common/log.h"

namespace otelhouse {
namespace {

// Runs `body` with stderr sent to a temporary file; returns what it wrote.
template <class F>
std::string captureStderr(F body) {
  char path[] = "/tmp/otelhouse-log-XXXXXX";
  int fd = mkstemp(path);
  fflush(stderr);
  int saved = dup(2);
  dup2(fd, 2);
  body();
  fflush(stderr);
  dup2(saved, 2);
  close(saved);
  close(fd);
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  unlink(path);
  return ss.str();
}

TEST(LogFormatTest, JsonLinesWithTsLevelMsg) {
  const std::string out = captureStderr([] {
    setLogFormat(LogFormat::kJson);
    LOG_WARN("quote \" backslash \\ newline \n tab \t ctl \x01 %d", 42);
    LOG_DEBUG("not shown at info");
    setLogFormat(LogFormat::kText);
  });
  EXPECT_TRUE(std::regex_match(
      out, std::regex(R"re(\{"ts":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z","level":"warn","msg":"quote \\" backslash \\\\ newline \\n tab \\t ctl \\u0001 42"\}\n)re")))
      << out;
}

TEST(LogFormatTest, LongJsonMessagesAreWhole) {
  const std::string long_text(5000, 'x');
  const std::string out = captureStderr([&] {
    setLogFormat(LogFormat::kJson);
    LOG_INFO("%s", long_text.c_str());
    setLogFormat(LogFormat::kText);
  });
  EXPECT_NE(out.find("\"msg\":\"" + long_text + "\"}\n"), std::string::npos);
}

TEST(LogFormatTest, TextStaysAsBefore) {
  const std::string out = captureStderr([] { LOG_ERROR("plain %s", "line"); });
  EXPECT_TRUE(std::regex_match(
      out, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z error plain line\n)")))
      << out;
}

}  // namespace
}  // namespace otelhouse
