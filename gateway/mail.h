// Mail notices: composing RFC 5322 messages (ISO-2022-JP for Japanese carrier
// addresses, UTF-8 for the rest), sending them over SMTP with libcurl, the
// patron notices' wording, and the sender that drains the outbox.
//
// Charset policy for carrier mail (ISO-2022-JP, RFC 1468, as glibc iconv
// "ISO-2022-JP" writes it: ASCII and JIS X 0208 only). Each character of the
// UTF-8 text, after NFC, goes through the first rule that applies:
//  M1. C0 controls other than TAB, and DEL, are dropped (an ESC would switch
//      the phone's decoder); line breaks (CRLF, LF, CR) become CRLF.
//  M2. Default-ignorable code points (ZWJ, variation selectors, BOM, ...)
//      produce nothing, as in charset.h rule O5.
//  M3. Known variants are mapped to the form JIS X 0208 holds: ～ U+FF5E ->
//      〜 U+301C, － U+FF0D -> − U+2212, ∥ -> ‖, — U+2014 -> ― U+2015,
//      ￠￡￢ -> ¢£¬, ¥ -> ￥ and ‾ -> ￣ (never ESC ( J), and kanji outside
//      JIS X 0208 that names are written with: 髙 -> 高, 﨑 -> 崎, 德 -> 徳,
//      濵 -> 濱, 栁 -> 柳, 塚 U+FA10 -> 塚, 𠮷 -> 吉.
//  M4. A character ISO-2022-JP carries stays.
//  M5. NFKC, when every character it gives is carried: ① -> 1, ㈱ -> (株),
//      Ⅲ -> III, № -> No, ㍉ -> ミリ; half-width katakana with a following
//      (semi-)voiced mark as one: ｶﾞ -> ガ.
//  M6. Anything else, and each maximal ill-formed UTF-8 subsequence, is one
//      〓 U+3013 (emoji, 𠀋, Hangul, é).
// Body lines are wrapped to at most 76 bytes, escape sequences included, each
// line ending in ASCII mode. Non-carrier mail is UTF-8 as given (each
// ill-formed subsequence becomes U+FFFD), rule M1 applied, body in base64.
//
// Thread-safety: every function may be called from any thread; SendPending
// uses the connection it is given (one thread at a time, as db.h says).
#ifndef SHIORI_GATEWAY_MAIL_H_
#define SHIORI_GATEWAY_MAIL_H_

#include <cstdint>
#include <ctime>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "db/rules.h"
#include "db/sqlite.h"

