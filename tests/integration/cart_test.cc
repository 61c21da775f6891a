// End-to-end tests of the cart (カート) and 予約する as patrons meet them on a
// PC and on cookie-less docomo phones in Shift_JIS: 「カートに入れる」 leads
// back to the page it was pressed on with a status line, titles in the cart
// are marked there, 予約する leads the cart, the reserve steps name the
// address or number and warn of the titles that will be refused, refused
// titles stay in the cart with their reason, and an old phone's pages stay
// within its 5 KB.
#include <gtest/gtest.h>

#include <regex>

#include "charset/charset.h"
#include "tests/integration/browser.h"

namespace shiori::test {
namespace {

const char kOldDocomo[] = "DoCoMo/1.0/N503i";  // no cookies, 5 KB pages
constexpr size_t kOldDocomoBudget = 5 * 1024;
// Ten titles of the demo catalogue that no demo patron has on loan or reserved.
const char* const kTen[] = {"こころ", "三四郎", "それから", "津軽", "草枕",
                            "雪国",   "古都",   "金閣寺",   "潮騒", "人間失格"};
const char kLimitReason[] = "予約できるのはお一人10件までです。";
const char kGuideLoaned[] =
    "予約時点で貸出されてない場合であっても、準備前に貸出される場合があります。";
const char kGuideMany[] = "予約多数の資料は用意ができるまでに長時間かかります。";

size_t Count(const std::string& page, const std::string& needle) {
  size_t n = 0;
  for (size_t at = page.find(needle); at != std::string::npos; at = page.find(needle, at + 1)) ++n;
  return n;
}

// The first role="status" paragraph of a page ("" when there is none).
std::string StatusLine(const std::string& page) {
  const size_t at = page.find("<p role=\"status\">");
  if (at == std::string::npos) return "";
  return page.substr(at, page.find("</p>", at) - at);
}

// The record id of the first 「カートに入れる」 form on a page (0 when none).
int64_t FirstCartId(const std::string& page) {
  std::smatch m;
  std::regex re(
      "action=\"/cart/add[^\"]*\" method=\"post\">(?:<input type=\"hidden\"[^>]*>)*?"
      "<input type=\"hidden\" name=\"id\" value=\"([0-9]+)\">");
  return std::regex_search(page, m, re) ? std::stoll(m[1]) : 0;
}

// The value of hidden field `name` on a page ("" when none).
std::string Hidden(const std::string& page, const std::string& name) {
  std::smatch m;
  std::regex re("name=\"" + name + "\" value=\"([^\"]*)\"");
  return std::regex_search(page, m, re) ? std::string(m[1]) : "";
}

// The list line of record `id` on a result page ("" when not there).
std::string LineOf(const std::string& page, int64_t id) {
  const size_t at = page.find("href=\"/record?id=" + std::to_string(id) + "\"");
  if (at == std::string::npos) return "";
  return page.substr(at, page.find("</li>", at) - at);
}

class Cart : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_.File("cart.db");
    ASSERT_TRUE(server_.Start({"--demo", "--db", db_}, {"SHIORI_TODAY=2026-12-26"}))
        << server_.startup_output();
  }
  void Login(Browser& b, const std::string& card, const std::string& pw) {
    b.Get("/account");
    long status = 0;
    b.Post("/account/login", {{"card", card}, {"password", pw}}, &status);
    ASSERT_EQ(status, 200) << b.last_page();
  }
  // Every page of the cart, one after the other (a phone's cart is paged):
  // each within `budget` bytes when that is not 0.
  std::string WholeCart(Browser& b, size_t budget) {
    std::string all = b.Get("/cart");
    std::string page = all;
    std::smatch m;
    for (int i = 0; i < 20 && budget > 0; ++i) {
      EXPECT_LE(b.last_bytes(), budget) << page;
      if (!std::regex_search(page, m,
                             std::regex("href=\"(/cart\\?p=[0-9]+)[^\"]*\" accesskey=\"6\""))) {
        break;
      }
      page = b.Get(m[1]);
      all += page;
    }
    return all;
  }
  int64_t WaitingHolds(const std::string& card) {
    return QueryInt(db_,
                    "SELECT count(*) FROM holds h JOIN patrons p ON p.id = h.patron_id"
                    " WHERE p.card = '" +
                        card + "' AND h.status IN ('waiting','ready')");
  }
  // A patron with one hold already puts ten titles in the cart and reserves
  // them: the confirmation warns that the last one would pass the limit of
  // ten, the nine others are placed, and the last one stays in the cart with
  // its reason. `old_phone`: every page within the old docomo's 5 KB.
  void ReserveOneOverTheLimit(Browser& b, bool old_phone, const std::string& card,
                              const std::string& pw);

