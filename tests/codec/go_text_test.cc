// go_text: the exact text Go's pcommon.Value.AsString / encoding/json make.
#include "codec/go_text.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

namespace otelhouse {
namespace {

std::string goFloat(double d) {
  std::string s;
  appendGoFloat(s, d);
  return s;
}
std::string jsonString(std::string_view in) {
  std::string s;
  appendGoJsonString(s, in);
  return s;
}
std::string base64(std::string_view in) {
  std::string s;
  appendBase64(s, in);
  return s;
}
std::string int64Text(int64_t v) {
  std::string s;
  appendInt64(s, v);
  return s;
}

TEST(GoText, FloatFormatsLikeGo) {
  EXPECT_EQ(goFloat(1e-7), "1e-7");
  EXPECT_EQ(goFloat(1.5e-7), "1.5e-7");
  EXPECT_EQ(goFloat(9.999999e-7), "9.999999e-7");
  EXPECT_EQ(goFloat(1e-6), "0.000001");
  EXPECT_EQ(goFloat(1e-10), "1e-10");
  EXPECT_EQ(goFloat(1e21), "1e+21");
  EXPECT_EQ(goFloat(-1e21), "-1e+21");
  EXPECT_EQ(goFloat(1e20), "100000000000000000000");
  EXPECT_EQ(goFloat(0.1), "0.1");
  EXPECT_EQ(goFloat(1.0 / 3), "0.3333333333333333");
  EXPECT_EQ(goFloat(0), "0");
  EXPECT_EQ(goFloat(-0.0), "-0");
  EXPECT_EQ(goFloat(100), "100");
  EXPECT_EQ(goFloat(-1.5), "-1.5");
  EXPECT_EQ(goFloat(123456789.125), "123456789.125");
  // Large whole numbers: Go pads the shortest digits with zeros rather than
  // printing the double's exact value.
  EXPECT_EQ(goFloat(18446744073709551615.0), "18446744073709552000");
  EXPECT_EQ(goFloat(1.2345678901234567e20), "123456789012345670000");
  EXPECT_EQ(goFloat(9007199254740993.0), "9007199254740992");
  EXPECT_EQ(goFloat(-4.5e15), "-4500000000000000");
  EXPECT_EQ(goFloat(0.000123), "0.000123");
  EXPECT_EQ(goFloat(std::numeric_limits<double>::max()), "1.7976931348623157e+308");
  EXPECT_EQ(goFloat(std::numeric_limits<double>::denorm_min()), "5e-324");
  EXPECT_EQ(goFloat(std::numeric_limits<double>::quiet_NaN()), "json: unsupported value: NaN");
  EXPECT_EQ(goFloat(std::numeric_limits<double>::infinity()), "json: unsupported value: +Inf");
  EXPECT_EQ(goFloat(-std::numeric_limits<double>::infinity()), "json: unsupported value: -Inf");
}

TEST(GoText, JsonNumberRejectsNanAndInf) {
  std::string s;
  EXPECT_TRUE(appendGoJsonNumber(s, 2.5));
  EXPECT_EQ(s, "2.5");
  EXPECT_FALSE(appendGoJsonNumber(s, std::nan("")));
  EXPECT_FALSE(appendGoJsonNumber(s, std::numeric_limits<double>::infinity()));
  EXPECT_FALSE(appendGoJsonNumber(s, -std::numeric_limits<double>::infinity()));
}

TEST(GoText, LargeInts) {
  EXPECT_EQ(int64Text(0), "0");
  EXPECT_EQ(int64Text(-1), "-1");
  EXPECT_EQ(int64Text(std::numeric_limits<int64_t>::max()), "9223372036854775807");
  EXPECT_EQ(int64Text(std::numeric_limits<int64_t>::min()), "-9223372036854775808");
  EXPECT_EQ(int64Text(int64_t{1} << 53), "9007199254740992");
}

TEST(GoText, JsonStringEscapesControlCharacters) {
  EXPECT_EQ(jsonString(""), "\"\"");
  EXPECT_EQ(jsonString("plain"), "\"plain\"");
  EXPECT_EQ(jsonString("q\"b\\s/"), "\"q\\\"b\\\\s/\"");
  EXPECT_EQ(jsonString("\n\r\t"), "\"\\n\\r\\t\"");
  EXPECT_EQ(jsonString("\b\f"), "\"\\b\\f\"");
  EXPECT_EQ(jsonString(std::string("\x00\x01\x1f", 3)), "\"\\u0000\\u0001\\u001f\"");
  EXPECT_EQ(jsonString("\x7f"), "\"\x7f\"");
  // No HTML escaping (SetEscapeHTML(false)).
  EXPECT_EQ(jsonString("<a href='x'>&</a>"), "\"<a href='x'>&</a>\"");
}

TEST(GoText, JsonStringLineSeparatorsAndUnicode) {
  EXPECT_EQ(jsonString("a\xe2\x80\xa8" "b\xe2\x80\xa9" "c"), "\"a\\u2028b\\u2029c\"");
  EXPECT_EQ(jsonString("\xc3\xa9\xe6\x97\xa5\xf0\x9f\x98\x80"),
            "\"\xc3\xa9\xe6\x97\xa5\xf0\x9f\x98\x80\"");
  EXPECT_EQ(jsonString("\xef\xbf\xbd"), "\"\xef\xbf\xbd\"");  // a real U+FFFD stays
}

TEST(GoText, JsonStringInvalidUtf8BecomesReplacementPerByte) {
  EXPECT_EQ(jsonString("\xff"), "\"\\ufffd\"");
  EXPECT_EQ(jsonString("a\xc3"), "\"a\\ufffd\"");                        // truncated sequence
  EXPECT_EQ(jsonString("\xc0\xaf"), "\"\\ufffd\\ufffd\"");               // overlong
  EXPECT_EQ(jsonString("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"");    // surrogate
  EXPECT_EQ(jsonString("\xf4\x90\x80\x80"), "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");  // > U+10FFFF
  EXPECT_EQ(jsonString("\xe2\x80"), "\"\\ufffd\\ufffd\"");
  EXPECT_EQ(jsonString("x\xe2\x80y"), "\"x\\ufffd\\ufffdy\"");
}

TEST(GoText, Base64Paddings) {
  EXPECT_EQ(base64(""), "");
  EXPECT_EQ(base64("f"), "Zg==");
  EXPECT_EQ(base64("fo"), "Zm8=");
  EXPECT_EQ(base64("foo"), "Zm9v");
  EXPECT_EQ(base64("foob"), "Zm9vYg==");
  EXPECT_EQ(base64("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64("\xff\xfe"), "//4=");
  EXPECT_EQ(base64("\xfb\xef"), "++8=");
  EXPECT_EQ(base64(std::string("\x00\x00\x00", 3)), "AAAA");
}

}  // namespace
}  // namespace otelhouse
