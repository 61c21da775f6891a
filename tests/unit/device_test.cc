// Unit tests of device detection: every real User-Agent in tests/data/user_agents.tsv,
// then Client Hints, subscriber headers and malformed input.
#include "gateway/device.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace shiori::gateway {
namespace {

struct UaRow {
  std::string ua, klass, carrier, cookies;
  size_t budget_kb = 0;
  int line = 0;
};

std::string_view CookieName(CookieSupport c) {
  switch (c) {
    case CookieSupport::kNo:
      return "no";
    case CookieSupport::kProbe:
      return "probe";
    case CookieSupport::kYes:
      return "yes";
  }
  return "?";
}

std::vector<std::string> SplitTabs(const std::string& line) {
  std::vector<std::string> f;
  size_t start = 0;
  while (true) {
    size_t tab = line.find('\t', start);
    f.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) return f;
    start = tab + 1;
  }
}

// Reads a table of tests/data; a malformed line is a test failure, not a skipped row.
std::vector<UaRow> LoadUserAgents(const std::string& name = "user_agents.tsv") {
  const std::string path = SHIORI_SOURCE_DIR "/tests/data/" + name;
  std::ifstream in(path);
  EXPECT_TRUE(in.is_open()) << path;
  std::vector<UaRow> rows;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::vector<std::string> f = SplitTabs(line);
    if (n == 1) {
      EXPECT_EQ(line, "ua\tclass\tcarrier\tcookies\tbudget\tsource") << "header of " << path;
      continue;
    }
    if (f.size() != 6 || f[4].empty() ||
        f[4].find_first_not_of("0123456789") != std::string::npos) {
      ADD_FAILURE() << path << ":" << n << ": malformed row: " << line;
      continue;
    }
    rows.push_back({f[0], f[1], f[2], f[3], std::stoul(f[4]), n});
  }
  return rows;
}

// The profile a row says the User-Agent gives.
void ExpectRow(const UaRow& r) {
  SCOPED_TRACE("line " + std::to_string(r.line) + ": " + r.ua);
  DeviceHeaders h;
  h.user_agent = r.ua;
  DeviceProfile p = DetectDevice(h);
  const bool feature = r.klass == "feature";
  EXPECT_EQ(ClassName(p.device_class), r.klass);
  EXPECT_EQ(CarrierName(p.carrier), r.carrier);
  EXPECT_EQ(CookieName(p.cookies), r.cookies);
  EXPECT_EQ(p.budget_bytes, r.budget_kb * 1024);
  EXPECT_EQ(p.feature_phone(), feature);
  EXPECT_EQ(p.shift_jis, feature);
  EXPECT_EQ(p.accesskey_emoji, r.carrier == "docomo");
  EXPECT_TRUE(p.subscriber.empty());
}

TEST(DeviceTable, EveryUserAgentInTheTable) {
  std::vector<UaRow> rows = LoadUserAgents();
  ASSERT_GE(rows.size(), 60u) << "the table must not be (nearly) empty";
  std::set<std::string> classes, carriers;
  for (const UaRow& r : rows) {
    ExpectRow(r);
    classes.insert(r.klass);
    carriers.insert(r.carrier);
  }
  EXPECT_EQ(classes, (std::set<std::string>{"feature", "smartphone", "tablet", "pc"}));
  EXPECT_EQ(carriers, (std::set<std::string>{"docomo", "au", "softbank", "willcom", "-"}));
}

// ガラホ get the keypad class by their model token; the smartphones and
// tablets of the same makers, whose tokens look alike, keep theirs.
TEST(DeviceTable, GarahoAndTheSmartphonesOfTheSameMakers) {
  std::vector<UaRow> rows = LoadUserAgents("keypad_user_agents.tsv");
  std::map<std::string, int> count;
  for (const UaRow& r : rows) {
    ExpectRow(r);
    ++count[r.klass];
    if (r.klass == "keypad") {
      DeviceHeaders h;
      h.user_agent = r.ua;
      DeviceProfile p = DetectDevice(h);
      EXPECT_FALSE(p.model.empty()) << r.ua;
      EXPECT_NE(r.ua.find(p.model + " Build/"), std::string::npos) << "the whole token: " << r.ua;
    }
  }
  EXPECT_GE(count["keypad"], 25);
  EXPECT_GE(count["smartphone"], 100);
  EXPECT_GE(count["tablet"], 5);
  EXPECT_EQ(count.size(), 3u) << "keypad, smartphone and tablet only";
}

