// mail: the notices the sender sends, as Messages: dates and times written as
// patrons read them, the words from pages/mail_text.h.
#include <cstdio>
#include <utility>

#include "mail/mail.h"
#include "pages/mail_text.h"

namespace shiori::mail {
namespace {

Message To(const std::string& to, pages::MailText text) {
  return Message{to, std::move(text.subject), std::move(text.body)};
}

}  // namespace

Message HoldReadyMessage(const std::string& to, const std::string& title,
                         const std::string& branch_name, const db::Date& deadline,
                         const std::string& library_name, const std::string& site_url) {
  return To(to, pages::HoldReadyMail(title, branch_name, db::JapaneseDate(deadline), library_name,
                                     site_url));
}

Message HoldCancelledMessage(const std::string& to, const std::string& title,
                             const std::string& branch_name, const std::string& library_name,
                             const std::string& site_url) {
  return To(to, pages::HoldCancelledMail(title, branch_name, library_name, site_url));
}

Message EmailChangedMessage(const std::string& to, bool to_old_address, std::time_t when,
                            const std::string& library_name, const std::string& site_url) {
  return To(to, pages::EmailChangedMail(to_old_address, db::JapaneseDateTime(when), library_name,
                                        site_url));
}

std::string EmailConfirmPath(const std::string& code) { return "/account/email/confirm?c=" + code; }

Message EmailConfirmMessage(const std::string& to, const std::string& code, std::time_t until,
                            const std::string& library_name, const std::string& site_url) {
  return To(to, pages::EmailConfirmMail(site_url + EmailConfirmPath(code),
                                        db::JapaneseDateTime(until), library_name));
}

Message PasswordNoticeMessage(const std::string& to, bool registered, std::time_t when,
                              std::string_view device_class, const std::string& library_name,
                              const std::string& site_url) {
  return To(to, pages::PasswordNoticeMail(registered, db::JapaneseDateTime(when), device_class,
                                          library_name, site_url));
}

}  // namespace shiori::mail
