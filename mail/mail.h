// mail: the patron notices as e-mail. Its settings (the [mail] section of the
// configuration), composing RFC 5322 messages, sending them over SMTP with
// libcurl, and the sender that drains the outbox. The notices' wording is
// pages/mail_text.h; the ISO-2022-JP encoding is charset.h (rules M1..M7).
//
// Composition policy:
// - Mail to a Japanese carrier address (Settings::carrier_domains) is
//   ISO-2022-JP, 7bit: each line of the body goes through
//   charset::Utf8ToIso2022Jp (what is carried, remapped or 〓) and is cut into
//   lines of at most 76 bytes, escape sequences included, each ending in ASCII
//   mode; a header value is RFC 2047 B-encoded from pieces of at most 36 bytes.
// - Any other address gets UTF-8 as given, each ill-formed subsequence as
//   U+FFFD and controls other than TAB dropped (rule M1), the body in base64.
// - Line breaks in a body (CRLF, LF, CR) become CRLF; header lines are folded
//   to at most 76 bytes.
//
// Thread-safety: every function may be called from any thread; SendPending
// uses the connection it is given (one thread at a time, as db.h says).
#ifndef SHIORI_MAIL_MAIL_H_
#define SHIORI_MAIL_MAIL_H_

#include <cstdint>
#include <ctime>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/random.h"
#include "base/status.h"
#include "db/outbox.h"
#include "db/rules.h"
#include "db/sqlite.h"

