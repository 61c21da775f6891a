// Unit tests of session tokens, cookies and the per-request session against a real SQLite file.
#include "gateway/session.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <set>

#include "db/schema.h"
#include "db/session.h"
#include "db/sqlite.h"

namespace shiori::gateway {
namespace {

TEST(Token, Is128RandomBitsInHexAndNeverRepeats) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string t = NewToken(SystemRandom());
    ASSERT_TRUE(IsTokenShaped(t)) << t;
    EXPECT_TRUE(seen.insert(t).second) << "repeated token " << t;
  }
}

// The token is the given source's bytes: nothing else is read for it.
TEST(Token, IsTheHexOfSixteenBytesFromTheGivenSource) {
  class Counting : public Random {
   public:
    void Fill(unsigned char* out, size_t n) override {
      for (size_t i = 0; i < n; ++i) out[i] = next_++;
    }

   private:
    unsigned char next_ = 0xf0;
  } counting;
  EXPECT_EQ(NewToken(counting), "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
  EXPECT_EQ(NewToken(counting), "000102030405060708090a0b0c0d0e0f");
}

TEST(Token, StoredHashIsNotTheTokenAndIsStable) {
  const std::string t = NewToken(SystemRandom());
  EXPECT_EQ(HashToken(t), HashToken(t));
  EXPECT_NE(HashToken(t), HashToken(NewToken(SystemRandom())));
  EXPECT_EQ(HashToken(t).size(), 64u);
  EXPECT_EQ(HashToken(t).find(t), std::string::npos);
}

TEST(Token, ShapeAndComparison) {
  struct Case {
    std::string s;
    bool shaped;
  } cases[] = {
      {std::string(32, 'a'), true},        {"0123456789abcdef0123456789abcdef", true},
      {std::string(31, 'a'), false},       {std::string(33, 'a'), false},
      {std::string(32, 'A'), false},       {std::string(31, 'a') + "g", false},
      {std::string(31, 'a') + "'", false}, {"", false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.s);
    EXPECT_EQ(IsTokenShaped(c.s), c.shaped);
  }
  EXPECT_TRUE(TokensEqual("abc", "abc"));
  EXPECT_FALSE(TokensEqual("abc", "abd"));
  EXPECT_FALSE(TokensEqual("abc", "abcd"));
  EXPECT_FALSE(TokensEqual("", "")) << "an empty token never matches";
}

TEST(Cookie, FindsTheNamedValue) {
  EXPECT_EQ(CookieValue("sid=abc", "sid"), "abc");
  EXPECT_EQ(CookieValue("a=1; sid=abc; b=2", "sid"), "abc");
  EXPECT_EQ(CookieValue("xsid=abc; sid=def", "sid"), "def");
  EXPECT_EQ(CookieValue("a=1;sid=x", "sid"), "x");
  EXPECT_EQ(CookieValue("", "sid"), "");
  EXPECT_EQ(CookieValue("sid", "sid"), "");
}

class SessionDb : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/shiori-session-XXXXXX";
    dir_ = mkdtemp(tmpl);
    {
      auto c = db::Connection::Open(dir_ + "/s.db");
      ASSERT_TRUE(c.ok());
      ASSERT_TRUE(db::Migrate(**c).ok());
    }
    auto p = db::Pool::Open(dir_ + "/s.db", 1);
    ASSERT_TRUE(p.ok());
    pool_ = std::move(p).value();
    db_ = std::make_unique<db::LazyLease>(*pool_);
  }
  void TearDown() override {
    db_.reset();
    pool_.reset();
    std::string cmd = "rm -rf " + dir_;
    ASSERT_EQ(system(cmd.c_str()), 0);
  }
  Request WithCookie(const std::string& token) {
    Request r;
    r.headers = {{"cookie", "sid=" + token}};
    return r;
  }
  Request WithUrl(const std::string& token) {
    Request r;
    r.query = {{"sid", token}};
    return r;
  }
  std::string dir_;
  std::unique_ptr<db::Pool> pool_;
  std::unique_ptr<db::LazyLease> db_;
  db::SessionLimits limits_{1800, 43200};
};

DeviceProfile Phone() {
  DeviceProfile p;
  p.device_class = DeviceClass::kFeature;
  p.carrier = Carrier::kDocomo;
  p.cookies = CookieSupport::kNo;
  p.model = "P903i";
  return p;
}

