// The back office's patron pages (pages/patrons.h): 利用者, 利用者の詳細 and
// 新規登録, in the staff frame of staff_layout.h.
#include "pages/patrons.h"

#include <string>
#include <string_view>

#include "pages/staff_layout.h"

namespace shiori::pages {
namespace {

using detail::StaffField;
using detail::StaffFormView;

// The patron's page, for a link.
std::string PatronUrl(const StaffContext& ctx, int64_t id) {
  return ctx.links.Url("/staff/patron", {{"id", std::to_string(id)}});
}

// The home branch select: the configured branches, and "なし" first when
// `with_none` (the 変更届 of a patron recorded without one keeps it so).
StaffField BranchField(const BranchOptions& branches, const std::string& value, bool with_none) {
  StaffField f{"home_branch", "登録館", value, StaffField::Kind::kSelect, {}};
  if (with_none) f.options.emplace_back("", "なし");
  for (const auto& b : branches) f.options.push_back(b);
  return f;
}

// The fields of a patron both the 変更届 and 新規登録 forms take.
void PersonFields(StaffFormView& f, const PatronFieldsView& v, const BranchOptions& branches,
                  bool with_none) {
  f.fields.push_back(
      {"name_kana", "氏名（カナ）", v.name_kana, StaffField::Kind::kText, {}, "off", true});
  f.fields.push_back({"phone", "電話番号", v.phone, StaffField::Kind::kText, {}, "off", true});
  f.fields.push_back({"email", "メールアドレス（任意）", v.email, StaffField::Kind::kText});
  f.fields.push_back(BranchField(branches, v.home_branch, with_none));
}

}  // namespace

std::string PatronStateName(std::string_view status) {
  if (status == "active") return "利用可";
  if (status == "blocked") return "利用停止中";
  if (status == "expired") return "有効期限切れ";
  return std::string(status);
}

std::string RenderPatronSearch(const StaffContext& ctx, const PatronSearchView& v) {
  Html h;
  detail::BeginStaffPage(h, ctx, "利用者", v.outcome);
  StaffFormView f;
  f.action = "/staff/patrons";
  f.button = "検索";
  f.post = false;
  f.fields.push_back(
      {"q", "カード番号または氏名（カナ）", v.query, StaffField::Kind::kText, {}, "off", true});
  detail::StaffForm(h, ctx, f);
  h.Open("p").Open("a", {{"href", ctx.links.Url("/staff/patron/new")}}).Text("新規登録").Close();
  h.Text("（利用者カードの申込み）").Close();
  if (!v.searched) return detail::EndStaffPage(h, ctx);

  if (v.lines.empty()) {
    h.Element("p", "該当する利用者はいません。");
    return detail::EndStaffPage(h, ctx);
  }
  h.Open("section");
  if (v.replaced) {
    h.Element("h2", "このカードの現在の利用者");
    h.Element("p", "古いカードは使えません。現在のカードで手続きしてください。");
  } else {
    h.Element("h2", "検索結果（" + std::to_string(v.lines.size()) + (v.more ? "人以上）" : "人）"));
  }
  if (v.more) {
    h.Element("p", "該当する利用者が多いため、読みの順に最初の" + std::to_string(v.limit) +
                       "人を表示しています。氏名をもう少し入力してください。");
  }
  h.Open("table").Open("thead").Open("tr");
  for (const char* c : {"カード", "氏名（カナ）", "登録館", "状態"}) {
    h.Element("th", c, {{"scope", "col"}});
  }
  h.Close().Close().Open("tbody");
  for (const auto& l : v.lines) {
    h.Open("tr");
    // Only the last four digits: the whole number is on the patron's page.
    h.Open("td").Open("a", {{"href", PatronUrl(ctx, l.id)}}).Text(CardTail(l.card)).Close().Close();
    h.Open("td").Open("a", {{"href", PatronUrl(ctx, l.id)}}).Text(l.name_kana).Close().Close();
    h.Element("td", l.home_branch.empty() ? "なし" : l.home_branch);
    if (l.status == "active") {
      h.Element("td", PatronStateName(l.status));
    } else {
      h.Element("td", PatronStateName(l.status), {{"class", "refused"}});
    }
    h.Close();
  }
  h.Close().Close();  // tbody, table
  h.Close();          // section
  return detail::EndStaffPage(h, ctx);
}

std::string RenderPatronDetail(const StaffContext& ctx, const PatronDetailView& v) {
  using Focus = PatronDetailView::Focus;
  Html h;
  detail::BeginStaffPage(h, ctx, "利用者の詳細", v.outcome);
  const std::string id = std::to_string(v.id);
  const bool active = v.status == "active";

  h.Open("section", {{"class", "patron"}});
  h.Element("h2", v.name_kana);
  h.Open("dl");
  h.Element("dt", "カード番号").Element("dd", v.card);
  h.Element("dt", "氏名（カナ）").Element("dd", v.name_kana);
  h.Element("dt", "電話番号").Element("dd", v.phone);
  h.Element("dt", "メールアドレス").Element("dd", v.email.empty() ? "なし" : v.email);
  h.Element("dt", "登録館").Element("dd", v.home_branch.empty() ? "なし" : v.home_branch);
  h.Element("dt", "状態");
  std::string state = PatronStateName(v.status);
  if (v.status == "blocked") {
    state += v.block_reason.empty() ? "（貸出・予約・ログインできません）"
                                    : "（理由: " + v.block_reason + "）";
  }
  if (active) {
    h.Element("dd", state);
  } else {
    h.Element("dd", state, {{"class", "refused"}});
  }
  h.Element("dt", "パスワード")
      .Element("dd",
               v.has_password ? "登録済み" : "未登録（利用照会の新規パスワード登録がまだです）");
  std::string loans = std::to_string(v.loans) + "冊";
  if (v.overdue > 0) loans += "（うち延滞" + std::to_string(v.overdue) + "冊）";
  std::string holds = std::to_string(v.holds) + "件";
  if (v.ready > 0) holds += "（うち取置中" + std::to_string(v.ready) + "件）";
  h.Element("dt", "貸出").Element("dd", loans);
  h.Element("dt", "予約").Element("dd", holds);
  h.Close();  // dl
  h.Open("p")
      .Open("a", {{"href", ctx.links.Url("/staff/checkout", {{"card", v.card}})}})
      .Text("この利用者の貸出")
      .Close()
      .Close();
  h.Close();  // section

  h.Open("section");
  h.Element("h2", "変更届");
  StaffFormView change;
  change.action = "/staff/patron/change";
  change.button = "変更";
  change.autofocus = v.focus == Focus::kChange;
  change.fields.push_back({"id", "", id, StaffField::Kind::kHidden});
  PersonFields(change, v.change, v.branches, true);
  detail::StaffForm(h, ctx, change);
  h.Close();

  h.Open("section");
  if (v.status == "blocked") {
    h.Element("h2", "利用停止の解除");
    StaffFormView unblock;
    unblock.action = "/staff/patron/unblock";
    unblock.button = "利用停止を解除";
    unblock.autofocus = false;
    unblock.fields.push_back({"id", "", id, StaffField::Kind::kHidden});
    detail::StaffForm(h, ctx, unblock);
  } else {
    h.Element("h2", "利用停止");
    if (active) {
      h.Element("p",
                "停止するとログイン・パスワード登録・予約・貸出ができなくなり、"
                "ログイン中の利用照会も終わります。");
      StaffFormView block;
      block.action = "/staff/patron/block";
      block.button = "利用停止";
      block.autofocus = v.focus == Focus::kBlock;
      block.fields.push_back({"id", "", id, StaffField::Kind::kHidden});
      block.fields.push_back(
          {"reason", "理由", v.reason, StaffField::Kind::kText, {}, "off", true});
      detail::StaffForm(h, ctx, block);
    } else {
      h.Element("p", "有効期限切れのカードは利用停止できません。");
    }
  }
  h.Close();

  h.Open("section");
  h.Element("h2", "カード再発行");
  h.Element("p",
            "紛失したカードの番号は使えなくなります。貸出・予約・パスワード・メールアドレスは"
            "新しいカードに引き継がれます。");
  StaffFormView replace;
  replace.action = "/staff/patron/replace";
  replace.button = "再発行";
  replace.autofocus = v.focus == Focus::kReplace;
  replace.fields.push_back({"id", "", id, StaffField::Kind::kHidden});
  replace.fields.push_back(
      {"new_card", "新しいカード番号", v.new_card, StaffField::Kind::kText, {}, "off", true});
  detail::StaffForm(h, ctx, replace);
  h.Close();

  h.Open("section");
  h.Element("h2", "ログイン制限の解除");
  h.Element("p",
            "パスワードを続けて間違えて利用照会にログインできなくなったときに使います。"
            "解除すると、正しいパスワードですぐにログインできます。");
  StaffFormView unlock;
  unlock.action = "/staff/patron/unlock";
  unlock.button = "ログイン制限を解除";
  unlock.autofocus = false;
  unlock.fields.push_back({"id", "", id, StaffField::Kind::kHidden});
  detail::StaffForm(h, ctx, unlock);
  h.Close();

  h.Open("p").Open("a", {{"href", ctx.links.Url("/staff/patrons")}}).Text("利用者の検索へ").Close();
  h.Close();
  return detail::EndStaffPage(h, ctx);
}

std::string RenderPatronNew(const StaffContext& ctx, const PatronNewView& v) {
  Html h;
  detail::BeginStaffPage(h, ctx, "新規登録", v.outcome);
  h.Element("p",
            "利用者カード申込書と住所の確認できるもの（運転免許証・健康保険証・学生証など）を"
            "見て入力してください。氏名はカタカナです。");
  StaffFormView f;
  f.action = "/staff/patron/new";
  f.button = "登録";
  f.fields.push_back(
      {"card", "カード番号", v.fields.card, StaffField::Kind::kText, {}, "off", true});
  PersonFields(f, v.fields, v.branches, false);
  detail::StaffForm(h, ctx, f);
  h.Open("p").Open("a", {{"href", ctx.links.Url("/staff/patrons")}}).Text("利用者の検索へ").Close();
  h.Close();
  return detail::EndStaffPage(h, ctx);
}

}  // namespace shiori::pages
