// Unit tests of the staff side's patron pages (pages/patrons.h): a list shows
// a card by its last four digits only and the patron's page the whole
// number; which forms a patron's state offers, each carrying the id; one
// field focused (the refused form's); what was typed shown back, escaped.
#include "pages/patrons.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/unit/staff_pages_fixture.h"

namespace shiori::pages {
namespace {

using testing::Count;
using testing::FakeStaffLinks;

class PatronsPages : public ::testing::Test {
 protected:
  StaffContext Ctx(std::string_view path) const {
    return StaffContext{links_, "出水市立図書館", path, "窓口 太郎", "野田図書館", menu_};
  }
  PatronDetailView Detail(const std::string& status) const {
    PatronDetailView v;
    v.id = 7;
    v.card = "1000000033";
    v.name_kana = "ノダ ショウタ";
    v.phone = "0996-84-3333";
    v.home_branch = "野田図書館";
    v.status = status;
    v.block_reason = status == "blocked" ? "長期延滞" : "";
    v.change = {"", v.name_kana, v.phone, "", "noda"};
    v.branches = {{"chuo", "中央図書館"}, {"noda", "野田図書館"}};
    return v;
  }
  FakeStaffLinks links_;
  std::vector<StaffMenuItem> menu_ = {{"/staff", "ダッシュボード"}, {"/staff/patrons", "利用者"}};
};

TEST_F(PatronsPages, AListShowsTheLastFourDigitsAndLinksEachPatronsPage) {
  PatronSearchView v;
  v.query = "のだ";
  v.searched = true;
  v.lines = {{7, "1000000033", "ノダ ショウタ", "野田図書館", "active"},
             {8, "1000000099", "ノダ ハナ", "", "blocked"},
             {9, "2000000011", "ノダ マサル", "中央図書館", "expired"}};
  const std::string page = RenderPatronSearch(Ctx("/staff/patrons"), v);
  EXPECT_EQ(Count(page, "<h1>"), 1u);
  EXPECT_EQ(Count(page, "autofocus"), 1u);
  EXPECT_NE(page.find("<a href=\"/staff/patrons\" aria-current=\"page\">利用者</a>"),
            std::string::npos);
  EXPECT_NE(page.find("value=\"のだ\""), std::string::npos) << "the query stays in the field";
  for (const char* whole : {"1000000033", "1000000099", "2000000011"}) {
    EXPECT_EQ(page.find(whole), std::string::npos) << whole;
  }
  EXPECT_NE(page.find("<tr><td><a href=\"/staff/patron?id=7\">……0033</a></td><td><a "
                      "href=\"/staff/patron?id=7\">ノダ ショウタ</a></td><td>野田図書館</td>"
                      "<td>利用可</td></tr>"),
            std::string::npos)
      << page;
  EXPECT_NE(page.find("<td>なし</td><td class=\"refused\">利用停止中</td>"), std::string::npos);
  EXPECT_NE(page.find("<td class=\"refused\">有効期限切れ</td>"), std::string::npos);
  EXPECT_NE(page.find("検索結果（3人）"), std::string::npos);
  EXPECT_EQ(page.find("最初の"), std::string::npos);

  v.more = true;
  v.limit = 3;
  const std::string more = RenderPatronSearch(Ctx("/staff/patrons"), v);
  EXPECT_NE(more.find("検索結果（3人以上）"), std::string::npos);
  EXPECT_NE(more.find("最初の3人を表示しています。氏名をもう少し入力してください。"),
            std::string::npos);

  // Nothing searched: the form and 新規登録 only; nothing found: said so.
  const std::string blank = RenderPatronSearch(Ctx("/staff/patrons"), {});
  EXPECT_EQ(blank.find("<table"), std::string::npos);
  EXPECT_EQ(blank.find("該当"), std::string::npos);
  EXPECT_NE(blank.find("<a href=\"/staff/patron/new\">新規登録</a>"), std::string::npos);
  PatronSearchView none;
  none.searched = true;
  EXPECT_NE(RenderPatronSearch(Ctx("/staff/patrons"), none).find("該当する利用者はいません。"),
            std::string::npos);

  // A replaced number: the patron under the current card, and no count.
  PatronSearchView replaced;
  replaced.searched = replaced.replaced = true;
  replaced.lines = {{8, "1000000066", "サツマ ジュンイチ", "", "active"}};
  const std::string old = RenderPatronSearch(Ctx("/staff/patrons"), replaced);
  EXPECT_NE(old.find("このカードの現在の利用者"), std::string::npos);
  EXPECT_NE(old.find("<a href=\"/staff/patron?id=8\">……0066</a>"), std::string::npos);
  EXPECT_EQ(old.find("検索結果"), std::string::npos);
}

TEST_F(PatronsPages, ThePatronsPageHasTheWholeNumberAndTheFormsItsStateAllows) {
  struct Case {
    std::string status;
    bool block, unblock;
    std::string state;
  };
  const Case cases[] = {
      {"active", true, false, "<dd>利用可</dd>"},
      {"blocked", false, true, "<dd class=\"refused\">利用停止中（理由: 長期延滞）</dd>"},
      {"expired", false, false, "<dd class=\"refused\">有効期限切れ</dd>"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.status);
    const std::string page = RenderPatronDetail(Ctx("/staff/patron"), Detail(c.status));
    EXPECT_EQ(Count(page, "<h1>"), 1u);
    EXPECT_NE(page.find("<dt>カード番号</dt><dd>1000000033</dd>"), std::string::npos);
    EXPECT_NE(page.find(c.state), std::string::npos) << page;
    EXPECT_EQ(page.find("action=\"/staff/patron/block\"") != std::string::npos, c.block);
    EXPECT_EQ(page.find("action=\"/staff/patron/unblock\"") != std::string::npos, c.unblock);
    EXPECT_NE(page.find("<a href=\"/staff/checkout?card=1000000033\">この利用者の貸出</a>"),
              std::string::npos);
    // Every form: the token, then the patron's id; never the card.
    const size_t forms = Count(page, "<form action=\"/staff/patron/");
    EXPECT_EQ(forms, c.block || c.unblock ? 4u : 3u);
    EXPECT_EQ(Count(page,
                    "<input type=\"hidden\" name=\"_t\" value=\"TOKEN\"><input "
                    "type=\"hidden\" name=\"id\" value=\"7\">"),
              forms);
    EXPECT_EQ(page.find("name=\"card\""), std::string::npos);
    EXPECT_EQ(Count(page, "autofocus"), 1u);
  }
}

TEST_F(PatronsPages, TheRefusedFormTakesTheFocusAndShowsWhatWasTypedEscaped) {
  PatronDetailView v = Detail("active");
  v.outcome = {"利用停止の理由に使えない文字が含まれています。", true};
  v.reason = "<b>延滞</b>";
  v.focus = PatronDetailView::Focus::kBlock;
  std::string page = RenderPatronDetail(Ctx("/staff/patron"), v);
  EXPECT_NE(page.find("<p role=\"status\" class=\"refused\">利用停止の理由に"), std::string::npos);
  EXPECT_NE(page.find("<input name=\"reason\" type=\"text\" value=\"&lt;b&gt;延滞&lt;/b&gt;\" "
                      "autocomplete=\"off\" required autofocus>"),
            std::string::npos)
      << page;
  EXPECT_EQ(Count(page, "autofocus"), 1u);

  v = Detail("active");
  v.new_card = "1000000011";
  v.focus = PatronDetailView::Focus::kReplace;
  page = RenderPatronDetail(Ctx("/staff/patron"), v);
  EXPECT_NE(page.find("<input name=\"new_card\" type=\"text\" value=\"1000000011\" "
                      "autocomplete=\"off\" required autofocus>"),
            std::string::npos);
  EXPECT_EQ(Count(page, "autofocus"), 1u);

  // The 変更届 by default, with the patron's fields and a branch of none.
  v = Detail("active");
  v.change.email = "\"x\"@example.jp";
  page = RenderPatronDetail(Ctx("/staff/patron"), v);
  EXPECT_NE(page.find("<input name=\"name_kana\" type=\"text\" value=\"ノダ ショウタ\" "
                      "autocomplete=\"off\" required autofocus>"),
            std::string::npos);
  EXPECT_NE(page.find("value=\"&quot;x&quot;@example.jp\""), std::string::npos);
  EXPECT_NE(page.find("<select name=\"home_branch\"><option value=\"\">なし</option><option "
                      "value=\"chuo\">中央図書館</option><option value=\"noda\" "
                      "selected>野田図書館</option></select>"),
            std::string::npos)
      << page;
}

TEST_F(PatronsPages, TheApplicationFocusesTheCardAndKeepsWhatWasTyped) {
  PatronNewView v;
  v.outcome = {"カード番号はすでに登録されています。", true};
  v.fields = {"2000000077", "ミナミ <ハナコ>", "0996-11-2222", "", "noda"};
  v.branches = {{"chuo", "中央図書館"}, {"noda", "野田図書館"}};
  const std::string page = RenderPatronNew(Ctx("/staff/patron/new"), v);
  EXPECT_EQ(Count(page, "<h1>"), 1u);
  EXPECT_EQ(Count(page, "autofocus"), 1u);
  EXPECT_NE(page.find("<form action=\"/staff/patron/new\" method=\"post\"><input type=\"hidden\" "
                      "name=\"_t\" value=\"TOKEN\"><p><label>カード番号 <input name=\"card\" "
                      "type=\"text\" value=\"2000000077\" autocomplete=\"off\" required "
                      "autofocus></label></p>"),
            std::string::npos)
      << page;
  EXPECT_NE(page.find("value=\"ミナミ &lt;ハナコ&gt;\""), std::string::npos);
  EXPECT_NE(
      page.find("<label>メールアドレス（任意） <input name=\"email\" type=\"text\" value=\"\" "
                "autocomplete=\"off\"></label>"),
      std::string::npos)
      << "optional";
  EXPECT_NE(page.find("<select name=\"home_branch\"><option value=\"chuo\">中央図書館</option>"
                      "<option value=\"noda\" selected>野田図書館</option></select>"),
            std::string::npos)
      << "no なし for a new card";
}

TEST(PatronStateName, NamesEachState) {
  EXPECT_EQ(PatronStateName("active"), "利用可");
  EXPECT_EQ(PatronStateName("blocked"), "利用停止中");
  EXPECT_EQ(PatronStateName("expired"), "有効期限切れ");
  EXPECT_EQ(PatronStateName("other"), "other");
}

TEST(StaffActionName, NamesThePatronActions) {
  EXPECT_EQ(StaffActionName("patron_find"), "利用者の検索");
  EXPECT_EQ(StaffActionName("patron_register"), "利用者の登録");
  EXPECT_EQ(StaffActionName("patron_change"), "変更届");
  EXPECT_EQ(StaffActionName("patron_block"), "利用停止");
  EXPECT_EQ(StaffActionName("patron_unblock"), "利用停止の解除");
  EXPECT_EQ(StaffActionName("patron_replace"), "カード再発行");
  EXPECT_EQ(StaffActionName("patron_unlock"), "ログイン制限の解除");
}

}  // namespace
}  // namespace shiori::pages
