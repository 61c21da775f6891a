// Device detection from request headers: carrier prefixes, docomo/WILLCOM cache
// tokens, smartphone/tablet markers and Client Hints. Plain string_view scans,
// no regex and no allocation except the subscriber id: this runs per request.
#include "gateway/device.h"

#include <algorithm>
#include <cstdint>

#include "charset/charset.h"

namespace shiori::gateway {
namespace {

constexpr size_t kKB = 1024;
constexpr uint32_t kBigBudgetKB = 30;  // "30 when larger"; also the feature-phone ceiling
constexpr uint32_t kNoTokenKB = 5;     // docomo without a cache token, old au
constexpr size_t kMaxSubscriber = 64;
constexpr size_t kMaxModel = 32;

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool Contains(std::string_view s, std::string_view p) { return s.find(p) != s.npos; }

using charset::Trim;

// "c100" / "C100" (when `any_case`) -> 100; 0 when `tok` is not a cache token.
// A zero or absurd value counts as no token: a budget of 0 would mean "no limit".
uint32_t CacheToken(std::string_view tok, bool any_case) {
  if (tok.size() < 2 || !(tok[0] == 'c' || (any_case && tok[0] == 'C'))) return 0;
  uint32_t n = 0;
  for (char ch : tok.substr(1)) {
    if (ch < '0' || ch > '9') return 0;
    if (n < 100000) n = n * 10 + static_cast<uint32_t>(ch - '0');  // saturates, never overflows
  }
  return n;
}

uint32_t CapKB(uint32_t kb) { return kb > kBigBudgetKB ? kBigBudgetKB : kb; }

// docomo's cache token in KB, 0 when absent. `rest` follows "DoCoMo/".
// mova:  "1.0/MODEL/c10/TB/..."  (slash-separated, up to the first space)
// FOMA:  "2.0 MODEL(c100;TB;W24H12)"  (first parenthesised group, ';'-separated)
uint32_t DocomoCacheKB(std::string_view rest) {
  size_t v_end = rest.find_first_of("/ (");
  if (v_end == rest.npos) return 0;
  if (rest[v_end] == '/') {
    std::string_view path = rest.substr(v_end + 1);
    path = path.substr(0, path.find(' '));
    size_t slash = path.find('/');  // skip MODEL
    while (slash != path.npos) {
      path.remove_prefix(slash + 1);
      slash = path.find('/');
      if (uint32_t kb = CacheToken(path.substr(0, slash), false)) return kb;
    }
    return 0;
  }
  size_t open = rest.find('(', v_end);
  if (open == rest.npos) return 0;
  std::string_view group = rest.substr(open + 1);
  group = group.substr(0, group.find(')'));
  while (true) {
    size_t semi = group.find(';');
    if (uint32_t kb = CacheToken(Trim(group.substr(0, semi)), false)) return kb;
    if (semi == group.npos) return 0;
    group.remove_prefix(semi + 1);
  }
}

// WILLCOM's "Cnn" token (after '/' or ';' inside the group opened by `open`),
// the last one when several; 0 when absent.
uint32_t WillcomCacheKB(std::string_view ua, size_t open) {
  std::string_view group = ua.substr(open + 1);
  group = group.substr(0, group.find(')'));
  uint32_t kb = 0;
  size_t i = group.find_first_of("/;");
  while (i != group.npos) {
    size_t end = group.find_first_of("/;", i + 1);
    std::string_view tok = group.substr(i + 1, end == group.npos ? group.npos : end - i - 1);
    if (uint32_t t = CacheToken(tok, true)) kb = t;
    i = end;
  }
  return kb;
}

// Printable ASCII (space included), at most kMaxSubscriber bytes; else empty.
std::string Subscriber(std::string_view v) {
  if (v.size() > kMaxSubscriber) return {};
  for (char ch : v) {
    if (ch < 0x20 || ch > 0x7E) return {};
  }
  return std::string(v);
}

// `s` up to the first of `stops`, when it is 1..kMaxModel printable ASCII
// bytes; else empty.
std::string Model(std::string_view s, std::string_view stops) {
  s = s.substr(0, s.find_first_of(stops));
  if (s.empty() || s.size() > kMaxModel) return {};
  for (char ch : s) {
    if (ch <= 0x20 || ch > 0x7E) return {};
  }
  return std::string(s);
}

// The model in a carrier-prefixed UA: the field after `prefix` and one more
// '/' ("SoftBank/1.0/910T/..." -> "910T").
std::string ModelAfterVersion(std::string_view ua, std::string_view prefix) {
  std::string_view rest = ua.substr(prefix.size());
  size_t slash = rest.find('/');
  if (slash == rest.npos) return {};
  return Model(rest.substr(slash + 1), "/ ");
}

void SetFeature(DeviceProfile& p, Carrier carrier, CookieSupport cookies, uint32_t kb) {
  p.device_class = DeviceClass::kFeature;
  p.carrier = carrier;
  p.cookies = cookies;
  p.budget_bytes = kb * kKB;
  p.shift_jis = true;
  p.accesskey_emoji = carrier == Carrier::kDocomo;
}

// ガラホ: Android keypad phones, by the whole model token their browsers
// send (never a part of it: 220733SH and SBM203SH are smartphones). au's
// SHFnn and KYFnn (its ケータイ category), SoftBank's and Y!mobile's NPnnnSH,
// NPAnnnSH, NPnnnKC, NPnnnSI, and docomo's one by one: its prefixes hold
// smartphones too (SH-02L is a ガラホ, SH-01L a smartphone). Sources, and the
// smartphones of the same makers that must not match: docs/devices.md.
constexpr std::string_view kKeypadModels[] = {
    // sorted: binary search
    "F-01M", "F-02J",  "F-03L",  "F-05G",  "KY-42C", "KYY31",
    "P-01J", "SH-01J", "SH-02K", "SH-02L", "SH-06G",
};

bool Digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool KeypadModel(std::string_view m) {
  if (m.size() == 5 && (StartsWith(m, "SHF") || StartsWith(m, "KYF")) && Digits(m.substr(3))) {
    return true;
  }
  if (StartsWith(m, "NP")) {
    std::string_view r = m.substr(2);
    if (StartsWith(r, "A")) r.remove_prefix(1);
    const std::string_view maker = r.size() == 5 ? r.substr(3) : "";
    return Digits(r.substr(0, 3)) && (maker == "SH" || maker == "KC" || maker == "SI");
  }
  return std::binary_search(std::begin(kKeypadModels), std::end(kKeypadModels), m);
}

// "ja", "ja-jp", "en_US": a locale field of an old Android UA.
bool Locale(std::string_view f) {
  auto letters = [](std::string_view s) {
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); });
  };
  if (f.size() == 2) return letters(f);
  return f.size() == 5 && (f[2] == '-' || f[2] == '_') && letters(f.substr(0, 2)) &&
         letters(f.substr(3));
}