  TempDir dir_;
  Server server_;
  std::string db_;
};

TEST_F(Cart, APcLandsOnTheSameResultPageWithTheLineAndTheTitleMarked) {
  Browser pc(server_, false);
  const std::string page2 = pc.Get("/search?q=" + Hex("新潮社") + "&p=20");
  ASSERT_NE(page2.find("<ol start=\"21\">"), std::string::npos) << page2;
  EXPECT_EQ(StatusLine(page2), "");
  const int64_t first = FirstCartId(page2);
  ASSERT_GT(first, 0) << page2;

  long status = 0;
  std::string back = pc.Post("/cart/add", {}, &status);
  ASSERT_EQ(status, 200);
  EXPECT_NE(back.find("<h1>検索結果</h1>"), std::string::npos) << back;
  EXPECT_NE(back.find("<ol start=\"21\">"), std::string::npos) << "the same page of results";
  EXPECT_NE(back.find("value=\"新潮社\""), std::string::npos) << "the same query";
  const std::string line = StatusLine(back);
  EXPECT_NE(line.find("カートに入れました（1冊）"), std::string::npos) << back;
  EXPECT_NE(line.find("href=\"/cart\""), std::string::npos) << line;
  EXPECT_LT(back.find("<p role=\"status\">"), back.find("role=\"search\"")) << "at the top";
  // The title is marked, and no longer offered.
  EXPECT_NE(LineOf(back, first).find("カートに入っています"), std::string::npos) << back;
  EXPECT_EQ(LineOf(back, first).find("カートに入れる"), std::string::npos) << back;
  EXPECT_NE(FirstCartId(back), first);

  // The next title from the same page: the line counts the cart.
  const int64_t second = FirstCartId(back);
  ASSERT_GT(second, 0);
  std::string again = pc.Post("/cart/add", {}, &status);
  ASSERT_EQ(status, 200);
  EXPECT_NE(StatusLine(again).find("カートに入れました（2冊）"), std::string::npos) << again;
  EXPECT_NE(LineOf(again, second).find("カートに入っています"), std::string::npos);
  EXPECT_NE(again.find("<ol start=\"21\">"), std::string::npos);
  // The paging links and the next add's way back do not carry the line along.
  EXPECT_EQ(again.find("added="), std::string::npos) << again;

  // Read again later, the page marks the titles but says nothing was added.
  const std::string later = pc.Get("/search?q=" + Hex("新潮社") + "&p=20");
  EXPECT_EQ(StatusLine(later), "");
  EXPECT_EQ(Count(later, "カートに入っています"), 2u) << later;
  EXPECT_NE(pc.Get("/cart").find("2冊"), std::string::npos);
}

TEST_F(Cart, ADocomoPhoneLandsBackOnTheRecordPageItAddedFrom) {
  Browser phone(server_, true);
  const int64_t id = RecordId(server_, "雪国");
  ASSERT_GT(id, 0);
  std::string record = phone.Get("/record?id=" + std::to_string(id));
  ASSERT_NE(record.find("value=\"カートに入れる\""), std::string::npos) << record;
  long status = 0;
  std::string back = phone.Post("/cart/add", {}, &status);
  ASSERT_EQ(status, 200);
  ASSERT_EQ(phone.sid().size(), 32u);
  EXPECT_NE(back.find("<h1>雪国</h1>"), std::string::npos) << back;
  const std::string line = StatusLine(back);
  EXPECT_NE(line.find("カートに入れました（1冊）"), std::string::npos) << back;
  EXPECT_NE(line.find("href=\"/cart?sid=" + phone.sid() + "\""), std::string::npos)
      << "the cart's link keeps the URL session: " << line;
  EXPECT_NE(back.find("カートに入っています"), std::string::npos);
  EXPECT_EQ(back.find("value=\"カートに入れる\""), std::string::npos);
  EXPECT_LE(phone.last_bytes(), 30u * 1024) << "P903i: c100, at most 30 KB";

  // The old 5 KB phone, the same way back.
  Browser old(server_, true, kOldDocomo);
  old.Get("/record?id=" + std::to_string(id));
  std::string old_back = old.Post("/cart/add", {}, &status);
  ASSERT_EQ(status, 200);
  EXPECT_NE(StatusLine(old_back).find("カートに入れました（1冊）"), std::string::npos) << old_back;
  EXPECT_LE(old.last_bytes(), kOldDocomoBudget);
}