// A ガラホ whose newer WebView sends Client Hints stays a ガラホ: the model
// token says more than "?1".
TEST(DeviceTable, ClientHintsDoNotMakeAGarahoASmartphone) {
  DeviceHeaders h;
  h.user_agent =
      "Mozilla/5.0 (Linux; Android 10; KY-42C Build/1.050GC.0120.a; wv) AppleWebKit/537.36 "
      "(KHTML, like Gecko) Version/4.0 Chrome/74.0.3729.136 Mobile Safari/537.36";
  h.ch_ua_mobile = "?1";
  h.ch_ua_platform = "\"Android\"";
  EXPECT_EQ(DetectDevice(h).device_class, DeviceClass::kKeypad);
  // A token that only contains a ガラホ's, or a locale field before it.
  h.ch_ua_mobile = "";
  h.user_agent = "Mozilla/5.0 (Linux; Android 12; SBM203SH) Mobile Safari/537.36";
  EXPECT_EQ(DetectDevice(h).device_class, DeviceClass::kSmartphone);
  h.user_agent = "Mozilla/5.0 (Linux; U; Android 4.4.2; ja-jp; SHF31 Build/S1) Mobile Safari";
  EXPECT_EQ(DetectDevice(h).device_class, DeviceClass::kKeypad);
  h.user_agent = "Mozilla/5.0 (Linux; Android 10; NPA205SH) Mobile Safari/537.36";
  EXPECT_EQ(DetectDevice(h).device_class, DeviceClass::kKeypad);
  // Without " Build/": the first field after Android that is no locale.
  h.user_agent = "Mozilla/5.0 (Linux; Android 8.1.0; SH-02L) Mobile Safari/537.36";
  EXPECT_EQ(DetectDevice(h).device_class, DeviceClass::kKeypad);
  EXPECT_EQ(DetectDevice(h).model, "SH-02L");
  h.user_agent = "Mozilla/5.0 (Linux; U; Android 4.4.2; ja_JP; KY-42C; wv) Mobile Safari/537.36";
  EXPECT_EQ(DetectDevice(h).model, "KY-42C");
  // " Build/" in a later field wins over an earlier field.
  h.user_agent = "Mozilla/5.0 (Linux; Android 8.1.0; Foo; F-03L Build/V14R074A) Mobile Safari";
  EXPECT_EQ(DetectDevice(h).model, "F-03L");
  for (const char* ua : {"Mozilla/5.0 (Linux; Android 10; NP805) Mobile Safari/537.36",
                         "Mozilla/5.0 (Linux; Android 10; NPA2055SH) Mobile Safari/537.36",
                         "Mozilla/5.0 (Linux; Android 10; SHF3) Mobile Safari/537.36",
                         "Mozilla/5.0 (Linux; Android 10; KYF3X) Mobile Safari/537.36",
                         "Mozilla/5.0 (Linux; Android 10; K) Mobile Safari/537.36"}) {
    h.user_agent = ua;
    EXPECT_EQ(DetectDevice(h).device_class, DeviceClass::kSmartphone) << ua;
  }
}

TEST(DeviceNames, AreStable) {
  EXPECT_EQ(ClassName(DeviceClass::kFeature), "feature");
  EXPECT_EQ(ClassName(DeviceClass::kKeypad), "keypad");
  EXPECT_EQ(ClassName(DeviceClass::kSmartphone), "smartphone");
  EXPECT_EQ(ClassName(DeviceClass::kTablet), "tablet");
  EXPECT_EQ(ClassName(DeviceClass::kPc), "pc");
  EXPECT_EQ(CarrierName(Carrier::kDocomo), "docomo");
  EXPECT_EQ(CarrierName(Carrier::kAu), "au");
  EXPECT_EQ(CarrierName(Carrier::kSoftbank), "softbank");
  EXPECT_EQ(CarrierName(Carrier::kWillcom), "willcom");
  EXPECT_EQ(CarrierName(Carrier::kNone), "-");
}

constexpr std::string_view kDesktopChrome =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36";
constexpr std::string_view kAndroidPhone =
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Mobile Safari/537.36";

