// 蔵書検索: the results list (paged to the device), the record page with its
// holdings, and the advanced search form.
#include <algorithm>
#include <string>
#include <string_view>

#include "pages/catalogue.h"
#include "pages/layout.h"

namespace shiori::pages {
namespace {

std::string Thousands(int n) {
  std::string s = std::to_string(n);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<size_t>(i), ",");
  return s;
}

// The one-field search form, as on the top page (key 1).
void SearchForm(Html& h, const Context& ctx, const std::string& query) {
  h.Open("form", {{"action", ctx.links.Url("/search")}, {"method", "get"}, {"role", "search"}});
  ctx.links.FormFields(h, false);
  h.Element("label", "蔵書検索", {{"for", "q"}});
  h.Void("br");
  std::vector<Attr> field = {{"type", "search"}, {"name", "q"},  {"id", "q"},
                             {"value", query},   {"size", "16"}, {"maxlength", "200"},
                             {"accesskey", "1"}};
  for (const Attr& a : ctx.device.InputAttrs(Input::kKana)) field.push_back(a);
  h.Void("input", field);
  h.Void("input", {{"type", "submit"}, {"value", "検索"}});
  h.Close();
}

Links::Query With(Links::Query q, const std::string& key, const std::string& value) {
  for (auto& [k, v] : q) {
    if (k == key) {
      v = value;
      return q;
    }
  }
  q.emplace_back(key, value);
  return q;
}

Links::Query Without(Links::Query q, const std::string& key) {
  Links::Query out;
  for (auto& kv : q) {
    if (kv.first != key) out.push_back(std::move(kv));
  }
  return out;
}

const char* StatusText(const std::string& s) {
  if (s == "shelf") return "在架";
  if (s == "loan") return "貸出中";
  if (s == "transit") return "回送中";
  if (s == "held") return "取置中";
  return "所在不明";
}

// 「予約 n件」: holds waiting or ready.
std::string HoldsText(int holds) { return "予約 " + std::to_string(holds) + "件"; }

bool EndsWith(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

// A branch's name without a trailing 図書館: 中央図書館 -> 中央.
std::string_view ShortBranch(std::string_view name) {
  if (EndsWith(name, "図書館") && name.size() > std::string_view("図書館").size()) {
    name.remove_suffix(std::string_view("図書館").size());
  }
  return name;
}

// 「書名: 坊っちゃん、所蔵館: 中央、在架のみ」: what the search asked besides
// the free words (which the search field shows), empty when nothing.
std::string Conditions(const ResultsView& v) {
  std::string out;
  auto add = [&](std::string_view label, std::string_view value) {
    if (!out.empty()) out += "、";
    out += label;
    if (!value.empty()) out += std::string(": ") + std::string(value);
  };
  if (!v.title.empty()) add("書名", v.title);
  if (!v.author.empty()) add("著者", v.author);
  if (!v.publisher.empty()) add("出版者", v.publisher);
  if (!v.subject.empty()) add("件名", v.subject);
  if (!v.isbn.empty()) add("ISBN", v.isbn);
  if (v.year_from || v.year_to) {
    std::string years;
    if (v.year_from) years += std::to_string(v.year_from) + "年";
    years += v.year_from && v.year_to ? "〜" : v.year_from ? "以降" : "";
    if (v.year_to) years += std::to_string(v.year_to) + "年" + (v.year_from ? "" : "まで");
    add("出版年", years);
  }
  for (const auto& [code, name] : v.branches) {
    if (code == v.branch) add("所蔵館", ShortBranch(name));
  }
  if (v.on_shelf) add("在架のみ", "");
  return out;
}

// 絞り込み: the words kept as hidden fields, the branch, the years and
// 在架のみ offered again (スマホ版 and PC版).
void NarrowForm(Html& h, const Context& ctx, const ResultsView& v) {
  h.Open("form", {{"action", ctx.links.Url("/search")}, {"method", "get"}});
  ctx.links.FormFields(h, false);
  for (const auto& [key, value] : v.params) {
    if (key == "branch" || key == "from" || key == "to" || key == "shelf" || key == "p") continue;
    h.Void("input", {{"type", "hidden"}, {"name", key}, {"value", value}});
  }
  h.Element("label", "所蔵館", {{"for", "n-branch"}});
  h.Text(" ");
  h.Open("select", {{"name", "branch"}, {"id", "n-branch"}});
  h.Element("option", "すべての館", {{"value", ""}});
  for (const auto& [code, name] : v.branches) {
    if (code == v.branch) {
      h.Element("option", name, {{"value", code}, {"selected", "", true}});
    } else {
      h.Element("option", name, {{"value", code}});
    }
  }
  h.Close();
  h.Void("br");
  const std::string from = v.year_from ? std::to_string(v.year_from) : "";
  const std::string to = v.year_to ? std::to_string(v.year_to) : "";
  auto year = [&](const char* name, const char* id, const char* label, const std::string& value) {
    h.Element("label", label, {{"for", id}});
    h.Text(" ");
    std::vector<Attr> a = {{"type", "text"}, {"name", name}, {"id", id},
                           {"value", value}, {"size", "4"},  {"maxlength", "4"}};
    for (const Attr& x : ctx.device.InputAttrs(Input::kDigits)) a.push_back(x);
    h.Void("input", a);
  };
  year("from", "n-from", "出版年（から）", from);
  h.Text(" ");
  year("to", "n-to", "出版年（まで）", to);
  h.Void("br");
  std::vector<Attr> shelf = {
      {"type", "checkbox"}, {"name", "shelf"}, {"value", "1"}, {"id", "n-shelf"}};
  if (v.on_shelf) shelf.push_back({"checked", "", true});
  h.Void("input", shelf);
  h.Element("label", "在架のものだけ", {{"for", "n-shelf"}});
  h.Void("br");
  h.Void("input", {{"type", "submit"}, {"value", "絞り込む"}});
  h.Close();
}

}  // namespace

std::string AuthorsText(const std::vector<AuthorView>& authors) {
  std::string out;
  for (const AuthorView& a : authors) {
    if (!out.empty()) out += " ; ";
    out += a.name;
    if (!a.role.empty()) out += " " + a.role;
  }
  return out;
}

std::string HoldingText(const HoldingView& b) {
  std::string out(ShortBranch(b.branch));
  // Lendable copies (or, with none, reference copies away from the shelf)
  // by the state a patron can act on first.
  if (b.lendable > 0 || b.in_library == 0) {
    out += ' ';
    if (b.on_shelf > 0) {
      out += "在架" + std::to_string(b.on_shelf) + "/" + std::to_string(b.lendable) + "冊";
    } else if (b.on_loan > 0) {
      out += "貸出中";
      if (!b.due.empty()) out += "（返却予定" + b.due + "）";
    } else if (b.held > 0) {
      out += "取置中";
    } else if (b.in_transit > 0) {
      out += "回送中";
    } else {
      out += "所在不明";
    }
  }
  if (b.in_library > 0) {
    out += " 館内のみ";
    if (b.lendable > 0 || b.in_library > 1) out += std::to_string(b.in_library) + "冊";
  }
  return out;
}

std::string RenderResults(const Context& ctx, const ResultsView& v) {
  Html h;
  detail::BeginPage(h, ctx, "検索結果");
  if (v.cart_added > 0) detail::CartAdded(h, ctx, v.cart_added);
  SearchForm(h, ctx, v.query);
  if (!v.message.empty()) {
    h.Element("p", v.message);
    h.Open("p");
    detail::KeyLink(h, ctx, ctx.links.Url("/search/advanced"), "詳しく探す（書名・著者・ISBN）",
                    '5');
    h.Close();
    return detail::EndPage(h, ctx, detail::Footer::kFull);
  }
  if (v.hits.empty() && v.offset == 0) {
    h.Element("p", "見つかりませんでした。");
    h.Open("ul");
    if (v.one_kana) {
      h.Element("li", "かなで探すときは、2文字以上で入力してください（例: ねこ）。");
    }
    h.Element("li", "漢字がわからないときは、ひらがなの読みでも探せます（例: なつめそうせき）。");
    h.Element("li", "ことばを短くするか、減らしてみてください。");
    h.Open("li");
    h.Text("ISBNや書名・著者名で探すときは");
    detail::KeyLink(h, ctx, ctx.links.Url("/search/advanced"), "詳しく探す", '5');
    h.Close();
    h.Close();
    return detail::EndPage(h, ctx);
  }
  if (v.hits.empty()) {
    // Past the last page: nothing to count from.
    h.Element("p", "このページには結果がありません。");
    h.Open("p");
    detail::KeyLink(h, ctx, ctx.links.Url("/search", v.params), "検索結果の最初のページへ", '4');
    h.Close();
    return detail::EndPage(h, ctx);
  }
  if (!v.did_you_mean.empty()) {
    h.Element("p", "入力されたことばでは見つかりませんでした。");
    h.Open("p").Text("もしかして: ");
    if (v.did_you_mean_link) {
      h.Open("a", {{"href",
                    ctx.links.Url("/search", With(Without(v.params, "p"), "q", v.did_you_mean))}})
          .Text(v.did_you_mean)
          .Close();
    } else {
      h.Element("strong", v.did_you_mean);
    }
    h.Close();
  }
  const int first = v.offset + 1;
  const int last = v.offset + static_cast<int>(v.hits.size());
  h.Open("p");
  h.Text(Thousands(v.total)).Text(v.capped ? "件以上" : "件");
  h.Text("（").Text(std::to_string(first)).Text("〜").Text(std::to_string(last)).Text("件目）");
  h.Text(" ");
  detail::KeyLink(h, ctx, ctx.links.Url("/search/advanced"), "詳しく探す", '5');
  h.Close();
  const std::string conditions = Conditions(v);
  if (!conditions.empty()) h.Element("p", "条件: " + conditions);
  if (!ctx.device.keypad && !v.branches.empty()) NarrowForm(h, ctx, v);
  // Sort order: the current one as text, the others as links.
  h.Open("p");
  const std::pair<const char*, const char*> sorts[] = {{"relevance", "関連順"},
                                                       {"newest", "新しい順"},
                                                       {"oldest", "古い順"},
                                                       {"title", "書名順"},
                                                       {"author", "著者順"}};
  bool sep = false;
  for (const auto& [key, label] : sorts) {
    if (sep) h.Text(" | ");
    sep = true;
    if (v.sort == key) {
      h.Element("strong", label);
    } else {
      h.Open("a", {{"href", ctx.links.Url("/search", With(Without(v.params, "p"), "sort", key))}})
          .Text(label)
          .Close();
    }
  }
  h.Close();
  h.Open("ol", {{"start", std::to_string(first)}});
  for (const auto& hit : v.hits) {
    h.Open("li");
    const std::string title = TitleWithVolume(hit.title, hit.volume);
    h.Open("a", {{"href", ctx.links.Url("/record", {{"id", std::to_string(hit.id)}})}})
        .Text(title)
        .Close();
    h.Void("br");
    std::string line = AuthorsText(hit.authors);
    if (!hit.publisher.empty()) line += (line.empty() ? "" : " ") + hit.publisher;
    if (hit.year) line += " " + std::to_string(hit.year);
    if (!line.empty()) h.Text(line).Void("br");
    // Where the copies are: a short line per branch, then the holds.
    bool first_line = true;
    auto next_line = [&] {
      if (!first_line) h.Void("br");
      first_line = false;
    };
    for (const HoldingView& b : hit.holdings) {
      next_line();
      h.Text(HoldingText(b));
    }
    if (hit.holdings.empty()) {
      next_line();
      h.Text("所蔵なし");
    }
    if (hit.holds > 0) {
      next_line();
      h.Text(HoldsText(hit.holds));
    }
    if (v.cart_buttons) {
      const bool in_cart = std::find(v.in_cart.begin(), v.in_cart.end(), hit.id) != v.in_cart.end();
      detail::CartButton(h, ctx, hit.id, v.back, in_cart);
    }
    h.Close();
  }
  h.Close();
  // 前へ (key 4) and 次へ (key 6), like the arrows on a phone's keypad; on
  // スマホ版 and PC版 the page numbers between them: the first, the last and
  // two either side of this one, this one as text.
  const bool prev = v.offset > 0;
  const bool next = last < v.total;
  if (prev || next) {
    auto at = [&](int offset) {
      return ctx.links.Url("/search", With(v.params, "p", std::to_string(offset)));
    };
    if (ctx.device.keypad) {
      h.Open("p");
    } else {
      h.Open("nav", {{"aria-label", "検索結果のページ"}});
    }
    if (prev) detail::KeyLink(h, ctx, at(std::max(0, v.offset - v.page_size)), "前へ", '4');
    if (!ctx.device.keypad && v.page_size > 0) {
      const int pages = (v.total + v.page_size - 1) / v.page_size;
      const int current = v.offset / v.page_size + 1;
      int shown = 0;  // the last number written
      for (int n = 1; n <= pages; ++n) {
        if (n != 1 && n != pages && (n < current - 2 || n > current + 2)) continue;
        if (prev || shown > 0) h.Text(" ");
        if (shown > 0 && n > shown + 1) h.Text("… ");
        shown = n;
        if (n == current && v.offset % v.page_size == 0) {
          h.Element("strong", std::to_string(n), {{"aria-current", "page"}});
        } else {
          h.Open("a", {{"href", at((n - 1) * v.page_size)}}).Text(std::to_string(n)).Close();
        }
      }
      if (next) h.Text(" ");
    } else if (prev && next) {
      h.Text(" ");
    }
    if (next) detail::KeyLink(h, ctx, at(last), "次へ", '6');
    h.Close();
  }
  return detail::EndPage(h, ctx);
}

std::string RenderRecord(const Context& ctx, const RecordView& v) {
  Html h;
  const std::string title = TitleWithVolume(v.title, v.volume);
  detail::BeginPage(h, ctx, title);
  if (v.cart_added > 0) detail::CartAdded(h, ctx, v.cart_added);
  h.Open("dl");
  auto field = [&](std::string_view label, std::string_view value) {
    detail::Fact(h, label, value);
  };
  field("書名ヨミ", v.title_kana);
  // Each author a link that searches them; the role (著, 訳 ...) stays text.
  if (!v.authors.empty()) {
    h.Element("dt", "著者");
    h.Open("dd");
    bool sep = false;
    for (const AuthorView& a : v.authors) {
      if (sep) h.Text(" ; ");
      sep = true;
      h.Open("a", {{"href", ctx.links.Url("/search", {{"author", a.name}})}}).Text(a.name).Close();
      if (!a.role.empty()) h.Text(" ").Text(a.role);
    }
    h.Close();
  }
  field("出版者", v.publisher);
  field("出版年", v.year);
  field("ISBN", v.isbn);
  field("分類", v.ndc);
  // Each heading (' ; ' apart) a link that searches it.
  if (!v.subjects.empty()) {
    h.Element("dt", "件名");
    h.Open("dd");
    std::string_view rest = v.subjects;
    bool sep = false;
    while (!rest.empty()) {
      const size_t at = rest.find(" ; ");
      std::string_view heading = rest.substr(0, at);
      rest = at == std::string_view::npos ? std::string_view() : rest.substr(at + 3);
      if (heading.empty()) continue;
      if (sep) h.Text(" ; ");
      sep = true;
      h.Open("a", {{"href", ctx.links.Url("/search", {{"subject", std::string(heading)}})}})
          .Text(heading)
          .Close();
    }
    h.Close();
  }
  field("注記", v.notes);
  h.Close();
  detail::CartButton(h, ctx, v.id, v.back, v.in_cart);
  h.Element("h2", "所蔵");
  if (v.copies.empty()) {
    h.Element("p", "この資料の所蔵はありません。");
  } else {
    h.Open("ul");
    for (const auto& c : v.copies) {
      h.Open("li");
      h.Text(c.branch);
      if (!c.call_number.empty()) h.Text(" 請求記号 ").Text(c.call_number);
      h.Void("br");
      h.Text(c.in_library && c.status == "shelf" ? "館内のみ" : StatusText(c.status));
      if (c.status == "loan" && !c.due.empty()) h.Text("（返却予定 ").Text(c.due).Text("）");
      h.Close();
    }
    h.Close();
  }
  if (v.holds > 0) h.Element("p", HoldsText(v.holds));
  return detail::EndPage(h, ctx);
}

std::string RenderAdvanced(const Context& ctx, const AdvancedView& v) {
  Html h;
  detail::BeginPage(h, ctx, "詳しく探す");
  h.Open("form", {{"action", ctx.links.Url("/search")}, {"method", "get"}});
  ctx.links.FormFields(h, false);
  h.Void("input", {{"type", "hidden"}, {"name", "adv"}, {"value", "1"}});
  auto text = [&](const char* name, const char* label, Input kind, const char* size) {
    const std::string id = std::string("f-") + name;
    h.Element("label", label, {{"for", id}});
    h.Void("br");
    std::vector<Attr> a = {
        {"type", "text"}, {"name", name}, {"id", id}, {"size", size}, {"maxlength", "200"}};
    for (const Attr& x : ctx.device.InputAttrs(kind)) a.push_back(x);
    h.Void("input", a);
    h.Void("br");
  };
  text("title", "書名", Input::kKana, "16");
  text("author", "著者名", Input::kKana, "16");
  text("publisher", "出版者", Input::kKana, "16");
  text("subject", "件名", Input::kKana, "16");
  text("isbn", "ISBN", Input::kDigits, "13");
  text("from", "出版年（から）", Input::kDigits, "4");
  text("to", "出版年（まで）", Input::kDigits, "4");
  h.Element("label", "所蔵館", {{"for", "f-branch"}});
  h.Void("br");
  h.Open("select", {{"name", "branch"}, {"id", "f-branch"}});
  h.Element("option", "すべての館", {{"value", ""}});
  for (const auto& [code, name] : v.branches) h.Element("option", name, {{"value", code}});
  h.Close();
  h.Void("br");
  h.Void("input", {{"type", "checkbox"}, {"name", "shelf"}, {"value", "1"}, {"id", "f-shelf"}});
  h.Element("label", "在架のものだけ", {{"for", "f-shelf"}});
  h.Void("br");
  h.Void("input", {{"type", "submit"}, {"value", "検索"}});
  h.Close();
  return detail::EndPage(h, ctx);
}

}  // namespace shiori::pages