// The cart names a title's authors as the result list and the record page
// do: each role after its name.
TEST_F(Cart, TheCartNamesAuthorsWithTheirRoles) {
  Browser pc(server_, false);
  const int64_t id = RecordId(server_, "沈黙の春");
  ASSERT_GT(id, 0);
  pc.Get("/record?id=" + std::to_string(id));
  pc.Post("/cart/add", {});
  std::string cart = pc.Get("/cart");
  EXPECT_NE(cart.find("レイチェル・カーソン 著 ; 青樹簗一 訳"), std::string::npos) << cart;
}

TEST_F(Cart, AFullCartOrAnUnknownTitleSaysWhyInJapanese) {
  Browser pc(server_, false);
  std::string page = pc.Get("/search?q=" + Hex("新潮社"));
  long status = 0;
  for (int i = 0; i < 20; ++i) {
    ASSERT_GT(FirstCartId(page), 0) << i << page;
    page = pc.Post("/cart/add", {}, &status);
    ASSERT_EQ(status, 200) << i;
  }
  EXPECT_NE(StatusLine(page).find("カートに入れました（20冊）"), std::string::npos) << page;
  page = pc.Get("/search?q=" + Hex("新潮社") + "&p=20");
  std::string full = pc.Post("/cart/add", {}, &status);
  EXPECT_EQ(status, 409);
  EXPECT_NE(full.find("カートには20冊まで入れられます"), std::string::npos) << full;
  EXPECT_NE(full.find("href=\"/search?q="), std::string::npos) << "a way back to the results";

  // A made-up record id, as a hand-made form would send it, from a phone.
  Browser phone(server_, true);
  const std::string record = phone.Get("/record?id=1");
  HttpResponse r =
      server_.Post("/cart/add", "id=999999&back=%2Frecord%3Fid%3D1&_t=" + Hidden(record, "_t"),
                   {"User-Agent: DoCoMo/2.0 P903i(c100;TB;W24H12)"});
  EXPECT_EQ(r.status, 409);
  auto unknown = charset::SjisToUtf8(r.body);
  ASSERT_TRUE(unknown.ok());
  EXPECT_NE(unknown->find("その資料は見つかりませんでした。"), std::string::npos) << *unknown;
}