TEST(DeviceClientHints, WinOverTheUserAgent) {
  struct Case {
    std::string_view ua, mobile, platform;
    DeviceClass want;
  } cases[] = {
      {kDesktopChrome, "?1", "\"Android\"", DeviceClass::kSmartphone},
      {kDesktopChrome, "?1", "\"iOS\"", DeviceClass::kSmartphone},
      {kDesktopChrome, "?1", "", DeviceClass::kSmartphone},
      {kDesktopChrome, "?0", "\"Android\"", DeviceClass::kTablet},
      {kDesktopChrome, "?0", "\"Windows\"", DeviceClass::kPc},
      {kDesktopChrome, "?0", "", DeviceClass::kPc},
      {kAndroidPhone, "?0", "\"Windows\"", DeviceClass::kSmartphone},  // ?0: the UA decides
      {kAndroidPhone, "?0", "\"Android\"", DeviceClass::kTablet},
      {kDesktopChrome, "", "\"Android\"", DeviceClass::kPc},    // no mobile hint: no override
      {kDesktopChrome, "?2", "\"Android\"", DeviceClass::kPc},  // not a boolean: ignored
      {"", "?1", "\"Android\"", DeviceClass::kSmartphone},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.ua) + " | " + std::string(c.mobile) + " | " +
                 std::string(c.platform));
    DeviceHeaders h;
    h.user_agent = c.ua;
    h.ch_ua_mobile = c.mobile;
    h.ch_ua_platform = c.platform;
    DeviceProfile p = DetectDevice(h);
    EXPECT_EQ(ClassName(p.device_class), ClassName(c.want));
    EXPECT_EQ(p.carrier, Carrier::kNone);
    EXPECT_EQ(p.cookies, CookieSupport::kYes);
    EXPECT_EQ(p.budget_bytes, 0u);
    EXPECT_FALSE(p.shift_jis);
    EXPECT_FALSE(p.accesskey_emoji);
  }
}

TEST(DeviceSubscriber, KeptOnlyFromTheCarriersHeaderWhenShortAndPrintable) {
  const std::string long_id(200, 'a');
  const std::string max_id(64, 'a');
  const std::string over_id(65, 'a');
  constexpr std::string_view kAu = "KDDI-CA32 UP.Browser/6.2.0.7.3.129 (GUI) MMP/2.0";
  constexpr std::string_view kSoftbank =
      "SoftBank/1.0/910T/TJ001 Browser/NetFront/3.3 Profile/MIDP-2.0 Configuration/CLDC-1.1";
  constexpr std::string_view kDocomo = "DoCoMo/2.0 SH905i(c100;TB;W24H12)";
  struct Case {
    std::string_view ua, subno, jphone, dcm;
    std::string want;
  } cases[] = {
      {kAu, "12345678901234_ab.ezweb.ne.jp", "", "", "12345678901234_ab.ezweb.ne.jp"},
      {kAu, long_id, "", "", ""},
      {kAu, max_id, "", "", max_id},
      {kAu, over_id, "", "", ""},
      {kAu,
       std::string_view("1234\x01"
                        "5678",
                        9),
       "", "", ""},
      {kAu, "1234\n5678", "", "", ""},
      {kAu, "1234\x7f", "", "", ""},
      {kAu, "\xe7\x8c\xab", "", "", ""},    // not ASCII
      {kAu, "", "jp-uid", "dcm-guid", ""},  // another carrier's header is not au's
      {kSoftbank, "subno", "1234567890abcdef", "dcm", "1234567890abcdef"},
      {kSoftbank, "", "", "", ""},
      {kDocomo, "subno", "uid", "ABCDEFG", "ABCDEFG"},
      {kDocomo, "", "", std::string_view("AB\0CD", 5), ""},
      {kDesktopChrome, "subno", "uid", "guid", ""},  // only feature phones have one
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.ua) + " | " + std::string(c.subno) + " | " + std::string(c.jphone) +
                 " | " + std::string(c.dcm));
    DeviceHeaders h;
    h.user_agent = c.ua;
    h.x_up_subno = c.subno;
    h.x_jphone_uid = c.jphone;
    h.x_dcmguid = c.dcm;
    EXPECT_EQ(DetectDevice(h).subscriber, c.want);
  }
}