DeviceProfile Softbank() {
  DeviceProfile p;
  p.device_class = DeviceClass::kFeature;
  p.carrier = Carrier::kSoftbank;
  p.cookies = CookieSupport::kProbe;
  return p;
}

TEST_F(SessionDb, CookielessPhoneGetsTheIdInUrlsAndNoCookie) {
  DeviceProfile phone = Phone();
  RequestSession s(*db_, phone, limits_, 1000, SystemRandom());
  ASSERT_TRUE(s.Load(Request()).ok());
  EXPECT_FALSE(s.active());
  EXPECT_FALSE(s.id_in_urls()) << "no session, nothing to carry";
  ASSERT_TRUE(s.Ensure().ok());
  EXPECT_TRUE(s.id_in_urls());
  EXPECT_TRUE(s.cookies_to_set(false).empty());

  RequestSession next(*db_, phone, limits_, 1010, SystemRandom());
  ASSERT_TRUE(next.Load(WithUrl(s.token())).ok());
  ASSERT_TRUE(next.active());
  EXPECT_EQ(next.row()->id, s.row()->id);
  EXPECT_TRUE(next.id_in_urls());
}

TEST_F(SessionDb, ProbeDeviceStopsCarryingTheIdOnceTheCookieReturns) {
  DeviceProfile sb = Softbank();
  RequestSession s(*db_, sb, limits_, 1000, SystemRandom());
  ASSERT_TRUE(s.Ensure().ok());
  auto cookie = s.cookies_to_set(true);
  ASSERT_EQ(cookie.size(), 1u);
  EXPECT_EQ(cookie[0], "sid=" + s.token() + "; Path=/; HttpOnly; SameSite=Lax; Secure");
  EXPECT_TRUE(s.id_in_urls());

  RequestSession by_url(*db_, sb, limits_, 1001, SystemRandom());
  ASSERT_TRUE(by_url.Load(WithUrl(s.token())).ok());
  EXPECT_TRUE(by_url.id_in_urls()) << "cookie not proven yet";

  RequestSession by_cookie(*db_, sb, limits_, 1002, SystemRandom());
  ASSERT_TRUE(by_cookie.Load(WithCookie(s.token())).ok());
  EXPECT_FALSE(by_cookie.id_in_urls());
  EXPECT_TRUE(by_cookie.cookies_to_set(false).empty()) << "the cookie is not sent again";
}

TEST_F(SessionDb, AnotherDeviceWithTheSameIdEndsTheSession) {
  DeviceProfile phone = Phone();
  RequestSession s(*db_, phone, limits_, 1000, SystemRandom());
  ASSERT_TRUE(s.Ensure().ok());
  DeviceProfile other = phone;
  other.model = "SH905i";  // another handset of the same carrier
  RequestSession thief(*db_, other, limits_, 1001, SystemRandom());
  ASSERT_TRUE(thief.Load(WithUrl(s.token())).ok());
  EXPECT_FALSE(thief.active());
  RequestSession owner(*db_, phone, limits_, 1002, SystemRandom());
  ASSERT_TRUE(owner.Load(WithUrl(s.token())).ok());
  EXPECT_FALSE(owner.active()) << "dropped, not just hidden";
}

TEST_F(SessionDb, ADeviceWithCookiesNeverTakesItsSessionFromAUrl) {
  DeviceProfile pc;  // cookies: kYes
  RequestSession s(*db_, pc, limits_, 1000, SystemRandom());
  ASSERT_TRUE(s.Ensure().ok());
  RequestSession by_url(*db_, pc, limits_, 1001, SystemRandom());
  ASSERT_TRUE(by_url.Load(WithUrl(s.token())).ok());
  EXPECT_FALSE(by_url.active());
}

TEST_F(SessionDb, SubscriberIdIsPartOfTheBinding) {
  DeviceProfile au;
  au.device_class = DeviceClass::kFeature;
  au.carrier = Carrier::kAu;
  au.cookies = CookieSupport::kProbe;
  au.subscriber = "05001234567890_xx.ezweb.ne.jp";
  RequestSession s(*db_, au, limits_, 1000, SystemRandom());
  ASSERT_TRUE(s.Ensure().ok());
  DeviceProfile other = au;
  other.subscriber = "05009999999999_yy.ezweb.ne.jp";
  RequestSession o(*db_, other, limits_, 1001, SystemRandom());
  ASSERT_TRUE(o.Load(WithUrl(s.token())).ok());
  EXPECT_FALSE(o.active());
}