void Cart::ReserveOneOverTheLimit(Browser& b, bool old_phone, const std::string& card,
                                  const std::string& pw) {
  auto within_budget = [&](const char* step) {
    if (old_phone) {
      EXPECT_LE(b.last_bytes(), kOldDocomoBudget) << step << b.last_page();
    }
  };
  Login(b, card, pw);
  ASSERT_EQ(WaitingHolds(card), 1) << "the demo gives the patron one hold";
  long status = 0;
  for (const char* title : kTen) {
    const int64_t id = RecordId(server_, title);
    ASSERT_GT(id, 0) << title;
    b.Get("/record?id=" + std::to_string(id));
    const std::string back = b.Post("/cart/add", {}, &status);
    ASSERT_EQ(status, 200) << title;
    EXPECT_NE(back.find("<h1>" + std::string(title) + "</h1>"), std::string::npos) << back;
    within_budget("record page after カートに入れる");
  }
  // Logged in, the cart already says which title 予約する would refuse.
  std::string cart = WholeCart(b, old_phone ? kOldDocomoBudget : 0);
  EXPECT_NE(cart.find("10冊"), std::string::npos) << cart;
  EXPECT_EQ(Count(cart, kLimitReason), 1u) << cart;
  for (const char* title : kTen)
    EXPECT_NE(cart.find(">" + std::string(title) + "</a>"), std::string::npos) << title;

  b.Get("/reserve");
  within_budget("reserve form");
  const std::string confirm =
      b.Post("/reserve/confirm", {{"branch", "chuo"}, {"contact", "none"}}, &status);
  ASSERT_EQ(status, 200) << confirm;
  within_budget("confirmation");
  // The warning, with the title and its reason, comes before the button.
  std::smatch m;
  ASSERT_TRUE(std::regex_search(
      confirm, m,
      std::regex("次の資料は予約できません（カートに残ります）。</p><ul><li>([^<]+)<br>"
                 "<strong>" +
                 std::string(kLimitReason) + "</strong></li></ul>")))
      << confirm;
  const std::string refused = m[1];
  EXPECT_LT(static_cast<size_t>(m.position(0)), confirm.find("value=\"予約する\""));
  EXPECT_EQ(Count(confirm, kLimitReason), 1u);
  EXPECT_NE(confirm.find(kGuideLoaned), std::string::npos) << confirm;
  EXPECT_NE(confirm.find(kGuideMany), std::string::npos);
  EXPECT_NE(confirm.find("連絡方法: 連絡不要"), std::string::npos);

  const std::string result = b.Post("/reserve/place", {}, &status);
  ASSERT_EQ(status, 200) << result;
  within_budget("result");
  EXPECT_EQ(Count(result, "<strong>予約しました</strong>"), 9u) << result;
  EXPECT_NE(result.find(refused + "<br><strong>予約できませんでした</strong> " + kLimitReason),
            std::string::npos)
      << result;
  EXPECT_EQ(Count(result, "予約できませんでした"), 1u) << "said once: " << result;
  EXPECT_NE(result.find("予約できなかった資料はカートに残っています。"), std::string::npos);
  EXPECT_NE(result.find(kGuideLoaned), std::string::npos);
  EXPECT_NE(result.find(kGuideMany), std::string::npos);
  EXPECT_EQ(WaitingHolds(card), 10);

  // The refused title is still in the cart with its reason; the placed ones left.
  cart = WholeCart(b, old_phone ? kOldDocomoBudget : 0);
  EXPECT_NE(cart.find("1冊"), std::string::npos) << cart;
  EXPECT_NE(cart.find(">" + refused + "</a>"), std::string::npos) << cart;
  EXPECT_NE(cart.find(kLimitReason), std::string::npos) << cart;
  for (const char* title : kTen) {
    if (title != refused) {
      EXPECT_EQ(cart.find(">" + std::string(title) + "</a>"), std::string::npos) << title;
    }
  }

  // 連絡不要 is named once, on every page that shows it.
  const std::string holds = b.Get("/account/holds");
  EXPECT_NE(holds.find("連絡方法 連絡不要"), std::string::npos) << holds;
  for (const std::string* page : {&confirm, &result, &holds}) {
    EXPECT_EQ(page->find("連絡連絡不要"), std::string::npos) << *page;
    EXPECT_EQ(page->find("連絡 連絡不要"), std::string::npos) << *page;
  }
}

TEST_F(Cart, OnAPcATitleRefusedAtTheLimitStaysInTheCartWithItsReason) {
  Browser pc(server_, false);
  ReserveOneOverTheLimit(pc, false, "1000000033", "hon4649");
}

TEST_F(Cart, OnAnOldDocomoATitleRefusedAtTheLimitStaysInTheCartWithinFiveKilobytes) {
  Browser phone(server_, true, kOldDocomo);
  ReserveOneOverTheLimit(phone, true, "1000000055", "satsuma5");
}

// A second send of the same confirmation (back button, double tap) places
// nothing twice and leaves the refused title in the cart.
TEST_F(Cart, TheSameConfirmationSentTwicePlacesNothingMoreAndKeepsTheRefusedTitle) {
  Browser pc(server_, false);
  Login(pc, "1000000033", "hon4649");
  long status = 0;
  for (const char* title : kTen) {
    pc.Get("/record?id=" + std::to_string(RecordId(server_, title)));
    pc.Post("/cart/add", {}, &status);
  }
  pc.Get("/reserve");
  const std::string confirm =
      pc.Post("/reserve/confirm", {{"branch", "noda"}, {"contact", "phone"}}, &status);
  ASSERT_EQ(status, 200);
  std::string body;
  std::string form = confirm.substr(confirm.find("action=\"/reserve/place\""));
  form = form.substr(0, form.find("</form>"));
  std::regex hidden("name=\"([^\"]+)\" value=\"([^\"]*)\"");
  for (auto it = std::sregex_iterator(form.begin(), form.end(), hidden);
       it != std::sregex_iterator(); ++it) {
    body += (body.empty() ? "" : "&") + (*it)[1].str() + "=" + Hex((*it)[2].str());
  }
  const std::vector<std::string> headers = {
      "User-Agent: Mozilla/5.0 (Windows NT 10.0) Firefox/120.0", "Cookie: sid=" + pc.cookie()};
  HttpResponse first = server_.Post("/reserve/place", body, headers);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(WaitingHolds("1000000033"), 10);
  HttpResponse second = server_.Post("/reserve/place", body, headers);
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(Count(second.body, "<strong>予約しました</strong>"), 9u) << "answered as the first";
  EXPECT_EQ(WaitingHolds("1000000033"), 10) << "nothing placed twice";
  EXPECT_EQ(QueryInt(db_, "SELECT count(*) FROM cart_items"), 1) << "the refused title stays";
  EXPECT_NE(pc.Get("/cart").find(kLimitReason), std::string::npos);
}

