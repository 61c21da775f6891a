// The counter's pages of the back office (pages/counter.h), in the staff
// frame of staff_layout.h.
#include "pages/counter.h"

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "pages/staff_layout.h"

namespace shiori::pages {
namespace {

using detail::StaffField;
using detail::StaffFormView;

// A one-button POST form for a line of a list: hidden `fields`, the button's
// words, and its name for screen readers (the words and the line's title).
void LineButton(Html& h, const StaffContext& ctx, std::string_view action,
                std::initializer_list<std::pair<std::string_view, std::string>> fields,
                std::string_view words, const std::string& label) {
  h.Open("form", {{"action", ctx.links.Url(action)}, {"method", "post"}, {"class", "line"}});
  ctx.links.FormFields(h, true);
  for (const auto& [name, value] : fields) {
    h.Void("input", {{"type", "hidden"}, {"name", name}, {"value", value}});
  }
  h.Element("button", words, {{"type", "submit"}, {"aria-label", label}});
  h.Close();
}

// What became of the copies of the last scan: one section each, headed by
// its kind, with the 取置票 to print or copy onto a slip.
void Fates(Html& h, const std::vector<CopyFateView>& fates) {
  for (const auto& f : fates) {
    h.Open("section", {{"class", "fate"}});
    h.Element("h2", f.kind);
    h.Element("p", f.text);
    if (!f.slip.empty()) {
      h.Open("div", {{"class", "slip"}});
      h.Element("h3", "取置票");
      h.Open("ul");
      for (const auto& line : f.slip) h.Element("li", line);
      h.Close().Close();
    }
    h.Close();
  }
}

void Table(Html& h, std::initializer_list<const char*> columns) {
  h.Open("table").Open("thead").Open("tr");
  for (const char* c : columns) h.Element("th", c, {{"scope", "col"}});
  h.Close().Close().Open("tbody");
}

void BarcodeForm(Html& h, const StaffContext& ctx, std::string_view action,
                 std::string_view button) {
  StaffFormView f;
  f.action = std::string(action);
  f.button = std::string(button);
  f.fields.push_back({"barcode", "資料のバーコード", "", StaffField::Kind::kText, {}, "off", true});
  detail::StaffForm(h, ctx, f);
}

}  // namespace

std::string RenderCheckout(const StaffContext& ctx, const CheckoutView& v) {
  Html h;
  detail::BeginStaffPage(h, ctx, "貸出", v.outcome);
  if (!v.has_patron) {
    StaffFormView f;
    f.action = "/staff/checkout";
    f.button = "利用者を表示";
    f.post = false;
    f.fields.push_back(
        {"card", "利用者カード番号", v.card, StaffField::Kind::kText, {}, "off", true});
    detail::StaffForm(h, ctx, f);
    return detail::EndStaffPage(h, ctx);
  }
  const CheckoutPatronView& p = v.patron;
  if (p.usable) {
    StaffFormView f;
    f.action = "/staff/checkout";
    f.button = "貸出";
    f.fields.push_back({"card", "", p.card, StaffField::Kind::kHidden});
    f.fields.push_back(
        {"barcode", "資料のバーコード", "", StaffField::Kind::kText, {}, "off", true});
    detail::StaffForm(h, ctx, f);
  }
  Fates(h, v.fates);
  h.Open("section", {{"class", "patron"}});
  h.Element("h2", "利用者");
  h.Open("dl");
  h.Element("dt", "カード番号").Element("dd", p.card);
  h.Element("dt", "氏名（カナ）").Element("dd", p.name_kana);
  h.Element("dt", "登録館").Element("dd", p.home_branch.empty() ? "なし" : p.home_branch);
  h.Element("dt", "状態").Element("dd", p.state, {{"class", p.usable ? "" : "refused"}});
  h.Close();
  h.Close();

  h.Open("section");
  h.Element("h2", "貸出中（" + std::to_string(p.loans.size()) + "冊）");
  if (p.loans.empty()) {
    h.Element("p", "貸出中の資料はありません。");
  } else {
    Table(h, {"資料名", "バーコード", "返却期限", "延長"});
    for (const auto& l : p.loans) {
      h.Open("tr");
      h.Element("td", l.title).Element("td", l.barcode);
      h.Element("td", l.overdue ? l.due + " 延滞" : l.due, {{"class", l.overdue ? "refused" : ""}});
      h.Open("td");
      LineButton(h, ctx, "/staff/renew", {{"card", p.card}, {"barcode", l.barcode}}, "延長",
                 "「" + l.title + "」を延長");
      h.Close().Close();
    }
    h.Close().Close();  // tbody, table
  }
  h.Close();

  h.Open("section");
  h.Element("h2", "予約（" + std::to_string(p.holds.size()) + "件）");
  if (p.holds.empty()) {
    h.Element("p", "予約はありません。");
  } else {
    Table(h, {"資料名", "受取館", "状態", "取消"});
    for (const auto& x : p.holds) {
      h.Open("tr");
      h.Element("td", x.title).Element("td", x.branch);
      h.Element("td", x.ready_here ? x.state + "（この館の取置棚）" : x.state);
      h.Open("td");
      LineButton(h, ctx, "/staff/hold/cancel",
                 {{"card", p.card}, {"hold", std::to_string(x.hold_id)}}, "取消",
                 "「" + x.title + "」の予約を取消");
      h.Close().Close();
    }
    h.Close().Close();
  }
  h.Close();
  h.Open("p")
      .Open("a", {{"href", ctx.links.Url("/staff/checkout")}})
      .Text("別の利用者の貸出")
      .Close()
      .Close();
  return detail::EndStaffPage(h, ctx);
}

std::string RenderCheckin(const StaffContext& ctx, const ScanView& v) {
  Html h;
  detail::BeginStaffPage(h, ctx, "返却", v.outcome);
  BarcodeForm(h, ctx, "/staff/checkin", "返却");
  Fates(h, v.fates);
  return detail::EndStaffPage(h, ctx);
}

std::string RenderReceive(const StaffContext& ctx, const ScanView& v) {
  Html h;
  detail::BeginStaffPage(h, ctx, "回送受入", v.outcome);
  BarcodeForm(h, ctx, "/staff/receive", "受入");
  Fates(h, v.fates);
  h.Open("section");
  h.Element("h2", "この館へ回送中（" + std::to_string(v.incoming.size()) + "冊）");
  if (v.incoming.empty()) {
    h.Element("p", "この館へ回送中の資料はありません。");
  } else {
    Table(h, {"資料名", "バーコード", "発送元（所蔵館）", "用途"});
    for (const auto& l : v.incoming) {
      h.Open("tr");
      h.Element("td", l.title).Element("td", l.barcode).Element("td", l.from_branch);
      h.Element("td", l.for_whom);
      h.Close();
    }
    h.Close().Close();
  }
  h.Close();
  return detail::EndStaffPage(h, ctx);
}

std::string RenderPullList(const StaffContext& ctx, const PullView& v) {
  Html h;
  detail::BeginStaffPage(h, ctx, "予約資料の準備", v.outcome);
  Fates(h, v.fates);
  if (v.lines.empty()) {
    h.Element("p", "この館の書架から準備する予約資料はありません。");
    return detail::EndStaffPage(h, ctx);
  }
  h.Element(
      "p",
      "予約の古い順です。書架で見つけたら「確保」、なければ「見つからない」を押してください。");
  Table(h, {"資料名", "請求記号", "バーコード", "受取館", "予約日", "操作"});
  for (const auto& l : v.lines) {
    h.Open("tr");
    h.Element("td", l.title).Element("td", l.call_number).Element("td", l.barcode);
    h.Element("td", l.pickup_branch).Element("td", l.placed_on);
    h.Open("td");
    LineButton(h, ctx, "/staff/pull", {{"barcode", l.barcode}, {"found", "1"}}, "確保",
               "「" + l.title + "」を確保");
    LineButton(h, ctx, "/staff/pull", {{"barcode", l.barcode}, {"found", "0"}}, "見つからない",
               "「" + l.title + "」が見つからない");
    h.Close().Close();
  }
  h.Close().Close();
  return detail::EndStaffPage(h, ctx);
}

std::string RenderHoldShelf(const StaffContext& ctx, const ShelfView& v) {
  Html h;
  detail::BeginStaffPage(h, ctx, "取置棚", v.outcome);
  if (v.lines.empty()) {
    h.Element("p", "この館の取置棚に予約資料はありません。");
    return detail::EndStaffPage(h, ctx);
  }
  if (v.expired > 0) {
    h.Element("p", "引取期限を過ぎた予約が" + std::to_string(v.expired) +
                       "件あります。毎日の処理で取り消され、資料は次の予約へ回ります。");
    StaffFormView f;
    f.action = "/staff/shelf/expire";
    f.button = "期限切れの予約を今すぐ処理";
    f.autofocus = false;
    detail::StaffForm(h, ctx, f);
  }
  Table(h, {"資料名", "バーコード", "カード", "氏名（カナ）", "連絡方法", "取置日", "引取期限"});
  for (const auto& l : v.lines) {
    h.Open("tr");
    h.Element("td", l.title).Element("td", l.barcode).Element("td", l.card_tail);
    h.Element("td", l.name_kana).Element("td", l.contact).Element("td", l.ready_on);
    h.Element("td", l.expired ? l.deadline + " 期限切れ" : l.deadline,
              {{"class", l.expired ? "refused" : ""}});
    h.Close();
  }
  h.Close().Close();
  return detail::EndStaffPage(h, ctx);
}

std::string RenderPhoneList(const StaffContext& ctx, const CallsView& v) {
  Html h;
  detail::BeginStaffPage(h, ctx, "電話連絡", v.outcome);
  if (v.lines.empty()) {
    h.Element("p", "電話で連絡する予約はありません。");
    return detail::EndStaffPage(h, ctx);
  }
  h.Element("p",
            "用意ができた予約のうち、電話で連絡するものです。つながったら「連絡済」、出なければ「不"
            "在」を押してください。");
  Table(h,
        {"資料名", "カード", "氏名（カナ）", "電話番号", "引取期限", "理由", "これまで", "操作"});
  for (const auto& l : v.lines) {
    h.Open("tr");
    h.Element("td", l.title).Element("td", l.card_tail).Element("td", l.name_kana);
    h.Element("td", l.phone).Element("td", l.deadline).Element("td", l.why);
    h.Element("td", l.attempts.empty() ? "未連絡" : l.attempts);
    h.Open("td");
    const std::string hold = std::to_string(l.hold_id);
    LineButton(h, ctx, "/staff/calls", {{"hold", hold}, {"reached", "1"}}, "連絡済",
               "「" + l.title + "」連絡済");
    LineButton(h, ctx, "/staff/calls", {{"hold", hold}, {"reached", "0"}}, "不在",
               "「" + l.title + "」不在");
    h.Close().Close();
  }
  h.Close().Close();
  return detail::EndStaffPage(h, ctx);
}

std::string RenderOverdue(const StaffContext& ctx, const OverdueView& v) {
  Html h;
  detail::BeginStaffPage(h, ctx, "延滞");
  if (v.lines.empty()) {
    h.Element("p", "この館で貸し出した資料に延滞はありません。");
    return detail::EndStaffPage(h, ctx);
  }
  h.Element("p", "この館で貸し出し、返却期限を過ぎている資料です。延滞の長い順です。");
  Table(h, {"資料名", "バーコード", "カード", "氏名（カナ）", "電話番号", "返却期限", "延滞"});
  for (const auto& l : v.lines) {
    h.Open("tr");
    h.Element("td", l.title).Element("td", l.barcode).Element("td", l.card_tail);
    h.Element("td", l.name_kana).Element("td", l.phone).Element("td", l.due);
    h.Element("td", std::to_string(l.days) + "日");
    h.Close();
  }
  h.Close().Close();
  return detail::EndStaffPage(h, ctx);
}

}  // namespace shiori::pages
