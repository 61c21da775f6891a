// The escaping HTML builder.
#include <algorithm>

#include "charset/charset.h"
#include "pages/pages.h"

namespace shiori::pages {

namespace {

// Appends `s` to `out` escaped, copying the runs between special characters
// whole: pages are mostly Japanese text with nothing to escape. Control
// characters (charset::ControlAt: NUL, ESC, C1, the bidi overrides and
// isolates, noncharacters) are left out, whoever wrote them into the
// catalogue; TAB, LF and CR are HTML whitespace and stay.
void AppendEscaped(std::string& out, std::string_view s) {
  size_t run = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const char* rep;
    const auto b = static_cast<unsigned char>(s[i]);
    switch (b) {
      case '&':
        rep = "&amp;";
        break;
      case '<':
        rep = "&lt;";
        break;
      case '>':
        rep = "&gt;";
        break;
      case '"':
        rep = "&quot;";
        break;
      case '\'':
        rep = "&#39;";
        break;
      default: {
        if (!charset::MayStartControl(b)) continue;
        size_t len = 0;
        const charset::Control k = charset::ControlAt(s, i, &len);
        if (k == charset::Control::kNone || k == charset::Control::kBreak) continue;
        out.append(s.data() + run, i - run);
        i += len - 1;
        run = i + 1;
        continue;
      }
    }
    out.append(s.data() + run, i - run);
    out += rep;
    run = i + 1;
  }
  out.append(s.data() + run, s.size() - run);
}

}  // namespace

std::string Escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 16);
  AppendEscaped(out, s);
  return out;
}

std::string TitleWithVolume(std::string_view title, std::string_view volume) {
  std::string out(title);
  if (!volume.empty()) out.append(" ").append(volume);
  return out;
}

std::string CardTail(std::string_view card) {
  if (card.empty()) return std::string();
  if (card.size() <= 4) return std::string(card);
  return "……" + std::string(card.substr(card.size() - 4));
}

void Html::WriteAttrs(const Attr* begin, const Attr* end) {
  for (const Attr* a = begin; a != end; ++a) {
    out_ += ' ';
    out_ += a->name;
    if (a->bare) continue;
    out_ += "=\"";
    AppendEscaped(out_, a->value);
    out_ += '"';
  }
}

Html& Html::Open(std::string_view tag, std::initializer_list<Attr> attrs) {
  out_ += '<';
  out_ += tag;
  WriteAttrs(attrs.begin(), attrs.end());
  out_ += '>';
  open_.push_back(tag);
  return *this;
}

Html& Html::Open(std::string_view tag, const std::vector<Attr>& attrs) {
  out_ += '<';
  out_ += tag;
  WriteAttrs(attrs.data(), attrs.data() + attrs.size());
  out_ += '>';
  open_.push_back(tag);
  return *this;
}

Html& Html::Close() {
  if (open_.empty()) return *this;
  out_ += "</";
  out_ += open_.back();
  out_ += '>';
  open_.pop_back();
  return *this;
}

Html& Html::Void(std::string_view tag, std::initializer_list<Attr> attrs) {
  out_ += '<';
  out_ += tag;
  WriteAttrs(attrs.begin(), attrs.end());
  out_ += '>';
  return *this;
}

Html& Html::Void(std::string_view tag, const std::vector<Attr>& attrs) {
  out_ += '<';
  out_ += tag;
  WriteAttrs(attrs.data(), attrs.data() + attrs.size());
  out_ += '>';
  return *this;
}

Html& Html::Empty(std::string_view tag, std::initializer_list<Attr> attrs) {
  out_ += '<';
  out_ += tag;
  WriteAttrs(attrs.begin(), attrs.end());
  out_ += "/>";
  return *this;
}

Html& Html::Text(std::string_view text) {
  AppendEscaped(out_, text);
  return *this;
}

Html& Html::Element(std::string_view tag, std::string_view text,
                    std::initializer_list<Attr> attrs) {
  return Open(tag, attrs).Text(text).Close();
}

Html& Html::Append(Html&& part) {
  out_ += part.Take();
  return *this;
}

Html& Html::RawTrusted(std::string_view markup) {
  out_ += markup;
  return *this;
}

Html& Html::CloseThrough(std::string_view tag) {
  if (std::find(open_.begin(), open_.end(), tag) == open_.end()) return *this;
  while (!open_.empty()) {
    const bool last = open_.back() == tag;
    Close();
    if (last) break;
  }
  return *this;
}

std::string Html::Take() {
  while (!open_.empty()) Close();
  return std::move(out_);
}

}  // namespace shiori::pages