namespace shiori::mail {

// The carrier domains that get ISO-2022-JP mail (a subdomain counts too).
std::vector<std::string> DefaultCarrierDomains();

// The [mail] settings, with their built-in defaults (conf/shiori.toml shows
// each with its key). The one copy: gateway::Config holds it, its TOML loader
// fills it, and the sender reads it.
struct Settings {
  std::string from = "yoyaku@izumi-library.jp";  // envelope and header sender
  std::string from_name = "出水市立図書館";      // display name; may be empty
  std::string host = "127.0.0.1";                // the SMTP relay
  int port = 25;
  std::string security = "none";  // none | starttls (required, not opportunistic) | tls (smtps)
  std::string user, password;     // SMTP AUTH when user is not empty
  std::string helo = "localhost";
  // ISO-2022-JP for addresses at these domains. Default: DefaultCarrierDomains()
  std::vector<std::string> carrier_domains = DefaultCarrierDomains();
  // Seconds allowed for connecting; the whole exchange may take three times that. Default: 20
  int timeout_s = 20;
  // The OPAC's base URL for links in notices (and the QR code), without a trailing slash.
  std::string site_url = "http://127.0.0.1:8080";
  // A notice still failing temporarily this long after its first try is failed. Default: 2 days
  int64_t give_up_after_s = 2 * 24 * 3600;
  // How often the server drains the outbox, in seconds. Default: 60
  int send_interval_s = 60;
  // A notice a sender has claimed is that sender's for this many seconds from
  // the claim; only after that may another sender take it over (the first one
  // died mid-send). Longer than any send: more than 3 * timeout_s. Default: 120
  int lease_s = 120;
  // How many notices patrons' own actions may queue per hour (hold_ready
  // is neither limited nor counted). Default: 10 per patron, 5 per address
  db::NoticeLimits limits;
  // How long the link confirming a new e-mail address works. Default: 24 hours
  int64_t confirm_valid_s = 24 * 3600;
};

// A notice before composition; all UTF-8.
struct Message {
  std::string to, subject, body;
};

// True when the domain of `address` is one of `domains` or a subdomain of one,
// ignoring case.
bool IsCarrierAddress(std::string_view address, const std::vector<std::string>& domains);

// "<32 random hex digits from `random`>@<domain of s.from>", for the
// Message-ID header.
std::string NewMessageId(const Settings& s, Random& random);

// Builds the message bytes (CRLF line ends): Date (`date` in local time with
// its offset), From (display name RFC 2047 B-encoded), To, Subject
// (B-encoded when not plain ASCII), Message-ID <message_id>, MIME-Version,
// Content-Type, Content-Transfer-Encoding, then the body, by the policy above.
// An old phone address whose local part is not a dot-atom
// ("a..b."@docomo.ne.jp) is written quoted.
// Invalid when a header value (to, subject, s.from, s.from_name, message_id)
// holds CR, LF or another control character, when `to` or s.from is not an
// address (db::ValidateEmail), or message_id is not "left@right" without <>.
// Io when iconv cannot convert to ISO-2022-JP.
Result<std::string> ComposeMessage(const Settings& s, const Message& m, std::string_view message_id,
                                   std::time_t date);

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
// s.user is set; the EHLO name s.helo; s.timeout_s for connecting, three
// times that for the whole exchange. Certificates are verified. A 250 to the
// end of the data counts as sent even if the connection then fails. A failing
// login is kTemporary (fix the configuration and the notices go out). Never
// throws. libcurl is opened on the first call (dlopen, once per process);
// when it cannot be, nothing is sent and the result is kTemporary with
// server_answered false and the detail "cannot load libcurl.so.4 (libcurl4):
// <dlerror>": SendPending records the attempt and stops, as for a server that
// cannot be reached.
SendResult SendMail(const Settings& s, const std::string& to, const std::string& bytes);

// ---------------------------------------------------------------- notices
// The notices as the sender sends them: dates and times as patrons read them
// (db::JapaneseDate, local time), worded by pages/mail_text.h.

// 予約資料のご用意ができました for a hold ready at `branch_name` until `deadline`.
Message HoldReadyMessage(const std::string& to, const std::string& title,
                         const std::string& branch_name, const db::Date& deadline,
                         const std::string& library_name, const std::string& site_url);

// 予約を取り消しました: staff cancelled the hold at the patron's request.
Message HoldCancelledMessage(const std::string& to, const std::string& title,
                             const std::string& branch_name, const std::string& library_name,
                             const std::string& site_url);

// メールアドレスの変更, to the old address or the new one; `when` in local time.
Message EmailChangedMessage(const std::string& to, bool to_old_address, std::time_t when,
                            const std::string& library_name, const std::string& site_url);

// メールアドレスの確認, to the new address: the link that confirms it
// (site_url + EmailConfirmPath(code)), working until `until` (local time).
Message EmailConfirmMessage(const std::string& to, const std::string& code, std::time_t until,
                            const std::string& library_name, const std::string& site_url);
// "/account/email/confirm?c=<code>": the confirmation page of `code`.
std::string EmailConfirmPath(const std::string& code);

// パスワードの登録 or パスワードの変更, with the time and the kind of device
// ("feature", "smartphone", "tablet", "pc" as ClassName gives). Never holds
// the password.
Message PasswordNoticeMessage(const std::string& to, bool registered, std::time_t when,
                              std::string_view device_class, const std::string& library_name,
                              const std::string& site_url);

// ---------------------------------------------------------------- the sender

struct SenderStats {
  int sent = 0;     // delivered to the SMTP server
  int retried = 0;  // failed temporarily, tried again after a back-off
  int failed = 0;   // failed for good (permanent error, given up, no address, uncertain twice)
  // Notices whose outcome this run could not record (a database error, or
  // another sender took the claim over meanwhile): logged, and the run went on.
  int errors = 0;
};

// What SendPending talks to; SendMail with the settings by default.
using MailTransport = std::function<SendResult(const std::string& to, const std::string& bytes)>;
// The time, read at each claim and outcome (unix seconds).
using NowFn = std::function<int64_t()>;

// Drains the outbox once, as one sender run with a token of its own (from
// `random`), reading the time from `now` at every step:
// 1. A row left 'sending' with a claim older than s.lease_s (its sender died
//    mid-send) is taken over and sent once more with the same Message-ID,
//    logged "outcome uncertain, sending once more"; one found so a second
//    time is failed, never sent a third time.
// 2. Every due pending row (next_try_at <= now) is claimed: marked 'sending'
//    with this run's token and the time of that claim, committed before SMTP
//    is spoken; then sent, and the outcome committed only while the claim is
//    still this run's: sent; failed (permanent, no address); skipped (the
//    hold is no longer ready, a confirmation expired); or pending again after
//    1, 2, 4, ... minutes, at most 30, until give_up_after_s after its first
//    try, then failed.
// A row another sender holds is never sent, marked or released by this one.
// When the server cannot be reached the run stops there; the other rows
// wait. Any other failure on one row (its outcome cannot be recorded) is
// logged and counted in `errors`, and the run goes on with the next row.
// `log` (may be null) gets one English line per notice, the card shown by
// its last four digits only. Returns the counts; a database error before any
// row is claimed (listing the rows) is returned.
// REQUIRES: `c` migrated, no transaction open on it.
Result<SenderStats> SendPending(db::Connection& c, const Settings& s,
                                const std::string& library_name, const db::LibraryRules& rules,
                                const NowFn& now, Random& random, std::vector<std::string>* log);
// The same with another transport (tests, or a queue in front of SMTP).
Result<SenderStats> SendPending(db::Connection& c, const Settings& s,
                                const std::string& library_name, const db::LibraryRules& rules,
                                const NowFn& now, Random& random, std::vector<std::string>* log,
                                const MailTransport& transport);

}  // namespace shiori::mail

#endif  // SHIORI_MAIL_MAIL_H_