// The model token of an Android UA, from its first parenthesised group: the
// field before " Build/" ("Mozilla/5.0 (Linux; Android 5.1; KYF31
// Build/...)" -> "KYF31"), else the first field after "Android x.y" that is
// neither a locale nor "wv"; empty when there is none.
std::string_view AndroidModel(std::string_view ua) {
  size_t open = ua.find('(');
  if (open == ua.npos) return {};
  std::string_view group = ua.substr(open + 1);
  group = group.substr(0, group.find(')'));
  if (size_t build = group.find(" Build/"); build != group.npos) {
    size_t semi = group.rfind(';', build);
    size_t from = semi == group.npos ? 0 : semi + 1;
    return Trim(group.substr(from, build - from));
  }
  bool after_android = false;
  while (!group.empty()) {
    size_t semi = group.find(';');
    std::string_view field = Trim(group.substr(0, semi));
    if (StartsWith(field, "Android")) {
      after_android = true;
    } else if (after_android && !field.empty() && field != "wv" && !Locale(field)) {
      return field;
    }
    if (semi == group.npos) break;
    group.remove_prefix(semi + 1);
  }
  return {};
}

// The profile the User-Agent alone gives (subscriber not set).
DeviceProfile FromUserAgent(std::string_view ua) {
  DeviceProfile p;
  constexpr std::string_view kDocomo = "DoCoMo/";
  if (StartsWith(ua, kDocomo)) {
    std::string_view rest = ua.substr(kDocomo.size());
    uint32_t cache = DocomoCacheKB(rest);
    bool browser2 = cache == 500 && StartsWith(rest, "2.0") &&
                    (rest.size() == 3 || rest[3] == ' ' || rest[3] == '(');
    SetFeature(p, Carrier::kDocomo, browser2 ? CookieSupport::kProbe : CookieSupport::kNo,
               cache ? CapKB(cache) : kNoTokenKB);
    size_t v_end = rest.find_first_of("/ ");
    if (v_end != rest.npos) p.model = Model(rest.substr(v_end + 1), "/ (");
    return p;
  }
  if (StartsWith(ua, "KDDI-")) {
    SetFeature(p, Carrier::kAu, CookieSupport::kProbe, kBigBudgetKB);
    p.model = Model(ua.substr(5), " /");
    return p;
  }
  if (StartsWith(ua, "UP.Browser/")) {
    // Only WAP1 "UP.Browser/3" is named; any other bare UP.Browser is as old.
    SetFeature(p, Carrier::kAu, CookieSupport::kProbe, kNoTokenKB);
    std::string_view version = ua.substr(0, ua.find(' '));
    size_t dash = version.find('-');
    if (dash != version.npos) p.model = Model(version.substr(dash + 1), " /");
    return p;
  }
  if (StartsWith(ua, "J-PHONE/")) {
    SetFeature(p, Carrier::kSoftbank, CookieSupport::kProbe, 6);
    p.model = ModelAfterVersion(ua, "J-PHONE/");
    return p;
  }
  if (StartsWith(ua, "SoftBank/") || StartsWith(ua, "Vodafone/") || StartsWith(ua, "MOT-") ||
      StartsWith(ua, "Semulator") || StartsWith(ua, "Vemulator")) {
    SetFeature(p, Carrier::kSoftbank, CookieSupport::kProbe, kBigBudgetKB);
    if (StartsWith(ua, "SoftBank/")) {
      p.model = ModelAfterVersion(ua, "SoftBank/");
    } else if (StartsWith(ua, "Vodafone/")) {
      p.model = ModelAfterVersion(ua, "Vodafone/");
    } else {
      p.model = Model(ua, "/ ");
    }
    return p;
  }
  size_t open = ua.find("(WILLCOM");
  if (open == ua.npos) open = ua.find("(DDIPOCKET");
  if (open != ua.npos) {
    uint32_t cache = WillcomCacheKB(ua, open);
    SetFeature(p, Carrier::kWillcom, CookieSupport::kProbe, cache ? CapKB(cache) : kBigBudgetKB);
    std::string_view group = ua.substr(open + 1);
    group = group.substr(0, group.find(')'));
    size_t semi = group.find(';');
    if (semi != group.npos) {
      std::string_view field = group.substr(semi + 1);
      field = field.substr(0, field.find(';'));
      size_t first = field.find('/');
      size_t second = first == field.npos ? field.npos : field.find('/', first + 1);
      p.model = Model(field.substr(0, second), ";");
    }
    return p;
  }
  // Windows Phone first (some claim "Android" and "iPhone"); iPad before iPhone
  // (iOS 3.2 iPads say "CPU iPhone OS").
  if (Contains(ua, "Windows Phone")) {
    p.device_class = DeviceClass::kSmartphone;
  } else if (Contains(ua, "iPad")) {
    p.device_class = DeviceClass::kTablet;
  } else if (Contains(ua, "iPhone") || Contains(ua, "iPod")) {
    p.device_class = DeviceClass::kSmartphone;
  } else if (Contains(ua, "Android")) {
    const std::string_view model = AndroidModel(ua);
    if (KeypadModel(model)) {
      p.device_class = DeviceClass::kKeypad;
      p.model = std::string(model);
    } else {
      p.device_class = Contains(ua, "Mobile") ? DeviceClass::kSmartphone : DeviceClass::kTablet;
    }
  }
  return p;
}

}  // namespace