TEST_F(SessionDb, IdleAndAbsoluteTimeoutsEndSessions) {
  DeviceProfile phone = Phone();
  RequestSession s(*db_, phone, limits_, 1000, SystemRandom());
  ASSERT_TRUE(s.Ensure().ok());
  const std::string token = s.token();
  // Active every 20 minutes: idle never reached, but 12 hours is the end.
  int64_t now = 1000;
  for (; now < 1000 + 43200; now += 1200) {
    RequestSession r(*db_, phone, limits_, now, SystemRandom());
    ASSERT_TRUE(r.Load(WithUrl(token)).ok());
    ASSERT_TRUE(r.active()) << "at " << now - 1000 << " s";
  }
  RequestSession late(*db_, phone, limits_, 1000 + 43201, SystemRandom());
  ASSERT_TRUE(late.Load(WithUrl(token)).ok());
  EXPECT_FALSE(late.active());

  RequestSession t(*db_, phone, limits_, 5000, SystemRandom());
  ASSERT_TRUE(t.Ensure().ok());
  RequestSession idle(*db_, phone, limits_, 5000 + 1801, SystemRandom());
  ASSERT_TRUE(idle.Load(WithUrl(t.token())).ok());
  EXPECT_FALSE(idle.active());
}

TEST_F(SessionDb, RotationGivesANewIdAndTheOldOneNoLongerWorks) {
  DeviceProfile phone = Phone();
  RequestSession s(*db_, phone, limits_, 1000, SystemRandom());
  ASSERT_TRUE(s.Ensure().ok());
  const std::string old_token = s.token(), old_csrf = s.csrf();
  const int64_t id = s.row()->id;
  ASSERT_TRUE(s.Rotate().ok());
  EXPECT_NE(s.token(), old_token);
  EXPECT_NE(s.csrf(), old_csrf);
  RequestSession a(*db_, phone, limits_, 1001, SystemRandom());
  ASSERT_TRUE(a.Load(WithUrl(old_token)).ok());
  EXPECT_FALSE(a.active());
  RequestSession b(*db_, phone, limits_, 1001, SystemRandom());
  ASSERT_TRUE(b.Load(WithUrl(s.token())).ok());
  ASSERT_TRUE(b.active());
  EXPECT_EQ(b.row()->id, id) << "same session, what it holds survives";
}

TEST_F(SessionDb, ACookieWinsOverAUrlId) {
  DeviceProfile sb = Softbank();
  RequestSession a(*db_, sb, limits_, 1000, SystemRandom()), b(*db_, sb, limits_, 1000, SystemRandom());
  ASSERT_TRUE(a.Ensure().ok());
  ASSERT_TRUE(b.Ensure().ok());
  Request both;
  both.headers = {{"cookie", "sid=" + a.token()}};
  both.query = {{"sid", b.token()}};
  RequestSession r(*db_, sb, limits_, 1001, SystemRandom());
  ASSERT_TRUE(r.Load(both).ok());
  ASSERT_TRUE(r.active());
  EXPECT_EQ(r.row()->id, a.row()->id) << "a planted URL id does not override the cookie";
}

TEST_F(SessionDb, PurgeRemovesOnlyTimedOutSessions) {
  DeviceProfile phone = Phone();
  RequestSession old(*db_, phone, limits_, 1000, SystemRandom()),
      fresh(*db_, phone, limits_, 3000, SystemRandom());
  ASSERT_TRUE(old.Ensure().ok());
  ASSERT_TRUE(fresh.Ensure().ok());
  auto n = db::PurgeSessions(**db_, 1000 + 1801, limits_);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1);
  RequestSession r(*db_, phone, limits_, 3001, SystemRandom());
  ASSERT_TRUE(r.Load(WithUrl(fresh.token())).ok());
  EXPECT_TRUE(r.active());
}


