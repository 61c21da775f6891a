// End-to-end tests of compression: a browser that sends Accept-Encoding: gzip
// gets the very page any other client gets, gzip-compressed, on the public and
// the staff listener; a feature phone that sends none gets the plain bytes.
#include <gtest/gtest.h>
#include <zlib.h>

#include <chrono>
#include <thread>

#include "charset/charset.h"
#include "tests/integration/browser.h"

namespace shiori::test {
namespace {

const char kGzip[] = "Accept-Encoding: gzip, deflate, br";  // what browsers send
const char kPc[] =
    "User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Chrome/120.0.0.0 Safari/537.36";
const char kIphone[] =
    "User-Agent: Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
const char kDocomo[] = "User-Agent: DoCoMo/2.0 P903i(c100;TB;W24H12)";
const char kDocomoOld[] = "User-Agent: DoCoMo/1.0/N503i";

// The bytes a gzip body inflates to (fails the test when it is not gzip).
std::string Gunzip(const std::string& gz) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, 15 + 16), Z_OK);
  std::string out;
  char buf[16384];
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
  z.avail_in = static_cast<uInt>(gz.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof buf - z.avail_out);
  }
  inflateEnd(&z);
  EXPECT_EQ(rc, Z_STREAM_END) << "not a whole gzip stream";
  EXPECT_EQ(z.avail_in, 0u) << "bytes after the gzip stream";
  return out;
}

// The value of the cookie `name` the response sets, or "".
std::string SetCookie(const HttpResponse& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == "set-cookie" && v.rfind(name + "=", 0) == 0) {
      return v.substr(name.size() + 1, v.find(';') - name.size() - 1);
    }
  }
  return "";
}

class Gzip : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    server_ = new Server();
    ASSERT_TRUE(server_->Start({"--demo", "--db", dir_->File("g.db")}))
        << server_->startup_output();
  }
  static void TearDownTestSuite() {
    delete server_;
    delete dir_;
  }

  // `path` asked for twice with `headers`, once without Accept-Encoding and once
  // with kGzip: the second is gzip, inflates to the first's body, and both
  // carry the same type and Vary.
  static std::string SamePageCompressed(const std::string& path,
                                        const std::vector<std::string>& headers) {
    HttpResponse plain = server_->Get(path, headers);
    std::vector<std::string> with = headers;
    with.push_back(kGzip);
    HttpResponse packed = server_->Get(path, with);
    EXPECT_EQ(plain.status, 200) << path;
    EXPECT_EQ(packed.status, 200) << path;
    EXPECT_EQ(plain.Header("content-encoding"), "") << path;
    EXPECT_EQ(packed.Header("content-encoding"), "gzip") << path;
    EXPECT_EQ(plain.Header("vary"), "Accept-Encoding") << path;
    EXPECT_EQ(packed.Header("vary"), "Accept-Encoding") << path;
    EXPECT_EQ(packed.Header("content-type"), plain.Header("content-type")) << path;
    EXPECT_EQ(packed.Header("content-length"), std::to_string(packed.body.size())) << path;
    EXPECT_LT(packed.body.size(), plain.body.size()) << path;
    EXPECT_EQ(Gunzip(packed.body), plain.body) << path;
    return plain.body;
  }

  static TempDir* dir_;
  static Server* server_;
};
TempDir* Gzip::dir_ = nullptr;
Server* Gzip::server_ = nullptr;

TEST_F(Gzip, TheTopPageAndTheStylesheetGoCompressedToBrowsersThatAsk) {
  for (const char* ua : {kPc, kIphone}) {
    SCOPED_TRACE(ua);
    EXPECT_NE(SamePageCompressed("/", {ua}).find("蔵書検索"), std::string::npos);
    EXPECT_NE(SamePageCompressed("/style.css", {ua}).find("body"), std::string::npos);
  }
}

TEST_F(Gzip, ASearchPageGoesCompressed) {
  // The page's forms carry a token of the visitor cookie: the same cookie both times.
  const std::string v = SetCookie(server_->Get("/search?q=" + Hex("猫"), {kPc}), "v");
  ASSERT_FALSE(v.empty());
  for (const char* ua : {kPc, kIphone}) {
    SCOPED_TRACE(ua);
    const std::string page = SamePageCompressed("/search?q=" + Hex("猫"), {ua, "Cookie: v=" + v});
    EXPECT_NE(page.find("吾輩は猫である"), std::string::npos);
  }
}

TEST_F(Gzip, APageOfASessionGoesCompressed) {
  Browser pc(*server_, false);
  pc.Get("/record?id=" + std::to_string(RecordId(*server_, "吾輩は猫である")));
  long status = 0;
  pc.Post("/cart/add", {}, &status);
  ASSERT_EQ(status, 200);
  ASSERT_FALSE(pc.cookie().empty());
  const std::string cart = SamePageCompressed("/cart", {kPc, "Cookie: sid=" + pc.cookie()});
  EXPECT_NE(cart.find("吾輩は猫である"), std::string::npos) << "the session's own cart";
  HttpResponse r = server_->Get("/cart", {kPc, kGzip, "Cookie: sid=" + pc.cookie()});
  EXPECT_EQ(r.Header("cache-control"), "private, no-store");
}

