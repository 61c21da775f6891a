// Unit tests of the staff pages (pages/staff.h): the frame (Japanese, one h1,
// where the member works, the menu, the status region), the form helper, the
// escaping of what staff and patrons typed, and the card's last digits.
#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "pages/staff.h"
#include "tests/unit/staff_pages_fixture.h"

namespace shiori::pages {
namespace {

using testing::Count;
using testing::FakeStaffLinks;

class StaffPages : public ::testing::Test {
 protected:
  StaffContext Member(std::string_view path = "/staff") const {
    return StaffContext{links_, "出水市立図書館", path, "窓口 太郎", "野田図書館", menu_};
  }
  StaffContext Nobody() const {
    return StaffContext{links_, "出水市立図書館", "/staff/login", "", "", none_};
  }
  FakeStaffLinks links_;
  std::vector<StaffMenuItem> menu_ = {
      {"/staff", "ダッシュボード"}, {"/staff/checkout", "貸出"}, {"/staff/audit", "操作記録"}};
  std::vector<StaffMenuItem> none_;
};

TEST_F(StaffPages, EveryPageIsJapaneseWithOneH1AndWhereTheMemberWorks) {
  AuditView audit;
  audit.lines.push_back({"2027-01-15 10:00:00", "madoguchi", "野田図書館", "貸出", "……1234",
                         "2000000123", "成功", false, ""});
  const std::vector<std::string> pages = {
      RenderStaffDashboard(Member(), {}),
      RenderStaffAudit(Member("/staff/audit"), audit),
      RenderStaffError(Member(), "管理者だけが開けるページです", "このページは…"),
      RenderStaffLogin(Member("/staff/login"), {}),
  };
  for (const auto& page : pages) {
    SCOPED_TRACE(page.substr(0, 300));
    EXPECT_EQ(page.rfind("<!DOCTYPE html><html lang=\"ja\">", 0), 0u);
    EXPECT_EQ(Count(page, "<h1>"), 1u);
    EXPECT_NE(page.find("<strong>野田図書館で作業中</strong> 窓口 太郎"), std::string::npos);
    EXPECT_NE(page.find("<form action=\"/staff/logout\" method=\"post\"><input type=\"hidden\" "
                        "name=\"_t\" value=\"TOKEN\"><button type=\"submit\">ログアウト</button>"),
              std::string::npos);
    EXPECT_NE(page.find("<link rel=\"stylesheet\" href=\"/staff/style.css\">"), std::string::npos);
    EXPECT_NE(page.find("<nav aria-label=\"職員メニュー\">"), std::string::npos);
  }
  // Without a member: no name, no menu, no logout.
  const std::string login = RenderStaffLogin(Nobody(), {});
  EXPECT_EQ(login.find("作業中"), std::string::npos);
  EXPECT_EQ(login.find("<nav"), std::string::npos);
  EXPECT_EQ(login.find("/staff/logout"), std::string::npos);
}

TEST_F(StaffPages, TheMenuMarksThisPageAndTheDashboardLinksEveryOther) {
  const std::string home = RenderStaffDashboard(Member(), {});
  EXPECT_NE(home.find("<li><a href=\"/staff\" aria-current=\"page\">ダッシュボード</a></li>"),
            std::string::npos);
  EXPECT_NE(home.find("<ul class=\"pages\"><li><a href=\"/staff/checkout\">貸出</a></li>"
                      "<li><a href=\"/staff/audit\">操作記録</a></li></ul>"),
            std::string::npos);
  EXPECT_EQ(home.find("role=\"status\""), std::string::npos) << "no outcome, no region";
  StaffDashboardView v;
  v.outcome = {"貸出できません。", true};
  EXPECT_NE(RenderStaffDashboard(Member(), v)
                .find("<p role=\"status\" class=\"refused\">貸出できません。</p>"),
            std::string::npos);
}

TEST_F(StaffPages, AFormFocusesItsFirstFieldCarriesTheTokenAndSubmitsOnEnter) {
  StaffLoginView v;
  v.login = "madoguchi";
  v.branch = "noda";
  v.branches = {{"chuo", "中央図書館"}, {"noda", "野田図書館"}};
  v.next = "/staff/audit";
  const std::string page = RenderStaffLogin(Nobody(), v);
  EXPECT_EQ(Count(page, "autofocus"), 1u);
  EXPECT_NE(page.find("<form action=\"/staff/login\" method=\"post\"><input type=\"hidden\" "
                      "name=\"_t\" value=\"TOKEN\"><p><label>職員ID <input name=\"login\" "
                      "type=\"text\" value=\"madoguchi\" autocomplete=\"username\" required "
                      "autofocus></label></p>"),
            std::string::npos)
      << page;
  EXPECT_NE(page.find("<input name=\"password\" type=\"password\" "
                      "autocomplete=\"current-password\" required>"),
            std::string::npos)
      << "a password is never written back";
  EXPECT_NE(page.find("<option value=\"noda\" selected>野田図書館</option>"), std::string::npos);
  EXPECT_NE(page.find("<input type=\"hidden\" name=\"next\" value=\"/staff/audit\">"),
            std::string::npos);
  // One submit button in the form: Enter (or a scanner's) sends it from any field.
  const std::string form = page.substr(page.find("<form action=\"/staff/login\""));
  EXPECT_NE(form.substr(0, form.find("</form>")).find("<button type=\"submit\">ログイン</button>"),
            std::string::npos);
}

TEST_F(StaffPages, WhatStaffAndPatronsTypedIsEscaped) {
  const std::string name = "<script>alert(1)</script>\x1B[31m";
  StaffContext ctx{links_, "出水市立図書館", "/staff/audit", name, "野田\"図書館", menu_};
  AuditView v;
  v.lines.push_back({"2027-01-15 10:00:00", "<b>nobody</b>", "", "ログイン", "", "<i>",
                     "職員IDまたはパスワードが違います。", true, "接続元 \"x\" & y"});
  const std::string page = RenderStaffAudit(ctx, v);
  EXPECT_EQ(page.find("<script>"), std::string::npos);
  EXPECT_EQ(page.find("<b>"), std::string::npos);
  EXPECT_EQ(page.find("<i>"), std::string::npos);
  EXPECT_EQ(page.find('\x1B'), std::string::npos);
  EXPECT_NE(page.find("&lt;script&gt;alert(1)&lt;/script&gt;[31m"), std::string::npos);
  EXPECT_NE(page.find("野田&quot;図書館で作業中"), std::string::npos);
  EXPECT_NE(page.find("<td>接続元 &quot;x&quot; &amp; y</td>"), std::string::npos);
  EXPECT_NE(page.find("<td class=\"refused\">職員IDまたはパスワードが違います。</td>"),
            std::string::npos);
}

TEST_F(StaffPages, AListShowsOnlyACardsLastFourDigits) {
  EXPECT_EQ(CardTail("1000000011"), "……0011");
  EXPECT_EQ(CardTail("1234"), "1234");
  EXPECT_EQ(CardTail(""), "");
  EXPECT_EQ(StaffActionName("login"), "ログイン");
  EXPECT_EQ(StaffActionName("checkout"), "貸出");
  // Every action the counter pages and the staff commands audit has a name.
  for (const char* action :
       {"checkin", "renew", "receive", "pull", "missing", "expire", "call", "hold_cancel",
        "patron_find", "patron_block", "patron_unblock", "patron_replace"}) {
    EXPECT_NE(StaffActionName(action), action) << action;
  }
  EXPECT_EQ(StaffActionName("something_new"), "something_new");
}

TEST_F(StaffPages, TheAuditIsPagedNewestFirst) {
  AuditView v;
  v.page = 2;
  v.has_next = true;
  for (int i = 0; i < 100; ++i) v.lines.push_back({"t", "s", "", "貸出", "", "", "成功"});
  const std::string page = RenderStaffAudit(Member("/staff/audit"), v);
  EXPECT_NE(page.find("新しい順に101〜200件目"), std::string::npos);
  EXPECT_NE(page.find("<a href=\"/staff/audit?page=1\" rel=\"prev\">新しい記録へ</a>"),
            std::string::npos);
  EXPECT_NE(page.find("<a href=\"/staff/audit?page=3\" rel=\"next\">古い記録へ</a>"),
            std::string::npos);
  EXPECT_EQ(Count(page, "<tr><td>"), 100u);
  v.lines.clear();
  v.has_next = false;
  EXPECT_NE(RenderStaffAudit(Member("/staff/audit"), v).find("このページに記録はありません"),
            std::string::npos);
}

TEST_F(StaffPages, TheStylesheetIsSmall) { EXPECT_LT(StaffStyleSheet().size(), 2048u); }

}  // namespace
}  // namespace shiori::pages
