// pages: one pure renderer per page (view model + device in, UTF-8 HTML out),
// the escaping HTML builder they all use, and the interface through which the
// gateway gives them links and form fields. No SQL, no HTTP, no clock here.
//
// Thread-safety: renderers are pure functions; an Html builder belongs to one thread.
//
// Longer than a header should be (about 330 lines) for a reason: it is the
// list of every page, each a view struct and its Render function side by
// side, and reads best whole. Split it by area (catalogue, cart, account,
// staff) when the staff pages add theirs.
#ifndef SHIORI_PAGES_PAGES_H_
#define SHIORI_PAGES_PAGES_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace shiori::pages {

// ---------------------------------------------------------------- builder

// An attribute. `name` must be a literal from the page's code; `value` is
// escaped. A `bare` attribute is written without a value (selected, checked).
struct Attr {
  std::string_view name;
  std::string_view value;
  bool bare = false;
};

// Escapes `s` for HTML text and double-quoted attribute values: & < > " ',
// and leaves out the control characters of charset/charset.h (NUL, ESC, C1,
// bidi overrides and isolates, noncharacters) but TAB, LF and CR, so that
// text stored before the imports cleaned it still reaches no page raw.
std::string Escape(std::string_view s);

// A title as every page and notice names it: the title, then the volume
// (巻次) after a space when there is one: "銀河鉄道の夜 上".
std::string TitleWithVolume(std::string_view title, std::string_view volume);

// Builds HTML that is escaped by default. Tags are closed in order: Close()
// ends the innermost open element, Take() closes whatever is still open.
class Html {
 public:
  Html& Open(std::string_view tag, std::initializer_list<Attr> attrs = {});
  Html& Open(std::string_view tag, const std::vector<Attr>& attrs);
  Html& Close();
  // Closes every element up to and including the innermost open `tag`;
  // nothing when no `tag` is open.
  Html& CloseThrough(std::string_view tag);
  // An element without content: <br>, <hr>, <input>, <meta>, <link>.
  Html& Void(std::string_view tag, std::initializer_list<Attr> attrs = {});
  Html& Void(std::string_view tag, const std::vector<Attr>& attrs);
  // An SVG element without content, self-closed as SVG needs: <rect .../>.
  Html& Empty(std::string_view tag, std::initializer_list<Attr> attrs);
  Html& Text(std::string_view text);
  // Open + Text + Close.
  Html& Element(std::string_view tag, std::string_view text,
                std::initializer_list<Attr> attrs = {});
  // The markup of another builder (escaped as it was built), its open
  // elements closed first.
  Html& Append(Html&& part);
  // Markup written as is. Only for constant markup known at compile time
  // (the doctype).
  Html& RawTrusted(std::string_view markup);

  Html() { out_.reserve(4096); }
  size_t size() const { return out_.size(); }
  std::string Take();

 private:
  void WriteAttrs(const Attr* begin, const Attr* end);
  std::string out_;
  std::vector<std::string_view> open_;
};

// ---------------------------------------------------------------- device

// The kinds of text field whose keypad or input mode the device can choose.
enum class Input { kDigits, kKana, kAlpha };

// What a page needs to know of the device; the gateway fills it from the
// request's device profile. Attribute lists hold static strings.
struct Device {
  bool feature_phone = false;          // tiny screen, number keys, no CSS
  bool accesskey_labels = false;       // show [1] or the number-key emoji before main links
  bool accesskey_emoji = false;        // docomo: number keys as emoji (private use area)
  std::string_view charset = "UTF-8";  // the label of the bytes the gateway will send
  size_t budget_bytes = 0;             // largest page the device takes; 0: no limit
  // Input-mode attributes per kind of field (istyle, format, mode, inputmode ...).
  std::vector<Attr> digits, kana, alpha;
  const std::vector<Attr>& InputAttrs(Input k) const {
    return k == Input::kDigits ? digits : k == Input::kKana ? kana : alpha;
  }
};

// Links and forms. Implemented in the gateway: it adds the session id when the
// device needs it, the charset probe field and the CSRF token, so no page can
// forget them.
class Links {
 public:
  using Query = std::vector<std::pair<std::string, std::string>>;
  virtual ~Links() = default;
  // A same-site URL for `path` with UTF-8 `query` pairs, ready for an href.
  virtual std::string Url(std::string_view path, const Query& query = {}) const = 0;
  // Writes the hidden fields every form needs; `post` forms get the CSRF token.
  virtual void FormFields(Html& h, bool post) const = 0;
  // A link to an off-site `url` through the exit page, never carrying the
  // session id (so it cannot leak through Referer).
  virtual std::string ExitUrl(std::string_view url) const = 0;
};