TEST_F(Gzip, AFeaturePhoneWithoutTheHeaderGetsThePlainShiftJisBytes) {
  for (const char* ua : {kDocomo, kDocomoOld}) {
    SCOPED_TRACE(ua);
    for (const std::string& path :
         {std::string("/"), "/search?q=" + Hex(charset::Utf8ToSjis("猫"))}) {
      HttpResponse r = server_->Get(path, {ua});
      EXPECT_EQ(r.status, 200);
      EXPECT_EQ(r.Header("content-type"), "text/html; charset=Shift_JIS");
      EXPECT_EQ(r.Header("content-encoding"), "");
      EXPECT_EQ(r.Header("content-length"), std::to_string(r.body.size()));
      EXPECT_EQ(r.body.rfind("<", 0), 0u) << "markup, not gzip";
      auto page = charset::SjisToUtf8(r.body);
      ASSERT_TRUE(page.ok());
      EXPECT_NE(page->find("検索"), std::string::npos);
      // The very bytes a client that refuses every coding but identity gets.
      EXPECT_EQ(server_->Get(path, {ua, "Accept-Encoding: identity"}).body, r.body);
    }
  }
}

TEST_F(Gzip, AFeaturePhoneThatAsksGetsItsShiftJisPageCompressed) {
  const std::string page = SamePageCompressed("/", {kDocomo});
  EXPECT_TRUE(charset::SjisToUtf8(page).ok());
  const std::string results =
      SamePageCompressed("/search?q=" + Hex(charset::Utf8ToSjis("猫")), {kDocomo});
  auto utf8 = charset::SjisToUtf8(results);
  ASSERT_TRUE(utf8.ok());
  EXPECT_NE(utf8->find("吾輩は猫である"), std::string::npos);
}

TEST_F(Gzip, QZeroAndOtherCodingsGetPlainBytes) {
  const std::string plain = server_->Get("/", {kPc}).body;
  for (const char* ae : {"Accept-Encoding: gzip;q=0", "Accept-Encoding: br, deflate",
                         "Accept-Encoding: *;q=0", "Accept-Encoding: gzip;q=0, *"}) {
    SCOPED_TRACE(ae);
    HttpResponse r = server_->Get("/", {kPc, ae});
    EXPECT_EQ(r.Header("content-encoding"), "");
    EXPECT_EQ(r.Header("vary"), "Accept-Encoding");
    EXPECT_EQ(r.body, plain);
  }
  for (const char* ae :
       {"Accept-Encoding: GZIP", "Accept-Encoding: x-gzip", "Accept-Encoding: br;q=1, *;q=0.1"}) {
    SCOPED_TRACE(ae);
    HttpResponse r = server_->Get("/", {kPc, ae});
    EXPECT_EQ(r.Header("content-encoding"), "gzip");
    EXPECT_EQ(Gunzip(r.body), plain);
  }
  // Two header lines are one list.
  HttpResponse two = server_->Get("/", {kPc, "Accept-Encoding: br", "Accept-Encoding: gzip"});
  EXPECT_EQ(two.Header("content-encoding"), "gzip");
  EXPECT_EQ(Gunzip(two.body), plain);
  HttpResponse refused =
      server_->Get("/", {kPc, "Accept-Encoding: *", "Accept-Encoding: gzip;q=0"});
  EXPECT_EQ(refused.Header("content-encoding"), "");
}

TEST_F(Gzip, AHeadAnswersWithTheHeadersOfItsGet) {
  for (const char* path : {"/style.css", "/", "/disclaimer"}) {
    for (const std::vector<std::string>& headers :
         {std::vector<std::string>{kPc}, std::vector<std::string>{kPc, kGzip}}) {
      SCOPED_TRACE(std::string(path) + " " + headers.back());
      HttpResponse get = server_->Get(path, headers);
      HttpResponse head = server_->Head(path, headers);
      EXPECT_EQ(head.status, get.status);
      for (const char* h : {"content-type", "content-encoding", "vary", "content-length"}) {
        EXPECT_EQ(head.Header(h), get.Header(h)) << h;
      }
      EXPECT_EQ(head.body, "");
    }
  }
}

TEST_F(Gzip, WhatIsNotTextIsNotVaried) {
  HttpResponse r = server_->Get("/nothing-here", {kPc, kGzip});
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.Header("content-encoding"), "gzip") << "an error page is a page";
  HttpResponse health = server_->Get("/healthz", {kGzip});
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.Header("content-encoding"), "") << "too short to gain";
  EXPECT_EQ(health.body.rfind("ok\n", 0), 0u);
}

TEST_F(Gzip, StaffPagesGoCompressedToo) {
  HttpResponse plain = server_->StaffGet("/staff/login", {kPc});
  HttpResponse packed = server_->StaffGet("/staff/login", {kPc, kGzip});
  ASSERT_EQ(plain.status, 200);
  ASSERT_EQ(packed.status, 200);
  EXPECT_EQ(packed.Header("content-encoding"), "gzip");
  EXPECT_EQ(packed.Header("vary"), "Accept-Encoding");
  EXPECT_EQ(plain.Header("vary"), "Accept-Encoding");
  const std::string page = Gunzip(packed.body);
  EXPECT_NE(page.find("ログイン"), std::string::npos);
  EXPECT_EQ(page.size(), plain.body.size()) << "the same page (its form token differs)";
  HttpResponse css = server_->StaffGet("/staff/style.css", {kPc, kGzip});
  EXPECT_EQ(css.Header("content-encoding"), "gzip");
  EXPECT_EQ(Gunzip(css.body), server_->StaffGet("/staff/style.css", {kPc}).body);
}

TEST_F(Gzip, TheAccessLogCountsTheBytesSent) {
  HttpResponse packed = server_->Get("/?gz=1", {kPc, kGzip});
  ASSERT_EQ(packed.Header("content-encoding"), "gzip");
  const std::string line = " GET /?gz= 200 " + std::to_string(packed.body.size()) + " ";
  std::string log;
  for (int i = 0; i < 50 && log.find(line) == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // written in batches
    log = server_->Stderr();
  }
  EXPECT_NE(log.find(line), std::string::npos)
      << log.substr(log.size() > 2000 ? log.size() - 2000 : 0);
}

}  // namespace
}  // namespace shiori::test