DeviceProfile DetectDevice(const DeviceHeaders& h) {
  DeviceProfile p = FromUserAgent(h.user_agent);

  std::string_view mobile = Trim(h.ch_ua_mobile);
  if (mobile == "?1" || mobile == "?0") {
    std::string_view platform = Trim(h.ch_ua_platform);
    if (platform.size() >= 2 && platform.front() == '"' && platform.back() == '"') {
      platform = platform.substr(1, platform.size() - 2);
    }
    DeviceClass ch = mobile == "?1"          ? DeviceClass::kSmartphone
                     : platform == "Android" ? DeviceClass::kTablet
                                             : p.device_class;
    if (ch != p.device_class && p.device_class != DeviceClass::kKeypad) {
      p = DeviceProfile{};  // carrier, cookies, budget, charset: those of a non-feature device
      p.device_class = ch;
    }
  }

  switch (p.carrier) {
    case Carrier::kAu:
      p.subscriber = Subscriber(h.x_up_subno);
      break;
    case Carrier::kSoftbank:
      p.subscriber = Subscriber(h.x_jphone_uid);
      break;
    case Carrier::kDocomo:
      p.subscriber = Subscriber(h.x_dcmguid);
      break;
    default:
      break;
  }
  return p;
}

std::string_view ClassName(DeviceClass c) {
  switch (c) {
    case DeviceClass::kFeature:
      return "feature";
    case DeviceClass::kKeypad:
      return "keypad";
    case DeviceClass::kSmartphone:
      return "smartphone";
    case DeviceClass::kTablet:
      return "tablet";
    case DeviceClass::kPc:
      return "pc";
  }
  return "pc";
}

std::string_view CarrierName(Carrier c) {
  switch (c) {
    case Carrier::kDocomo:
      return "docomo";
    case Carrier::kAu:
      return "au";
    case Carrier::kSoftbank:
      return "softbank";
    case Carrier::kWillcom:
      return "willcom";
    case Carrier::kNone:
      return "-";
  }
  return "-";
}

Layout NativeLayout(const DeviceProfile& p) {
  switch (p.device_class) {
    case DeviceClass::kFeature:
    case DeviceClass::kKeypad:
      return Layout::kKeypad;
    case DeviceClass::kSmartphone:
    case DeviceClass::kTablet:
      return Layout::kSmartphone;
    case DeviceClass::kPc:
      return Layout::kPc;
  }
  return Layout::kPc;
}

std::string_view LayoutName(Layout l) {
  switch (l) {
    case Layout::kKeypad:
      return "keitai";
    case Layout::kSmartphone:
      return "smart";
    case Layout::kPc:
      return "pc";
  }
  return "pc";
}

std::optional<Layout> LayoutFromName(std::string_view name) {
  for (Layout l : {Layout::kKeypad, Layout::kSmartphone, Layout::kPc}) {
    if (name == LayoutName(l)) return l;
  }
  return std::nullopt;
}

}  // namespace shiori::gateway
