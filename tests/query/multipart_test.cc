#include "query/multipart.h"

#include <gtest/gtest.h>

namespace otelhouse {
namespace {

TEST(Multipart, BoundaryFromContentType) {
  EXPECT_EQ(multipartBoundary("multipart/form-data; boundary=abc"), "abc");
  EXPECT_EQ(multipartBoundary("Multipart/Form-Data;boundary=\"a b\""), "a b");
  EXPECT_EQ(multipartBoundary("text/plain; boundary=abc"), "");
}

TEST(Multipart, PartsAsSent) {
  const std::string body =
      "--XX\r\nContent-Disposition: form-data; name=\"query\"\r\n\r\nSELECT {a:String}\r\n"
      "--XX\r\nContent-Disposition: form-data; name=\"param_a\"\r\nContent-Type: text/plain\r\n"
      "\r\nline1\r\nline2 --XX not a delimiter\r\n--XX--\r\n";
  std::vector<MultipartPart> parts;
  ASSERT_TRUE(parseMultipart(body, "XX", &parts).isOk());
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].name, "query");
  EXPECT_EQ(parts[0].body, "SELECT {a:String}");
  EXPECT_EQ(parts[1].name, "param_a");
  EXPECT_EQ(parts[1].body, "line1\r\nline2 --XX not a delimiter");
}

TEST(Multipart, BrokenBodiesAreErrors) {
  std::vector<MultipartPart> parts;
  EXPECT_FALSE(parseMultipart("no delimiter", "XX", &parts).isOk());
  EXPECT_FALSE(parseMultipart("--XX\r\nContent-Disposition: form-data\r\n\r\nx\r\n--XX--", "XX",
                              &parts).isOk());
  EXPECT_FALSE(parseMultipart("--XX\r\nContent-Disposition: form-data; name=\"q\"\r\n\r\nx", "XX",
                              &parts).isOk());
  EXPECT_FALSE(parseMultipart("--XX\r\nContent-Disposition: form-data; name=\"q\"", "XX",
                              &parts).isOk());
}

}  // namespace
}  // namespace otelhouse