TEST(DeviceEdgeCases, MalformedAndBoundaryUserAgents) {
  struct Case {
    std::string_view ua;
    DeviceClass klass;
    Carrier carrier;
    CookieSupport cookies;
    size_t budget_kb;
  } cases[] = {
      {"", DeviceClass::kPc, Carrier::kNone, CookieSupport::kYes, 0},
      {"DoCoMo/2.0 P903i(c100;TB;W24H12)", DeviceClass::kFeature, Carrier::kDocomo,
       CookieSupport::kNo, 30},
      {"DoCoMo/1.0/D505i", DeviceClass::kFeature, Carrier::kDocomo, CookieSupport::kNo, 5},
      {"DoCoMo/", DeviceClass::kFeature, Carrier::kDocomo, CookieSupport::kNo, 5},
      {"DoCoMo/2.0", DeviceClass::kFeature, Carrier::kDocomo, CookieSupport::kNo, 5},
      {"DoCoMo/2.0 X(", DeviceClass::kFeature, Carrier::kDocomo, CookieSupport::kNo, 5},
      {"DoCoMo/2.0 X(c", DeviceClass::kFeature, Carrier::kDocomo, CookieSupport::kNo, 5},
      {"DoCoMo/2.0 X(;;;)", DeviceClass::kFeature, Carrier::kDocomo, CookieSupport::kNo, 5},
      {"DoCoMo/2.0 X(c500", DeviceClass::kFeature, Carrier::kDocomo, CookieSupport::kProbe, 30},
      {"DoCoMo/2.0 X(TB; c20)", DeviceClass::kFeature, Carrier::kDocomo, CookieSupport::kNo, 20},
      {"DoCoMo/2.0 X(c0)", DeviceClass::kFeature, Carrier::kDocomo, CookieSupport::kNo, 5},
      {"DoCoMo/2.0 X(c30)", DeviceClass::kFeature, Carrier::kDocomo, CookieSupport::kNo, 30},
      {"DoCoMo/2.0 X(c31)", DeviceClass::kFeature, Carrier::kDocomo, CookieSupport::kNo, 30},
      {"DoCoMo/2.0 X(c99)", DeviceClass::kFeature, Carrier::kDocomo, CookieSupport::kNo, 30},
      {"DoCoMo/2.0 X(c99999999999999999999999)", DeviceClass::kFeature, Carrier::kDocomo,
       CookieSupport::kNo, 30},
      {"DoCoMo/2.0 X(c1x)", DeviceClass::kFeature, Carrier::kDocomo, CookieSupport::kNo, 5},
      {"DoCoMo/2.0 X(C20)", DeviceClass::kFeature, Carrier::kDocomo, CookieSupport::kNo, 5},
      {"DoCoMo/1.0/X/c500", DeviceClass::kFeature, Carrier::kDocomo, CookieSupport::kNo, 30},
      {"DoCoMo/1.0/c20", DeviceClass::kFeature, Carrier::kDocomo, CookieSupport::kNo, 5},
      {"DoCoMo/1.0//", DeviceClass::kFeature, Carrier::kDocomo, CookieSupport::kNo, 5},
      {"DoCoMo/1.0/X/c", DeviceClass::kFeature, Carrier::kDocomo, CookieSupport::kNo, 5},
      {"docomo/2.0 X(c10)", DeviceClass::kPc, Carrier::kNone, CookieSupport::kYes, 0},
      {"KDDI-", DeviceClass::kFeature, Carrier::kAu, CookieSupport::kProbe, 30},
      {"UP.Browser/", DeviceClass::kFeature, Carrier::kAu, CookieSupport::kProbe, 5},
      {"J-PHONE/", DeviceClass::kFeature, Carrier::kSoftbank, CookieSupport::kProbe, 6},
      {"Mozilla/3.0(WILLCOM", DeviceClass::kFeature, Carrier::kWillcom, CookieSupport::kProbe, 30},
      {"Mozilla/3.0(WILLCOM;X/Y/C20)", DeviceClass::kFeature, Carrier::kWillcom,
       CookieSupport::kProbe, 20},
      {"Mozilla/3.0(WILLCOM;X/Y;c8)", DeviceClass::kFeature, Carrier::kWillcom,
       CookieSupport::kProbe, 8},
      {"Mozilla/3.0(DDIPOCKET;X/Y/C0)", DeviceClass::kFeature, Carrier::kWillcom,
       CookieSupport::kProbe, 30},
      {"Mozilla/3.0(WILLCOM;X/Y)C20", DeviceClass::kFeature, Carrier::kWillcom,
       CookieSupport::kProbe, 30},  // outside the parentheses: not the token
      {std::string_view("DoCoMo/2.0 X\0(c10)", 18), DeviceClass::kFeature, Carrier::kDocomo,
       CookieSupport::kNo, 10},
      {"Mozilla/5.0 (iPad; U; CPU iPhone OS 3_2 like Mac OS X; ja-jp)", DeviceClass::kTablet,
       Carrier::kNone, CookieSupport::kYes, 0},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.ua));
    DeviceHeaders h;
    h.user_agent = c.ua;
    DeviceProfile p = DetectDevice(h);
    const bool feature = c.klass == DeviceClass::kFeature;
    EXPECT_EQ(ClassName(p.device_class), ClassName(c.klass));
    EXPECT_EQ(CarrierName(p.carrier), CarrierName(c.carrier));
    EXPECT_EQ(CookieName(p.cookies), CookieName(c.cookies));
    EXPECT_EQ(p.budget_bytes, c.budget_kb * 1024);
    EXPECT_EQ(p.shift_jis, feature);
    EXPECT_EQ(p.accesskey_emoji, c.carrier == Carrier::kDocomo);
    EXPECT_TRUE(p.subscriber.empty());
  }
}

