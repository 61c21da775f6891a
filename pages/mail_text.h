// pages: the wording of the notices patrons get by mail (subject and body, in
// Japanese), beside the pages' own texts. Plain UTF-8 text with "\n" line
// ends, short for a phone screen: lines under about 30 characters. Dates and
// times come in already written (mail/ writes them as patrons read them); the
// sender (mail/) composes and sends. No SQL, no clock, no HTML.
//
// Thread-safety: pure functions.
#ifndef SHIORI_PAGES_MAIL_TEXT_H_
#define SHIORI_PAGES_MAIL_TEXT_H_

#include <string>
#include <string_view>

namespace shiori::pages {

// A notice's words before composition.
struct MailText {
  std::string subject;
  std::string body;
};

// 予約資料のご用意ができました: the title, 受取館, 取置期限 (`deadline` as
// written, e.g. "12月8日(火)") + まで, the guide's reminder to bring the card,
// the link to 予約確保一覧 (site_url + /account/ready), the library's name.
MailText HoldReadyMail(const std::string& title, const std::string& branch_name,
                       const std::string& deadline, const std::string& library_name,
                       const std::string& site_url);

// 予約の取消: staff cancelled the hold at the patron's request (at the
// counter or by phone): the title, the pickup branch, and that the place in
// the queue is gone; the link to 予約中一覧.
MailText HoldCancelledMail(const std::string& title, const std::string& branch_name,
                           const std::string& library_name, const std::string& site_url);

// メールアドレスの変更: to the old address (`to_old_address`: it will no longer
// get notices) or to the new one; `when` as written ("12月1日(火) 17:00").
MailText EmailChangedMail(bool to_old_address, const std::string& when,
                          const std::string& library_name, const std::string& site_url);

// メールアドレスの確認, to the new address: the link (`link`, absolute, on a
// line of its own) that confirms the address after a login, and until when
// it works (`until` as written); a stranger is told to ignore it.
MailText EmailConfirmMail(const std::string& link, const std::string& until,
                          const std::string& library_name);

// A security notice that the password was registered (パスワードの登録) or
// changed (パスワードの変更), with `when` as written and the kind of device
// (`device_class` "feature", "smartphone", "tablet" or "pc"; anything else is
// shown as 不明). Never holds the password.
MailText PasswordNoticeMail(bool registered, const std::string& when, std::string_view device_class,
                            const std::string& library_name, const std::string& site_url);

}  // namespace shiori::pages

#endif  // SHIORI_PAGES_MAIL_TEXT_H_
