// Test helpers shared by the mail tests: decoding what the sender wrote
// (iconv between charsets, base64). Failures are reported to GoogleTest.
#ifndef SHIORI_TESTS_MAIL_DECODE_H_
#define SHIORI_TESTS_MAIL_DECODE_H_

#include <gtest/gtest.h>
#include <iconv.h>

#include <cstdint>
#include <string>

namespace shiori::test {

// `in` converted from charset `from` to `to` with glibc iconv.
inline std::string Iconv(const std::string& in, const char* from, const char* to = "UTF-8") {
  iconv_t cd = iconv_open(to, from);
  EXPECT_NE(cd, reinterpret_cast<iconv_t>(-1));
  std::string out(in.size() * 4 + 16, '\0');
  char* i = const_cast<char*>(in.data());
  size_t il = in.size();
  char* o = out.data();
  size_t ol = out.size();
  const size_t r = iconv(cd, &i, &il, &o, &ol);
  EXPECT_NE(r, static_cast<size_t>(-1)) << "iconv from " << from;
  iconv_close(cd);
  out.resize(out.size() - ol);
  return out;
}

// Base64 decoded; padding and line ends skipped, anything else not base64 is a failure.
inline std::string Unbase64(const std::string& in) {
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char ch : in) {
    if (ch == '=' || ch == '\r' || ch == '\n') continue;
    const size_t v = kAlphabet.find(ch);
    EXPECT_NE(v, std::string::npos) << "not base64: " << ch;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return out;
}

}  // namespace shiori::test

#endif  // SHIORI_TESTS_MAIL_DECODE_H_