TEST_F(Cart, ReserveIsTheCartsFirstMainLinkAndRemoveComesSecond) {
  const int64_t a = RecordId(server_, "雪国"), b = RecordId(server_, "古都");
  Browser pc(server_, false);
  Browser phone(server_, true);
  for (Browser* x : {&pc, &phone}) {
    for (int64_t id : {a, b}) {
      long status = 0;
      x->Get("/record?id=" + std::to_string(id));
      x->Post("/cart/add", {}, &status);
      ASSERT_EQ(status, 200);
    }
  }
  // PC: after the heading, the first link or button is 予約する, drawn as the
  // primary action (a strong link), again after the list; 取り出す per title.
  const std::string cart = pc.Get("/cart");
  const std::string main = cart.substr(cart.find("</h1>"));
  std::smatch m;
  ASSERT_TRUE(
      std::regex_search(main, m, std::regex("<a [^>]*>[^<]*</a>|<input type=\"submit\"[^>]*>")))
      << cart;
  EXPECT_EQ(m[0], "<a href=\"/reserve\" accesskey=\"5\">予約する</a>") << cart;
  EXPECT_EQ(Count(cart, "<strong><a href=\"/reserve\""), 2u) << "at the top and the bottom";
  EXPECT_GT(cart.rfind(">予約する</a>"), cart.rfind("value=\"取り出す\""));
  EXPECT_EQ(Count(cart, "value=\"取り出す\""), 2u);

  // Phone: the first access key of the page is 予約する's.
  const std::string phone_cart = phone.Get("/cart");
  ASSERT_TRUE(std::regex_search(phone_cart, m, std::regex("accesskey=\"([0-9])\">([^<]*)<")))
      << phone_cart;
  EXPECT_EQ(m[2], "予約する") << phone_cart;
  EXPECT_LE(phone.last_bytes(), 30u * 1024);
}

TEST_F(Cart, TheReserveStepsNameTheAddressAndThePhoneNumber) {
  const int64_t id = RecordId(server_, "金閣寺");
  long status = 0;
  {
    Browser pc(server_, false);
    Login(pc, "1000000011", "neko2026");
    pc.Get("/record?id=" + std::to_string(id));
    pc.Post("/cart/add", {}, &status);
    const std::string form = pc.Get("/reserve");
    EXPECT_NE(form.find(">メール（kyoko.izumi@docomo.ne.jp）</label>"), std::string::npos) << form;
    EXPECT_NE(form.find(">電話（0996-63-1111）</label>"), std::string::npos) << form;
    const std::string confirm =
        pc.Post("/reserve/confirm", {{"branch", "chuo"}, {"contact", "mail"}}, &status);
    ASSERT_EQ(status, 200);
    EXPECT_NE(confirm.find("連絡方法: メール（kyoko.izumi@docomo.ne.jp）"), std::string::npos)
        << confirm;
  }
  {
    // No e-mail address: 電話 with the number, and no メール.
    Browser phone(server_, true);
    Login(phone, "1000000033", "hon4649");
    phone.Get("/record?id=" + std::to_string(id));
    phone.Post("/cart/add", {}, &status);
    const std::string form = phone.Get("/reserve");
    EXPECT_NE(form.find(">電話（0996-84-3333）</label>"), std::string::npos) << form;
    EXPECT_EQ(form.find("value=\"mail\""), std::string::npos);
    const std::string confirm =
        phone.Post("/reserve/confirm", {{"branch", "noda"}, {"contact", "phone"}}, &status);
    EXPECT_NE(confirm.find("連絡方法: 電話（0996-84-3333）"), std::string::npos) << confirm;
    const std::string result = phone.Post("/reserve/place", {}, &status);
    ASSERT_EQ(status, 200);
    EXPECT_NE(result.find("連絡方法: 電話（0996-84-3333）"), std::string::npos) << result;
    EXPECT_EQ(phone.Get("/cart").find("金閣寺"), std::string::npos) << "placed: out of the cart";
  }
}

}  // namespace
}  // namespace shiori::test