// Everything a renderer gets besides its own view model.
struct Context {
  const Device& device;
  const Links& links;
  std::string_view library_name;
  std::string_view path = "/";  // the page being rendered, for "back" links
  // This page's absolute address without any session id, for the QR code
  // that smartphones and PCs show in the footer; empty: no QR code.
  std::string_view page_url = "";
};

// ---------------------------------------------------------------- pages

// 文字コード: lets the patron choose Shift_JIS or UTF-8 for this session.
struct CharsetView {
  bool shift_jis_now = false;
  std::string back;  // same-site path to return to
};
std::string RenderCharset(const Context& ctx, const CharsetView& v);

// 外部サイトへ: the exit page in front of an off-site link.
std::string RenderExit(const Context& ctx, std::string_view url);

// ---------------------------------------------------------------- 蔵書検索

struct HitView {
  int64_t id = 0;
  std::string title, volume, authors, publisher;
  int year = 0;
  int copies = 0, on_shelf = 0;
};

struct ResultsView {
  bool cart_buttons = false;  // a 「カートに入れる」 button per hit (not on tiny pages)
  std::string back;           // this page's path and query, for the cart to return to
  std::string query;          // the free words as typed, shown back
  Links::Query params;        // every search parameter, for paging and sort links
  std::string sort;           // relevance | newest | title
  std::string message;        // when set, shown instead of results (empty query, too long)
  bool one_kana = false;      // the query is one kana: it finds little (db::IsOneKanaQuery)
  std::vector<HitView> hits;
  int total = 0;
  bool capped = false;  // "total件以上"
  int offset = 0;
  int page_size = 20;
};
std::string RenderResults(const Context& ctx, const ResultsView& v);

struct CopyView {
  std::string branch, call_number;
  std::string status;  // shelf | loan | transit | held | missing
  std::string due;     // "12月15日(火)" when on loan
};

struct RecordView {
  std::string back;  // this page, for the cart to return to
  int64_t id = 0;
  std::string title, title_kana, volume, authors, publisher, year, isbn, ndc, subjects, notes;
  std::vector<CopyView> copies;
};
std::string RenderRecord(const Context& ctx, const RecordView& v);

struct AdvancedView {
  std::vector<std::pair<std::string, std::string>> branches;  // code, name
};
std::string RenderAdvanced(const Context& ctx, const AdvancedView& v);

// ---------------------------------------------------------------- カート・予約

struct CartLineView {
  int64_t id = 0;
  std::string title, authors;
};
struct CartView {
  std::string message;
  std::vector<CartLineView> items;
  int limit = 20;
  std::string back;  // the page the title was added from, for a way back
};
std::string RenderCart(const Context& ctx, const CartView& v);

struct ReserveView {
  std::vector<CartLineView> items;
  bool has_email = false;                                     // メール offered only then
  std::vector<std::pair<std::string, std::string>> branches;  // code, name; home branch first
  std::string branch, contact;                                // chosen (confirm step)
  std::string branch_name, contact_name;
  bool confirm = false;     // the second step: everything shown, one button
  std::string request_key;  // the confirmation's token: a second send places nothing
  std::string message;
};
std::string RenderReserve(const Context& ctx, const ReserveView& v);

struct ReserveLineView {
  std::string title;
  bool placed = false;
  int position = 0;
  bool on_shelf = false;  // a copy was on the shelf: ready in a few days
  std::string message;    // why not, when not placed
};
struct ReserveResultView {
  int pickup_days = 7;  // the library's rule, for the explanation
  std::vector<ReserveLineView> lines;
  std::string branch_name, contact_name;
};
std::string RenderReserveResult(const Context& ctx, const ReserveResultView& v);

// ---------------------------------------------------------------- 利用照会

struct LoginView {
  std::string card;     // shown back after a failure
  std::string message;  // why the last attempt failed, or a notice
  std::string next;     // same-site path to go to after the login (e.g. /reserve)
};
std::string RenderLogin(const Context& ctx, const LoginView& v);