// Every prefix of every table UA, and some bytes appended: no crash, no
// sanitizer report, and never a feature phone with no page limit.
TEST(DeviceEdgeCases, TruncatedUserAgentsNeverCrash) {
  std::vector<UaRow> rows = LoadUserAgents();
  ASSERT_FALSE(rows.empty());
  for (const UaRow& r : rows) {
    for (size_t n = 0; n <= r.ua.size(); ++n) {
      std::string ua = r.ua.substr(0, n);
      for (std::string_view tail : {"", "(", ";", "/", ")", "\xff"}) {
        std::string s = ua + std::string(tail);
        DeviceHeaders h;
        h.user_agent = s;
        DeviceProfile p = DetectDevice(h);
        if (p.feature_phone()) {
          EXPECT_GT(p.budget_bytes, 0u) << s;  // "c3" is a real, if tiny, cache
          EXPECT_LE(p.budget_bytes, 30u * 1024) << s;
        } else {
          EXPECT_EQ(p.budget_bytes, 0u) << s;
        }
      }
    }
  }
}

// The model binds a feature phone's session (gateway/session.h DeviceKey): it
// must be the same on every request of one handset, whatever else its
// User-Agent carries that day (serial numbers, cache and screen tokens).
TEST(DeviceModel, IsTheHandsetWhateverElseTheUserAgentCarries) {
  struct Case {
    const char* ua;
    const char* model;
  } cases[] = {
      {"DoCoMo/1.0/P503i/c10/serNMABH200331", "P503i"},
      {"DoCoMo/1.0/P503i", "P503i"},
      {"DoCoMo/2.0 D902i(c100;TB;W23H16;ser999999999999999;icc0000000000000000000f)", "D902i"},
      {"DoCoMo/2.0 D902i(c100;TB;W23H16)", "D902i"},
      {"DoCoMo/2.0 P2101V", "P2101V"},
      {"KDDI-SA31 UP.Browser/6.2.0.7.3.129 (GUI) MMP/2.0", "SA31"},
      {"UP.Browser/3.04-TS14 UP.Link/3.4.4", "TS14"},
      {"SoftBank/1.0/910T/TJ001/SN123456789012345 Browser/NetFront/3.3 Profile/MIDP-2.0", "910T"},
      {"SoftBank/1.0/910T/TJ001 Browser/NetFront/3.3 Profile/MIDP-2.0", "910T"},
      {"Vodafone/1.0/V905SH/SHJ001 Browser/VF-NetFront/3.3", "V905SH"},
      {"J-PHONE/4.0/J-SH51/SNJSHA3029293 SH/0001aa Profile/MIDP-1.0", "J-SH51"},
      {"MOT-V980/80.2F.2E. MIB/2.2.1 Profile/MIDP-2.0", "MOT-V980"},
      {"Mozilla/3.0(WILLCOM;KYOCERA/WX310K/2;1.2.2.16.000000/0.1/C100) Opera 7.0",
       "KYOCERA/WX310K"},
      {"J-PHONE/1.0", ""},
      {"Mozilla/5.0 (Linux; Android 13; SH-53C) AppleWebKit/537.36 Mobile Safari/537.36", ""},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(DetectDevice(DeviceHeaders{c.ua}).model, c.model) << c.ua;
  }
  // Hostile tokens are not kept: too long, or with control bytes.
  EXPECT_EQ(DetectDevice(DeviceHeaders{"KDDI-" + std::string(40, 'A') + " UP.Browser/6"}).model,
            "");
  EXPECT_EQ(DetectDevice(DeviceHeaders{"KDDI-SA\x1b"
                                       "31 UP.Browser/6"})
                .model,
            "");
}

}  // namespace
}  // namespace shiori::gateway
