// Device profiles: what kind of client sent a request (feature phone by
// carrier and generation, smartphone, tablet, PC) and what follows from it —
// output charset, whether cookies can be expected, the page budget, input-mode
// attributes and how access keys are shown. Facts: docs/devices.md;
// tested against real User-Agent strings in tests/data/user_agents.tsv.
#ifndef SHIORI_GATEWAY_DEVICE_H_
#define SHIORI_GATEWAY_DEVICE_H_

#include <optional>
#include <string>
#include <string_view>

namespace shiori::gateway {

// kKeypad: an Android keypad phone (ガラホ) — a WebView browser with cookies,
// UTF-8 and CSS, but a small screen, a D-pad and number keys.
enum class DeviceClass { kFeature, kKeypad, kSmartphone, kTablet, kPc };
enum class Carrier { kNone, kDocomo, kAu, kSoftbank, kWillcom };
enum class CookieSupport {
  kNo,     // known to have none (older i-mode): the session rides in URLs only
  kProbe,  // may have them: URL session until a cookie comes back
  kYes,    // smartphones, tablets, PCs
};

struct DeviceProfile {
  DeviceClass device_class = DeviceClass::kPc;
  Carrier carrier = Carrier::kNone;
  CookieSupport cookies = CookieSupport::kYes;
  // Largest page, markup included, in bytes; 0 means no limit.
  size_t budget_bytes = 0;
  // Feature phones get Windows-31J labelled Shift_JIS; everyone else UTF-8.
  bool shift_jis = false;
  // docomo shows access keys as number-key emoji; other phones as "[1]".
  bool accesskey_emoji = false;
  // Subscriber id header (X-UP-SUBNO, X-JPHONE-UID, X-DCMGUID) when sent; empty otherwise.
  std::string subscriber;
  // A feature phone's or ガラホ's handset model as its User-Agent names it
  // ("P903i", "SA31", "910T", "J-SH51", "KYOCERA/WX310K", "KYF31"); empty for
  // other devices.
  // Stable across requests, unlike the cache, serial and browser tokens.
  std::string model;

  bool feature_phone() const { return device_class == DeviceClass::kFeature; }
};

// The versions of the pages: ケータイ版 (one narrow column, main links
// numbered for the keys, no stylesheet), スマホ版 (the stylesheet, touch
// targets) and PC版 (the same with the QR code that carries a page to a
// phone). A device gets its own (NativeLayout) unless the session chose another.
enum class Layout { kKeypad, kSmartphone, kPc };
// The page budget of ケータイ版 on a device without one of its own (a ガラホ's).
constexpr size_t kKeypadBudgetBytes = 20 * 1024;
Layout NativeLayout(const DeviceProfile& p);
// "keitai" / "smart" / "pc", as the session stores the choice.
std::string_view LayoutName(Layout l);
std::optional<Layout> LayoutFromName(std::string_view name);

struct DeviceHeaders {
  std::string_view user_agent;
  std::string_view ch_ua_mobile;    // Sec-CH-UA-Mobile, e.g. "?1"
  std::string_view ch_ua_platform;  // Sec-CH-UA-Platform, e.g. "\"Android\""
  std::string_view x_up_subno;      // au
  std::string_view x_jphone_uid;    // SoftBank
  std::string_view x_dcmguid;       // docomo
};

// Tells the device from its request headers. Never fails: anything unknown is a PC.
//
// Rules (the spec the tests check):
// - class: feature for docomo (UA starts "DoCoMo/"), au ("KDDI-" or "UP.Browser/"),
//   SoftBank ("SoftBank/", "Vodafone/", "J-PHONE/", "MOT-", "Semulator", "Vemulator"),
//   WILLCOM ("(WILLCOM" or "(DDIPOCKET"); smartphone for iPhone, iPod, Android with
//   "Mobile", Windows Phone; tablet for iPad and Android without "Mobile"; else pc.
//   keypad for an Android UA whose model token (in the first parenthesised group, the
//   field before " Build/", else the first after "Android x.y" that is not a locale or
//   "wv") is a ガラホ model of the list in device.cc, whatever else it says. Client Hints win over the UA, but not over a ガラホ model:
//   Sec-CH-UA-Mobile "?1" is a smartphone, "?0" with platform Android is a tablet.
// - cookies: docomo: kProbe only for "DoCoMo/2.0" with a c500 cache token, else kNo;
//   au, SoftBank, WILLCOM: kProbe; others kYes.
// - budget KB: docomo cNN -> NN when NN <= 30, 30 when larger, 5 when absent; au: 30 for
//   "KDDI-", 5 for old "UP.Browser/3"; SoftBank: 6 for "J-PHONE/", else 30; WILLCOM:
//   its Cnn token when <= 30, else 30. Others: no limit.
// - model: docomo "DoCoMo/1.0/MODEL/..." or "DoCoMo/2.0 MODEL(...)"; au "KDDI-MODEL ..."
//   or "UP.Browser/3.04-MODEL ..."; SoftBank "SoftBank/1.0/MODEL/...", likewise for
//   Vodafone and J-PHONE, "MOT-MODEL/..." whole up to '/'; WILLCOM the group's second
//   ';'-separated field ("KYOCERA/WX310K/2" -> up to its second '/'); a ガラホ its
//   model token ("KYF31"). At most 32 printable ASCII bytes, else empty.
DeviceProfile DetectDevice(const DeviceHeaders& h);

// Short stable names for logs, session binding and tests:
// "feature"/"keypad"/"smartphone"/"tablet"/"pc" and "docomo"/"au"/"softbank"/"willcom"/"-".
std::string_view ClassName(DeviceClass c);
std::string_view CarrierName(Carrier c);

}  // namespace shiori::gateway

#endif  // SHIORI_GATEWAY_DEVICE_H_