struct AccountHomeView {
  std::string message;  // e.g. "パスワードを変更しました。"
  int loans = 0, overdue = 0, waiting = 0, ready = 0;
};
std::string RenderAccountHome(const Context& ctx, const AccountHomeView& v);

// 新規パスワード登録 sets a password only: the e-mail address is changed
// after a login (Eメールアドレスの変更), confirmed from its mailbox.
struct RegisterView {
  std::string card, name_kana, phone;  // shown back after a failure
  std::string message;
  bool done = false;
  int min_length = 6, max_length = 8;
};
std::string RenderRegister(const Context& ctx, const RegisterView& v);

struct PasswordView {
  std::string message;
  int min_length = 6, max_length = 8;
};
std::string RenderPasswordChange(const Context& ctx, const PasswordView& v);

struct EmailView {
  std::string current;  // the registered address, empty when none
  std::string entered;  // what the patron typed (shown back, or to confirm)
  std::string sender;   // the library's From address, for the carrier filter note
  std::string message;
  // A new address waiting for its confirmation ("" when none), and until when
  // its link works ("12月27日(日) 17:00"): the page says where the mail went
  // and what to do when it does not arrive.
  std::string pending, pending_until;
  bool confirm_removal = false;  // ask before removing: mail holds fall back to the counter
  int mail_holds = 0;
};
std::string RenderEmailChange(const Context& ctx, const EmailView& v);

struct LoanLineView {
  std::string title, due;  // due: 12月15日(火)
  bool overdue = false, reserved = false;
  int64_t loan_id = 0;
  bool renewable = false;  // shows 「延長」
};
// Paging of a list to the device's page budget: the offsets of the previous
// and next pages, or -1 when there is none.
struct ListPaging {
  int first = 1;  // number of the first line shown
  int prev = -1, next = -1;
};

struct LoansView {
  std::string message;              // the result of a renewal
  std::vector<LoanLineView> loans;  // this page's lines
  ListPaging paging;
  int loan_days = 14;
};
std::string RenderLoans(const Context& ctx, const LoansView& v);

struct HoldLineView {
  int64_t hold_id = 0;
  std::string title, branch, contact;  // contact: メール / 電話 / 連絡不要
  int position = 0;      // waiting holds: place in the queue; 0: a copy is on its way (回送中)
  std::string deadline;  // ready holds: 12月15日(火)
  std::string notice;    // ready holds: when the mail went out ("12月1日 10:00"), or ""
};
struct HoldsView {
  bool ready = false;               // 予約確保一覧 (true) or 予約中一覧
  std::string message;              // the result of a change
  std::vector<HoldLineView> holds;  // this page's lines
  ListPaging paging;
};

// One hold with its changes: cancel, pickup branch (waiting only), contact.
struct HoldDetailView {
  int64_t hold_id = 0;
  std::string title;
  bool ready = false;
  std::string branch_code, contact;                           // current
  std::vector<std::pair<std::string, std::string>> branches;  // code, name
  bool has_email = false;
};
std::string RenderHoldDetail(const Context& ctx, const HoldDetailView& v);

// A confirmation step (feature phones): what will happen and one button that
// sends the same form again with confirm=1.
struct ConfirmView {
  std::string heading, text, action, button;
  std::vector<std::pair<std::string, std::string>> fields;
};
std::string RenderConfirm(const Context& ctx, const ConfirmView& v);
std::string RenderHolds(const Context& ctx, const HoldsView& v);

// はじめての方へ: getting a card and registering, for a phone screen.
std::string RenderGuide(const Context& ctx);

struct TopView {
  std::string query;  // shown back in the field
};

std::string RenderTop(const Context& ctx, const TopView& v);
// The stylesheet smartphone and PC pages link as /style.css (under 1.5 KB);
// feature-phone pages do not link it. A constant: serve it with a long max-age.
std::string_view StyleSheet();
std::string RenderNotFound(const Context& ctx);
std::string RenderDisclaimer(const Context& ctx);
// The 503 notice while the public service is off; links nowhere.
std::string RenderMaintenance(const Context& ctx);
// A short page with a heading, a message and a link to the top.
std::string RenderError(const Context& ctx, std::string_view heading, std::string_view message);

}  // namespace shiori::pages

#endif  // SHIORI_PAGES_PAGES_H_
