// Device profiles: what kind of client sent a request (feature phone by
// carrier and generation, smartphone, tablet, PC) and what follows from it —
// output charset, whether cookies can be expected, the page budget, input-mode
// attributes and how access keys are shown. Facts: docs/devices.md;
// tested against real User-Agent strings in tests/data/user_agents.tsv.
#ifndef SHIORI_GATEWAY_DEVICE_H_
#define SHIORI_GATEWAY_DEVICE_H_

#include <string>
#include <string_view>

namespace shiori::gateway {

enum class DeviceClass { kFeature, kSmartphone, kTablet, kPc };
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
  // A feature phone's handset model as its User-Agent names it ("P903i",
  // "SA31", "910T", "J-SH51", "KYOCERA/WX310K"); empty for other devices.
  // Stable across requests, unlike the cache, serial and browser tokens.
  std::string model;

  bool feature_phone() const { return device_class == DeviceClass::kFeature; }
};

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
//   Client Hints win over the UA: Sec-CH-UA-Mobile "?1" is a smartphone, "?0" with
//   platform Android is a tablet.
// - cookies: docomo: kProbe only for "DoCoMo/2.0" with a c500 cache token, else kNo;
//   au, SoftBank, WILLCOM: kProbe; others kYes.
// - budget KB: docomo cNN -> NN when NN <= 30, 30 when larger, 5 when absent; au: 30 for
//   "KDDI-", 5 for old "UP.Browser/3"; SoftBank: 6 for "J-PHONE/", else 30; WILLCOM:
//   its Cnn token when <= 30, else 30. Others: no limit.
// - model: docomo "DoCoMo/1.0/MODEL/..." or "DoCoMo/2.0 MODEL(...)"; au "KDDI-MODEL ..."
//   or "UP.Browser/3.04-MODEL ..."; SoftBank "SoftBank/1.0/MODEL/...", likewise for
//   Vodafone and J-PHONE, "MOT-MODEL/..." whole up to '/'; WILLCOM the group's second
//   ';'-separated field ("KYOCERA/WX310K/2" -> up to its second '/'). At most 32
//   printable ASCII bytes, else empty.
DeviceProfile DetectDevice(const DeviceHeaders& h);

// Short stable names for logs, session binding and tests:
// "feature"/"smartphone"/"tablet"/"pc" and "docomo"/"au"/"softbank"/"willcom"/"-".
std::string_view ClassName(DeviceClass c);
std::string_view CarrierName(Carrier c);

}  // namespace shiori::gateway

#endif  // SHIORI_GATEWAY_DEVICE_H_