namespace shiori::gateway {

// The carrier domains that get ISO-2022-JP mail (a subdomain counts too).
std::vector<std::string> DefaultCarrierDomains();

struct MailConfig {
  std::string from = "yoyaku@izumi-library.jp";  // envelope and header sender
  std::string from_name = "出水市立図書館";      // display name; may be empty
  std::string host = "127.0.0.1";
  int port = 25;
  std::string security = "none";  // none | starttls (required, not opportunistic) | tls (smtps)
  std::string user, password;     // SMTP AUTH when user is not empty
  std::string helo = "localhost";
  std::vector<std::string> carrier_domains = DefaultCarrierDomains();
  // Seconds allowed for connecting; the whole exchange may take three times that. Default: 20
  int timeout_s = 20;
  // The OPAC's base URL for links in notices, without a trailing slash.
  std::string site_url = "http://127.0.0.1:8080";
  // A notice still failing temporarily this long after its first try is failed. Default: 2 days
  int64_t give_up_after_s = 2 * 24 * 3600;
};

// A notice before composition; all UTF-8.
struct Message {
  std::string to, subject, body;
};

// True when the domain of `address` is one of `domains` or a subdomain of one,
// ignoring case.
bool IsCarrierAddress(std::string_view address, const std::vector<std::string>& domains);

// "<32 random hex digits>@<domain of c.from>", for the Message-ID header.
std::string NewMessageId(const MailConfig& c);

// Builds the message bytes (CRLF line ends): Date (`date` in local time with
// its offset), From (display name RFC 2047 B-encoded), To, Subject
// (B-encoded when not plain ASCII), Message-ID <message_id>, MIME-Version,
// Content-Type, Content-Transfer-Encoding, then the body. Carrier address
// (IsCarrierAddress with c.carrier_domains): ISO-2022-JP, 7bit, lines <= 76
// bytes, by the policy above; otherwise UTF-8 in base64. Header lines are
// folded to <= 76 bytes. An old phone address whose local part is not a
// dot-atom ("a..b."@docomo.ne.jp) is written quoted.
// Invalid when a header value (to, subject, c.from, c.from_name, message_id)
// holds CR, LF or another control character, when `to` or c.from is not an
// address (ValidateEmail), or message_id is not "left@right" without <>.
Result<std::string> ComposeMessage(const MailConfig& c, const Message& m,
                                   std::string_view message_id, std::time_t date);

enum class SendOutcome {
  kSent,       // the server took the message (250 after DATA)
  kTemporary,  // no connection, timeout, TLS or login failure, a 4xx: try again later
  kPermanent,  // a 5xx for the sender, the recipient or the message: do not try again
};
struct SendResult {
  SendOutcome outcome = SendOutcome::kTemporary;
  // The server's last reply line ("550 no such user"), or libcurl's reason
  // when the server said nothing ("Couldn't connect to server").
  std::string detail;
  // True when an SMTP reply was read at all; false means the server was not
  // reached, so the sender stops its run rather than wait once per notice.
  bool server_answered = false;
};

// Sends `bytes` (from ComposeMessage) to `to` with libcurl: smtp:// or, for
// security "tls", smtps://; STARTTLS required for "starttls"; AUTH when
// c.user is set; the EHLO name c.helo; c.timeout_s for connecting, three
// times that for the whole exchange. Certificates are verified. A 250 to the
// end of the data counts as sent even if the connection then fails. A failing
// login is kTemporary (fix the configuration and the notices go out). Never
// throws. libcurl is opened on the first call (dlopen, once per process);
// when it cannot be, nothing is sent and the result is kTemporary with
// server_answered false and the detail "cannot load libcurl.so.4 (libcurl4):
// <dlerror>": SendPending records the attempt and stops, as for a server that
// cannot be reached.
SendResult SendMail(const MailConfig& c, const std::string& to, const std::string& bytes);

// ---------------------------------------------------------------- notices
// Short, for a phone screen: lines under about 30 characters.

// 予約資料のご用意ができました: title, 受取館, 取置期限 M月D日(曜), the guide's
// reminder to bring the card, the link to 予約確保一覧 (site_url + /account/ready),
// the library's name.
Message HoldReadyMessage(const std::string& to, const std::string& title,
                         const std::string& branch_name, const db::Date& deadline,
                         const std::string& library_name, const std::string& site_url);

// メールアドレスの変更: to the old address (`to_old_address`: it will no longer
// get notices) or to the new one; `when` is shown in local time.
Message EmailChangedMessage(const std::string& to, bool to_old_address, std::time_t when,
                            const std::string& library_name, const std::string& site_url);

// A security notice that the password was registered (新規パスワード登録) or
// changed, with the time and the kind of device ("feature", "smartphone",
// "tablet", "pc" as ClassName gives; anything else is shown as 不明). Never
// holds the password.
Message PasswordNoticeMessage(const std::string& to, bool registered, std::time_t when,
                              std::string_view device_class, const std::string& library_name,
                              const std::string& site_url);

// ---------------------------------------------------------------- the sender

struct SenderStats {
  int sent = 0;     // delivered to the SMTP server
  int retried = 0;  // failed temporarily, tried again after a back-off
  int failed = 0;   // failed for good (permanent error, given up, no address, uncertain twice)
};

// What SendPending talks to; SendMail with the configuration by default.
using MailTransport = std::function<SendResult(const std::string& to, const std::string& bytes)>;

// Drains the outbox once, at time `now` (unix seconds):
// 1. A row left 'sending' for longer than any send can take (3 * timeout_s +
//    60 s: the process died mid-send) is sent once more with the same
//    Message-ID, logged "outcome uncertain, sending once more"; one found so
//    a second time is failed, never sent a third time.
// 2. Every due pending row (next_try_at <= now) is claimed: marked 'sending'
//    and committed before SMTP is spoken; then sent, and the outcome committed:
//    sent; failed (permanent, no address); skipped (the hold is no longer
//    ready); or pending again after 1, 2, 4, ... minutes, at most 30, until
//    give_up_after_s after its first try, then failed.
// When the server cannot be reached the run stops there; the other rows wait.
// `log` (may be null) gets one English line per notice. Returns the counts;
// a database error stops the run and is returned (rows stay as committed).
// REQUIRES: `c` migrated, no transaction open on it.
Result<SenderStats> SendPending(db::Connection& c, const MailConfig& mc,
                                const std::string& library_name, const db::LibraryRules& rules,
                                int64_t now, std::vector<std::string>* log);
// The same with another transport (tests, or a queue in front of SMTP).
Result<SenderStats> SendPending(db::Connection& c, const MailConfig& mc,
                                const std::string& library_name, const db::LibraryRules& rules,
                                int64_t now, std::vector<std::string>* log,
                                const MailTransport& transport);

}  // namespace shiori::gateway

#endif  // SHIORI_GATEWAY_MAIL_H_