// Visitor tokens: signed, bound to what the client holds, and short-lived.
TEST_F(SessionDb, AVisitorTokenIsBoundToItsCookieOrPhoneAndExpires) {
  const std::string key(kSiteKeyBytes, 'a');
  DeviceProfile pc;
  RequestSession first(*db_, pc, limits_, 1000, SystemRandom(), key);
  ASSERT_TRUE(first.Load(Request{}).ok());
  const std::string token = first.FormToken();
  ASSERT_FALSE(token.empty());
  EXPECT_FALSE(first.active()) << "no session row for a form";
  auto cookies = first.cookies_to_set(false);
  ASSERT_EQ(cookies.size(), 1u);
  ASSERT_EQ(cookies[0].rfind("v=", 0), 0u) << cookies[0];
  const std::string visitor = cookies[0].substr(2, 32);

  auto with_cookie = [](const std::string& c) {
    Request r;
    r.headers.emplace_back("cookie", c);
    return r;
  };
  auto check = [&](const DeviceProfile& d, int64_t now, const Request& req, const std::string& k) {
    RequestSession s(*db_, d, limits_, now, SystemRandom(), k);
    EXPECT_TRUE(s.Load(req).ok());
    return s.CsrfOk(token);
  };
  EXPECT_TRUE(check(pc, 1001, with_cookie("v=" + visitor), key));
  EXPECT_FALSE(check(pc, 1001, Request{}, key)) << "without the cookie (a cross-site post)";
  EXPECT_FALSE(check(pc, 1001, with_cookie("v=" + std::string(32, '0')), key)) << "another visitor";
  EXPECT_FALSE(check(pc, 1001, with_cookie("v=" + visitor), std::string(kSiteKeyBytes, 'b')))
      << "another key";
  EXPECT_FALSE(check(pc, 1000 + limits_.absolute_s + 1, with_cookie("v=" + visitor), key))
      << "too old";
  EXPECT_FALSE(check(pc, 1000, with_cookie("v=" + visitor), "")) << "no key, no visitor token";
  {  // a time too long for a number is no token (and no overflow)
    RequestSession s(*db_, pc, limits_, 1001, SystemRandom(), key);
    ASSERT_TRUE(s.Load(with_cookie("v=" + visitor)).ok());
    EXPECT_FALSE(s.CsrfOk(std::string(19, '9') + token.substr(token.find('-'))));
  }

  // A phone without cookies: bound to the handset.
  DeviceProfile phone = Phone();
  RequestSession p(*db_, phone, limits_, 1000, SystemRandom(), key);
  ASSERT_TRUE(p.Load(Request{}).ok());
  const std::string phone_token = p.FormToken();
  EXPECT_TRUE(p.cookies_to_set(false).empty()) << "no cookie offered to a phone without them";
  DeviceProfile other = phone;
  other.model = "SH905i";
  RequestSession same(*db_, phone, limits_, 1001, SystemRandom(), key);
  RequestSession different(*db_, other, limits_, 1001, SystemRandom(), key);
  EXPECT_TRUE(same.CsrfOk(phone_token));
  EXPECT_FALSE(different.CsrfOk(phone_token));
  // Once the phone has a session, only the session's own token will do.
  ASSERT_TRUE(same.Ensure().ok());
  EXPECT_FALSE(same.CsrfOk(phone_token));
  EXPECT_TRUE(same.CsrfOk(same.csrf()));
}

TEST_F(SessionDb, PurgeGoesInBatchesAndTakesEveryTimedOutSession) {
  DeviceProfile pc;
  for (int i = 0; i < 1234; ++i) {
    RequestSession s(*db_, pc, limits_, 1000, SystemRandom());
    ASSERT_TRUE(s.Ensure().ok());
  }
  RequestSession live(*db_, pc, limits_, 9000, SystemRandom());
  ASSERT_TRUE(live.Ensure().ok());
  auto n = db::PurgeSessions(**db_, 9000, limits_, 100);
  ASSERT_TRUE(n.ok()) << n.status().message();
  EXPECT_EQ(*n, 1234);
  RequestSession again(*db_, pc, limits_, 9001, SystemRandom());
  Request r;
  r.headers.emplace_back("cookie", "sid=" + live.token());
  ASSERT_TRUE(again.Load(r).ok());
  EXPECT_TRUE(again.active()) << "the live one stays";
}

}  // namespace
}  // namespace shiori::gateway
