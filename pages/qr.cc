// The QR code of a page's address, as inline SVG (libqrencode), so a patron
// on a PC or smartphone can carry the page to a keitai.
#include <qrencode.h>

#include <memory>
#include <string>

#include "pages/layout.h"

namespace shiori::pages::detail {

bool QrSvg(Html& h, std::string_view text) {
  const std::string s(text);
  std::unique_ptr<QRcode, void (*)(QRcode*)> qr(
      QRcode_encodeString(s.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1), QRcode_free);
  if (!qr) return false;
  const int w = qr->width, quiet = 4, size = w + 2 * quiet;
  // One path of horizontal runs of dark modules: small, and crisp at any scale.
  std::string d;
  for (int y = 0; y < w; ++y) {
    for (int x = 0; x < w;) {
      if (!(qr->data[y * w + x] & 1)) {
        ++x;
        continue;
      }
      int run = 1;
      while (x + run < w && (qr->data[y * w + x + run] & 1)) ++run;
      d += "M" + std::to_string(x + quiet) + " " + std::to_string(y + quiet) + "h" +
           std::to_string(run) + "v1h-" + std::to_string(run) + "z";
      x += run;
    }
  }
  const std::string vb = std::to_string(size);
  const std::string box = "0 0 " + vb + " " + vb;
  h.Open("svg", {{"class", "qr"},
                 {"xmlns", "http://www.w3.org/2000/svg"},
                 {"viewBox", box},
                 {"width", "132"},
                 {"height", "132"},
                 {"role", "img"},
                 {"aria-label", "このページのQRコード"}});
  h.Empty("rect", {{"width", vb}, {"height", vb}, {"fill", "#fff"}});
  h.Empty("path", {{"fill", "#000"}, {"d", d}});
  h.Close();
  return true;
}

}  // namespace shiori::pages::detail
