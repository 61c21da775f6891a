// Short notice pages: 404, errors, ご注意（免責事項）, and the maintenance 503.
#include "pages/layout.h"

namespace shiori::pages {

std::string RenderNotFound(const Context& ctx) {
  return RenderError(ctx, "ページが見つかりません",
                     "お探しのページは見つかりませんでした。アドレスをお確かめください。");
}

std::string RenderError(const Context& ctx, std::string_view heading, std::string_view message) {
  Html h;
  detail::BeginPage(h, ctx, heading);
  h.Element("p", message);
  return detail::EndPage(h, ctx);
}

std::string RenderDisclaimer(const Context& ctx) {
  Html h;
  detail::BeginPage(h, ctx, "ご注意（免責事項）");
  h.Element(
      "p",
      "設備のメンテナンス、図書館システムでの障害復旧や不可抗力の原因により運用ができない場合は、"
      "インターネットサービスを停止します。");
  h.Element(
      "p",
      "インターネットサービスの利用により利用者に発生した損害および利用者が第三者に与えた損害は、"
      "図書館はその責を負いません。");
  h.Element("p", std::string(detail::kPacketFees) + "ご注意ください。");
  return detail::EndPage(h, ctx);
}

std::string RenderMaintenance(const Context& ctx) {
  Html h;
  detail::BeginPage(h, ctx, "ただいまサービスを停止しています", /*linked=*/false);
  h.Element("p",
            "設備のメンテナンス、図書館システムでの障害復旧などのため、インターネットサービスを"
            "停止しています。しばらくしてからご利用ください。");
  h.Element("p", ctx.library_name);
  return detail::EndPage(h, ctx, detail::Footer::kNone);
}

}  // namespace shiori::pages
