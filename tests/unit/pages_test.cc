// Unit tests of the pages: the escaping builder, the shared frame, the top,
// notice and results pages, the style sheet, the QR code, and the mail
// notices' wording.
#include "pages/pages.h"

#include <gtest/gtest.h>

#include "pages/account.h"
#include "pages/cart.h"
#include "pages/catalogue.h"
#include "pages/mail_text.h"

namespace shiori::pages {
namespace {

// Links as the gateway would give them to a device without cookies.
class FakeSessionLinks : public Links {
 public:
  std::string Url(std::string_view path, const Query& q) const override {
    std::string u(path);
    u += "?sid=S";
    for (const auto& [k, v] : q) u += "&" + k + "=" + v;
    return u;
  }
  void FormFields(Html& h, bool) const override {
    h.Void("input", {{"type", "hidden"}, {"name", "sid"}, {"value", "S"}});
  }
  std::string ExitUrl(std::string_view url) const override {
    return "/exit?to=" + std::string(url);
  }
};

TEST(Escape, EscapesEveryMarkupCharacter) {
  EXPECT_EQ(Escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  EXPECT_EQ(Escape("猫と表示"), "猫と表示");
  EXPECT_EQ(Escape(""), "");
}

// Text stored before the imports cleaned it: what a page shows of it has no
// NUL, no terminal sequence, no bidi override and no noncharacter; line
// breaks and tabs are HTML whitespace and stay.
TEST(Escape, LeavesOutControlCharacters) {
  const std::string stored = std::string("<h1>吾輩") + std::string(1, '\0') +
                             "は\x1B[31m猫\u202Eである\u009B\x7F\uFFFE\uFDD0\u2066\U0010FFFF";
  EXPECT_EQ(Escape(stored), "&lt;h1&gt;吾輩は[31m猫である");
  EXPECT_EQ(Escape("上巻\r\n下巻\t"), "上巻\r\n下巻\t");
  EXPECT_EQ(Escape("\u200F\u200D"), "\u200F\u200D") << "marks and joiners are not controls";
  Html h;
  h.Open("a", {{"title", "x\x1B\u202Ey"}}).Text("猫\x1B").Close();
  EXPECT_EQ(h.Take(), "<a title=\"xy\">猫</a>");
}

TEST(Html, EscapesTextAndAttributesAndClosesInOrder) {
  Html h;
  h.Open("p", {{"title", "a\"b"}}).Text("<x>").Open("b").Text("&").Close();
  h.Void("input", {{"checked", "", true}, {"value", "<v>"}});
  EXPECT_EQ(h.Take(),
            "<p title=\"a&quot;b\">&lt;x&gt;<b>&amp;</b><input checked value=\"&lt;v&gt;\"></p>");
}

// SVG's empty elements close themselves; a part built apart comes in escaped
// and closed, whatever it held.
TEST(Html, SvgElementsAndPartsAreEscapedToo) {
  Html part;
  part.Open("svg", {{"aria-label", "\"><script>"}}).Empty("path", {{"d", "M1 1\"/>"}});
  Html h;
  h.Open("p").Append(std::move(part)).Close();
  EXPECT_EQ(h.Take(),
            "<p><svg aria-label=\"&quot;&gt;&lt;script&gt;\"><path d=\"M1 1&quot;/&gt;\"/>"
            "</svg></p>");
}

TEST(Html, RawTrustedIsWrittenAsIs) {
  Html h;
  h.RawTrusted("<!DOCTYPE html>").Element("i", "<");
  EXPECT_EQ(h.Take(), "<!DOCTYPE html><i>&lt;</i>");
}

struct Devices {
  Device pc;
  Device docomo;
  Device au;
  Devices() {
    docomo.keypad = docomo.accesskey_labels = docomo.accesskey_emoji = true;
    docomo.viewport = false;
    docomo.charset = "Shift_JIS";
    au.keypad = au.accesskey_labels = true;
    au.viewport = false;
    au.charset = "Shift_JIS";
  }
};

// What an old phone shows if it stops at a redirect: a link onwards, in its
// charset, the address escaped.
TEST(Moved, APhoneThatStopsAtARedirectGetsALinkOnwards) {
  Devices d;
  FakeSessionLinks links;
  Context ctx{d.docomo, links, "出水市立図書館"};
  const std::string html = RenderMoved(ctx, "/cart?a=1&b=\"2");
  EXPECT_NE(html.find("charset=Shift_JIS"), std::string::npos) << html;
  EXPECT_NE(html.find("<a href=\"/cart?a=1&amp;b=&quot;2\">次のページへ</a>"), std::string::npos)
      << html;
  EXPECT_LT(html.size(), 400u);
}

TEST(Top, SearchFormOnKeyOneAndEveryLinkGoesThroughTheLinkBuilder) {
  Devices d;
  FakeSessionLinks links;
  Context ctx{d.au, links, "出水市立図書館"};
  std::string html = RenderTop(ctx, TopView{"\"><script>"});
  EXPECT_NE(
      html.find("<input type=\"search\" name=\"q\" id=\"q\" value=\"&quot;&gt;&lt;script&gt;\""),
      std::string::npos)
      << html;
  EXPECT_NE(html.find("accesskey=\"1\""), std::string::npos);
  EXPECT_NE(html.find("<input type=\"hidden\" name=\"sid\" value=\"S\">"), std::string::npos);
  EXPECT_NE(html.find("[2]<a href=\"/account?sid=S\" accesskey=\"2\">"), std::string::npos) << html;
  // Every href carries what the link builder adds.
  for (size_t at = html.find("href=\""); at != std::string::npos;
       at = html.find("href=\"", at + 1)) {
    EXPECT_NE(html.substr(at, 40).find("sid=S"), std::string::npos) << html.substr(at, 40);
  }
  EXPECT_NE(html.find("content=\"text/html; charset=Shift_JIS\""), std::string::npos);
  EXPECT_EQ(html.find("viewport"), std::string::npos) << "no viewport meta for feature phones";
}

TEST(Top, DocomoShowsNumberKeyEmojiAndPcsNoLabels) {
  Devices d;
  FakeSessionLinks links;
  std::string docomo = RenderTop(Context{d.docomo, links, "L"}, TopView{});
  EXPECT_NE(docomo.find("\xEE\x9B\xA3<a href=\"/account?sid=S\" accesskey=\"2\">"),
            std::string::npos)
      << "U+E6E3 (key 2) before the link";
  std::string pc = RenderTop(Context{d.pc, links, "L"}, TopView{});
  EXPECT_EQ(pc.find("[2]"), std::string::npos);
  EXPECT_NE(pc.find("<meta name=\"viewport\""), std::string::npos);
}

TEST(Top, SearchFieldAsksTheDeviceForKanaInput) {
  Devices d;
  d.docomo.kana = {{"istyle", "1"}};
  FakeSessionLinks links;
  std::string html = RenderTop(Context{d.docomo, links, "L"}, TopView{});
  EXPECT_NE(html.find("accesskey=\"1\" istyle=\"1\">"), std::string::npos) << html;
  EXPECT_EQ(RenderTop(Context{d.pc, links, "L"}, TopView{}).find("istyle"), std::string::npos);
}

TEST(Notices, MaintenanceLinksNowhereAndErrorsLinkHome) {
  Devices d;
  FakeSessionLinks links;
  Context ctx{d.pc, links, "出水市立図書館"};
  std::string m = RenderMaintenance(ctx);
  EXPECT_NE(m.find("停止しています"), std::string::npos);
  EXPECT_EQ(m.find("href"), std::string::npos);
  std::string e = RenderError(ctx, "見出し<", "本文&");
  EXPECT_NE(e.find("<h1>見出し&lt;</h1>"), std::string::npos);
  EXPECT_NE(e.find("<p>本文&amp;</p>"), std::string::npos);
  EXPECT_NE(e.find("href=\"/?sid=S\""), std::string::npos);
  EXPECT_NE(RenderNotFound(ctx).find("ページが見つかりません"), std::string::npos);
  EXPECT_NE(RenderDisclaimer(ctx).find("その責を負いません"), std::string::npos);
}

TEST(Pages, EveryPageIsOneDocumentWithOneH1) {
  Devices d;
  FakeSessionLinks links;
  Context ctx{d.pc, links, "出水市立図書館"};
  for (const std::string& html : {RenderTop(ctx, {}), RenderNotFound(ctx), RenderDisclaimer(ctx),
                                  RenderMaintenance(ctx), RenderError(ctx, "a", "b")}) {
    EXPECT_EQ(html.rfind("<!DOCTYPE html><html lang=\"ja\">", 0), 0u);
    EXPECT_EQ(html.find("<h1>"), html.rfind("<h1>"));
    EXPECT_NE(html.find("<h1>"), std::string::npos);
    EXPECT_EQ(html.substr(html.size() - 14), "</body></html>");
  }
}

TEST(Results, OneKanaWithoutHitsIsToldToTypeTwoForAReading) {
  Devices d;
  FakeSessionLinks links;
  Context pc{d.pc, links, "出水市立図書館"};
  const std::string hint = "2文字以上で入力してください";
  ResultsView v;
  v.query = "ね";
  v.one_kana = true;
  EXPECT_NE(RenderResults(pc, v).find(hint), std::string::npos);
  v.query = "ねこ";
  v.one_kana = false;
  EXPECT_EQ(RenderResults(pc, v).find(hint), std::string::npos);
}

TEST(Results, APagePastTheLastSaysSoAndLinksTheFirst) {
  Devices d;
  FakeSessionLinks links;
  Context pc{d.pc, links, "出水市立図書館"};
  ResultsView v;
  v.query = "ねこ";
  v.params = {{"q", "ねこ"}};
  v.total = 12;
  v.offset = 40;
  const std::string html = RenderResults(pc, v);
  EXPECT_NE(html.find("このページには結果がありません。"), std::string::npos) << html;
  EXPECT_NE(html.find("href=\"/search?sid=S&amp;q=ねこ\""), std::string::npos) << html;
  EXPECT_EQ(html.find("件目"), std::string::npos) << "no count from 41 to 40";
  EXPECT_EQ(html.find("見つかりませんでした"), std::string::npos) << "there are results";
}

TEST(Reserve, EachContactNamesWhatItUsesAndRefusedTitlesComeApartBeforeTheButton) {
  Devices d;
  FakeSessionLinks links;
  Context pc{d.pc, links, "出水市立図書館"};
  ReserveView v;
  v.items = {{1, "雪国", "", ""}, {2, "古都<1>", "", "この資料はすでに予約しています。"}};
  v.email = "taro&hanako@example.jp";
  v.phone = "0996-63-1111";
  v.branches = {{"chuo", "中央図書館"}};
  std::string form = RenderReserve(pc, v);
  EXPECT_NE(form.find(">メール（taro&amp;hanako@example.jp）</label>"), std::string::npos) << form;
  EXPECT_NE(form.find(">電話（0996-63-1111）</label>"), std::string::npos) << form;
  EXPECT_NE(form.find("<ol><li>雪国</li></ol>"), std::string::npos) << form;
  const size_t warned = form.find("古都&lt;1&gt;<br><strong>この資料はすでに予約しています。");
  EXPECT_NE(warned, std::string::npos) << form;
  EXPECT_LT(warned, form.find("type=\"submit\"")) << form;

  v.email.clear();
  form = RenderReserve(pc, v);
  EXPECT_EQ(form.find("value=\"mail\""), std::string::npos) << "no メール without an address";

  // Nothing left to reserve: no button, a way back to the cart.
  v.items.erase(v.items.begin());
  form = RenderReserve(pc, v);
  EXPECT_EQ(form.find("type=\"submit\""), std::string::npos) << form;
  EXPECT_NE(form.find("予約できる資料がありません。"), std::string::npos) << form;
}

// A branch's line in the result list: the state a patron can act on first.
TEST(Results, EachBranchLineSaysWhatThatBranchHas) {
  struct Case {
    HoldingView b;
    const char* line;
  } cases[] = {
      {{"中央図書館", 2, 1, 0, 1, 0, 0, 0, "12月15日(火)"}, "中央 在架1/2冊"},
      {{"野田図書館", 2, 0, 0, 2, 0, 0, 0, "12月15日(火)"}, "野田 貸出中（返却予定12月15日(火)）"},
      {{"野田図書館", 1, 0, 0, 0, 1, 0, 0, ""}, "野田 取置中"},
      {{"高尾野図書館", 1, 0, 0, 0, 0, 1, 0, ""}, "高尾野 回送中"},
      {{"高尾野図書館", 1, 0, 0, 0, 0, 0, 1, ""}, "高尾野 所在不明"},
      {{"中央図書館", 0, 0, 1, 0, 0, 0, 0, ""}, "中央 館内のみ"},
      {{"中央図書館", 1, 1, 1, 0, 0, 0, 0, ""}, "中央 在架1/1冊 館内のみ1冊"},
      {{"図書館", 1, 1, 0, 0, 0, 0, 0, ""}, "図書館 在架1/1冊"},
  };
  for (const auto& c : cases) EXPECT_EQ(HoldingText(c.b), c.line);
}

TEST(Results, AuthorsKeepTheirRolesAfterTheirNames) {
  EXPECT_EQ(AuthorsText({{"レイチェル・カーソン", "著"}, {"青樹簗一", "訳"}}),
            "レイチェル・カーソン 著 ; 青樹簗一 訳");
  EXPECT_EQ(AuthorsText({{"夏目漱石", ""}}), "夏目漱石");
  EXPECT_EQ(AuthorsText({{"John Smith", "composer"}}), "John Smith composer");
}

TEST(Results, AHitShowsALinePerBranchAndItsHoldsOnPcAndPhone) {
  Devices d;
  FakeSessionLinks links;
  ResultsView v;
  v.query = "門";
  v.total = 1;
  HitView hit;
  hit.id = 6;
  hit.title = "門";
  hit.authors = {{"夏目漱石", "著"}};
  hit.holdings = {{"野田図書館", 1, 0, 0, 1, 0, 0, 0, "12月17日(木)"},
                  {"中央図書館", 1, 1, 0, 0, 0, 0, 0, ""}};
  hit.holds = 2;
  v.hits = {hit};
  for (const Context& ctx :
       {Context{d.pc, links, "出水市立図書館"}, Context{d.docomo, links, "出水市立図書館"}}) {
    const std::string html = RenderResults(ctx, v);
    EXPECT_NE(html.find("夏目漱石 著<br>野田 貸出中（返却予定12月17日(木)）<br>中央 在架1/1冊<br>"
                        "予約 2件"),
              std::string::npos)
        << html;
  }
}

TEST(Record, CopiesShowCallNumberAndStateAndTheHoldsAreCounted) {
  Devices d;
  FakeSessionLinks links;
  Context pc{d.pc, links, "出水市立図書館"};
  RecordView v;
  v.id = 401;
  v.title = "広辞苑";
  v.authors = {{"新村出", "編"}};
  v.copies = {{"中央図書館", "813.1 シ", "shelf", "", true},
              {"高尾野図書館", "813.1 シ", "loan", "12月15日(火)", false},
              {"野田図書館", "", "held", "", false}};
  v.holds = 2;
  const std::string html = RenderRecord(pc, v);
  EXPECT_NE(html.find("<dd><a href=\"/search?sid=S&amp;author=新村出\">新村出</a> 編</dd>"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("<li>中央図書館 請求記号 813.1 シ<br>館内のみ</li>"), std::string::npos)
      << html;
  EXPECT_NE(html.find("<li>高尾野図書館 請求記号 813.1 シ<br>貸出中（返却予定 12月15日(火)）</li>"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("<li>野田図書館<br>取置中</li>"), std::string::npos) << html;
  EXPECT_NE(html.find("<p>予約 2件</p>"), std::string::npos) << html;
  v.holds = 0;
  EXPECT_EQ(RenderRecord(pc, v).find("予約"), std::string::npos) << "no holds, no line";
}

TEST(Record, EachAuthorAndEachSubjectIsALinkThatSearchesIt) {
  Devices d;
  FakeSessionLinks links;
  RecordView v;
  v.id = 7;
  v.title = "沈黙の春";
  v.authors = {{"レイチェル・カーソン", "著"}, {"青樹簗一", "訳"}};
  v.subjects = "環境問題 ; 農薬<毒性>";
  for (const Context& ctx :
       {Context{d.pc, links, "出水市立図書館"}, Context{d.docomo, links, "出水市立図書館"}}) {
    const std::string html = RenderRecord(ctx, v);
    EXPECT_NE(html.find("<dd><a href=\"/search?sid=S&amp;author=レイチェル・カーソン\">"
                        "レイチェル・カーソン</a> 著 ; "
                        "<a href=\"/search?sid=S&amp;author=青樹簗一\">青樹簗一</a> 訳</dd>"),
              std::string::npos)
        << html;
    EXPECT_NE(html.find("<dd><a href=\"/search?sid=S&amp;subject=環境問題\">環境問題</a> ; "
                        "<a href=\"/search?sid=S&amp;subject=農薬&lt;毒性&gt;\">"
                        "農薬&lt;毒性&gt;</a></dd>"),
              std::string::npos)
        << html;
  }
}

TEST(Style, SmallSheetLinkedForSmartphonesAndPcsOnly) {
  EXPECT_LT(StyleSheet().size(), 1536u) << "the budget of the one stylesheet";
  EXPECT_NE(StyleSheet().find("prefers-color-scheme:dark"), std::string_view::npos);
  EXPECT_NE(StyleSheet().find("min-height:44px"), std::string_view::npos);
  Devices d;
  FakeSessionLinks links;
  const std::string link = "<link rel=\"stylesheet\" href=\"/style.css\">";
  Context pc{d.pc, links, "出水市立図書館"};
  std::string page = RenderDisclaimer(pc);
  EXPECT_NE(page.find(link + "</head>"), std::string::npos) << page;
  // Landmarks for screen readers: banner, main, contentinfo.
  EXPECT_NE(page.find("<body><header><a href=\"/?sid=S\">出水市立図書館</a></header><main><h1>"),
            std::string::npos)
      << page;
  EXPECT_NE(page.find("</main><footer><hr>"), std::string::npos) << page;
  EXPECT_EQ(RenderTop(pc, {}).find("<header>"), std::string::npos)
      << "the name is the top page's h1";
  for (const Device* phone : {&d.docomo, &d.au}) {
    std::string p = RenderDisclaimer(Context{*phone, links, "出水市立図書館"});
    EXPECT_EQ(p.find("<link"), std::string::npos) << "not a byte of it for feature phones";
    EXPECT_EQ(p.find("<header>"), std::string::npos);
    EXPECT_EQ(p.find("<main>"), std::string::npos) << "no landmark bytes for feature phones";
  }
  std::string off = RenderMaintenance(pc);
  EXPECT_EQ(off.find("<link"), std::string::npos) << "the notice links nowhere";
  EXPECT_NE(off.find("<header>出水市立図書館</header>"), std::string::npos);
}

}  // namespace
}  // namespace shiori::pages

namespace shiori::pages {
namespace {

TEST(Qr, SmartphonesAndPcsGetTheQrCodeOfThePageAndPhonesDoNot) {
  Device pc, phone;
  phone.keypad = phone.accesskey_labels = true;
  class PlainLinks : public Links {
   public:
    std::string Url(std::string_view path, const Query&) const override {
      return std::string(path);
    }
    void FormFields(Html&, bool) const override {}
    std::string ExitUrl(std::string_view url) const override { return std::string(url); }
  } links;
  Context with_url{pc, links, "L", "/disclaimer", "http://opac.example.jp/disclaimer"};
  const std::string html = RenderDisclaimer(with_url);
  const size_t at = html.find("<svg class=\"qr\"");
  ASSERT_NE(at, std::string::npos);
  EXPECT_NE(html.find("aria-label=\"このページのQRコード\"", at), std::string::npos);
  EXPECT_NE(html.find("<path fill=\"#000\" d=\"M", at), std::string::npos);
  Context on_phone{phone, links, "L", "/disclaimer", "http://opac.example.jp/disclaimer"};
  EXPECT_EQ(RenderDisclaimer(on_phone).find("<svg"), std::string::npos) << "not a byte for phones";
  Context without{pc, links, "L", "/disclaimer"};
  EXPECT_EQ(RenderDisclaimer(without).find("<svg"), std::string::npos);
}

}  // namespace
}  // namespace shiori::pages

namespace shiori::pages {
namespace {

TEST(MailText, NoticesNameTheDeviceTheDateAndTheLink) {
  const MailText hold =
      HoldReadyMail("銀河鉄道の夜 上", "野田図書館", "12月8日(火)", "出水市立図書館", "http://x");
  EXPECT_EQ(hold.subject, "予約資料のご用意ができました");
  EXPECT_NE(hold.body.find("■取置期限\n12月8日(火)まで\n"), std::string::npos) << hold.body;
  EXPECT_NE(hold.body.find("http://x/account/ready\n\n出水市立図書館\n"), std::string::npos);
  const struct {
    const char* device_class;
    const char* shown;
  } devices[] = {{"feature", "携帯電話"},
                 {"smartphone", "スマートフォン"},
                 {"tablet", "タブレット"},
                 {"pc", "パソコン"},
                 {"", "不明"},
                 {"robot", "不明"}};
  for (const auto& d : devices) {
    SCOPED_TRACE(d.device_class);
    const MailText t = PasswordNoticeMail(false, "12月1日(火) 09:00", d.device_class, "L", "u");
    EXPECT_NE(t.body.find(std::string("端末: ") + d.shown + "\n"), std::string::npos) << t.body;
    EXPECT_NE(t.body.find("日時: 12月1日(火) 09:00\n"), std::string::npos);
  }
  EXPECT_NE(EmailChangedMail(false, "w", "L", "u").body.find("u/account\n"), std::string::npos);
}

}  // namespace
}  // namespace shiori::pages
