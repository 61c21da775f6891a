// The escaping HTML builder.
#include "pages/pages.h"

namespace shiori::pages {

std::string Escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

void Html::WriteAttrs(const Attr* begin, const Attr* end) {
  for (const Attr* a = begin; a != end; ++a) {
    out_ += ' ';
    out_ += a->name;
    if (a->bare) continue;
    out_ += "=\"";
    out_ += Escape(a->value);
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

Html& Html::Text(std::string_view text) {
  out_ += Escape(text);
  return *this;
}

Html& Html::Element(std::string_view tag, std::string_view text,
                    std::initializer_list<Attr> attrs) {
  return Open(tag, attrs).Text(text).Close();
}

Html& Html::RawTrusted(std::string_view markup) {
  out_ += markup;
  return *this;
}

std::string Html::Take() {
  while (!open_.empty()) Close();
  return std::move(out_);
}

}  // namespace shiori::pages
