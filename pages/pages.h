// pages: one pure renderer per page (view model + device in, UTF-8 HTML out),
// the escaping HTML builder they all use, and the interface through which the
// gateway gives them links and form fields. No SQL, no HTTP, no clock here.
//
// Thread-safety: renderers are pure functions; an Html builder belongs to one thread.
//
// The pages of each area are declared beside this header, each a view struct
// and its Render function side by side: catalogue.h (蔵書検索), cart.h (カート・
// 予約), account.h (利用照会), staff.h and its neighbours (the back office).
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

// A card number as pages show it: only its last four digits, "……1234"
// (the whole number when it has four or fewer). "" for "".
std::string CardTail(std::string_view card);

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
  // ケータイ版: one narrow column, main links numbered for the keys, no
  // stylesheet, no header nor drawings (feature phones and ガラホ).
  bool keypad = false;
  // A browser of today (all but carrier feature phones): the viewport meta
  // tag and the main landmark.
  bool viewport = true;
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

// The patron logged in to the session: every page names them and offers
// ログアウト while they are (library PCs are shared).
struct SignedIn {
  std::string name_kana;  // as registered, in katakana
  std::string card_tail;  // the card number as CardTail shows it: "……1234"
};

// Everything a renderer gets besides its own view model.
struct Context {
  const Device& device;
  const Links& links;
  std::string_view library_name;
  // The page being rendered, with a GET's query (no session id), for the
  // links that lead back to it (文字コード).
  std::string_view path = "/";
  // This page's absolute address without any session id, for the QR code a
  // PC's footer shows; empty: no QR code.
  std::string_view page_url = "";
  const SignedIn* signed_in = nullptr;  // nobody logged in: nullptr
};

// ---------------------------------------------------------------- pages

// Paging of a list to the device's page budget: the offsets of the previous
// and next pages, or -1 when there is none.
struct ListPaging {
  int first = 1;  // number of the first line shown
  int prev = -1, next = -1;
};

// 文字コード: lets the patron choose Shift_JIS or UTF-8 for this session.
struct CharsetView {
  bool shift_jis_now = false;
  std::string back;  // same-site path to return to
};
std::string RenderCharset(const Context& ctx, const CharsetView& v);

// 表示切替: lets the patron choose the version of the pages for this session
// (ケータイ版, スマホ版, PC版), or the one the device gets by itself.
enum class PageVersion { kKeitai, kSmart, kPc };
struct VersionView {
  PageVersion now = PageVersion::kPc;     // the pages as shown
  PageVersion native = PageVersion::kPc;  // what the device gets by itself
  bool chosen = false;                    // `now` was chosen, not the device's own
  std::string back;                       // same-site path to return to
};
std::string RenderVersion(const Context& ctx, const VersionView& v);

// The body of a redirect (303) to a feature phone, which may not follow it
// at once: a title and a link to `url`. Other browsers get none.
std::string RenderMoved(const Context& ctx, std::string_view url);

// 外部サイトへ: the exit page in front of an off-site link.
std::string RenderExit(const Context& ctx, std::string_view url);

struct TopView {
  std::string query;  // shown back in the field
};

std::string RenderTop(const Context& ctx, const TopView& v);
// The stylesheet smartphone and PC pages link as /style.css (under 1.5 KB);
// feature-phone pages do not link it. A constant: serve it with a long max-age.
std::string_view StyleSheet();
// The library's icon, a bookmark (栞), that smartphone and PC pages link as
// /icon.svg. A constant, like the stylesheet.
std::string_view IconSvg();
// The drawing of the library's card beside a card-number field (smartphone
// and PC pages link it as /card.svg): the library's name, the barcode and a
// sample number of `digits` digits under it, marked. An SVG document.
std::string CardDrawing(std::string_view library_name, int digits);
std::string RenderNotFound(const Context& ctx);
std::string RenderDisclaimer(const Context& ctx);
// The 503 notice while the public service is off; links nowhere.
std::string RenderMaintenance(const Context& ctx);
// A short page with a heading, a message and a link to the top.
std::string RenderError(const Context& ctx, std::string_view heading, std::string_view message);

}  // namespace shiori::pages

#endif  // SHIORI_PAGES_PAGES_H_
