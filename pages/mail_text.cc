// The notices' wording (mail_text.h): 予約資料のご用意, メールアドレスの変更
// and its 確認, パスワードの登録・変更.
#include "pages/mail_text.h"

#include <utility>

namespace shiori::pages {

MailText HoldCancelledMail(const std::string& title, const std::string& branch_name,
                           const std::string& library_name, const std::string& site_url) {
  MailText m;
  m.subject = "予約を取り消しました";
  m.body = "お申し出により、図書館で次の予約を取り消しました。\n\n■資料名\n" + title +
           "\n■受取館\n" + branch_name +
           "\n\n予約の順番は元に戻せません。お心当たりのない場合は図書館にお問い合わせください。\n"
           "\n予約中一覧:\n" +
           site_url + "/account/holds\n\n" + library_name + "\n";
  return m;
}

MailText HoldReadyMail(const std::string& title, const std::string& branch_name,
                       const std::string& deadline, const std::string& library_name,
                       const std::string& site_url) {
  MailText m;
  m.subject = "予約資料のご用意ができました";
  m.body =
      "予約資料のご用意ができました。\n"
      "\n"
      "■資料名\n" +
      title +
      "\n"
      "■受取館\n" +
      branch_name +
      "\n"
      "■取置期限\n" +
      deadline +
      "まで\n"
      "\n"
      "利用者カードをお持ちください。\n"
      "期限をすぎると取消となります。\n"
      "\n"
      "予約確保一覧:\n" +
      site_url + "/account/ready\n\n" + library_name + "\n";
  return m;
}

MailText EmailChangedMail(bool to_old_address, const std::string& when,
                          const std::string& library_name, const std::string& site_url) {
  MailText m;
  m.subject = "メールアドレスの変更";
  std::string b = "利用照会のメールアドレスが\n";
  b += to_old_address ? "変更されました。\n" : "このアドレスに変更されました。\n";
  b += "日時: " + when + "\n\n";
  if (to_old_address) {
    b += "このアドレスには今後\nお知らせが届きません。\n";
  } else {
    b += "予約資料のご用意ができたら\nこのアドレスへお知らせします。\n";
  }
  b += "お心当たりのない場合は\n図書館へご連絡ください。\n\n";
  b += "利用照会:\n" + site_url + "/account\n\n" + library_name + "\n";
  m.body = std::move(b);
  return m;
}

MailText EmailConfirmMail(const std::string& link, const std::string& until,
                          const std::string& library_name) {
  MailText m;
  m.subject = "メールアドレスの確認";
  m.body =
      "利用照会のメールアドレスを\n"
      "このアドレスに変更する\n"
      "お申し込みがありました。\n"
      "\n"
      "下のリンクを開いてログインし、\n"
      "「登録する」を押すと\n"
      "変更が完了します。\n" +
      link +
      "\n"
      "有効期限: " +
      until +
      "まで\n"
      "\n"
      "お心当たりのない場合は\n"
      "このメールを破棄してください。\n"
      "アドレスは変更されません。\n\n" +
      library_name + "\n";
  return m;
}

MailText PasswordNoticeMail(bool registered, const std::string& when, std::string_view device_class,
                            const std::string& library_name, const std::string& site_url) {
  std::string device = "不明";
  if (device_class == "feature") device = "携帯電話";
  if (device_class == "smartphone") device = "スマートフォン";
  if (device_class == "tablet") device = "タブレット";
  if (device_class == "pc") device = "パソコン";
  MailText m;
  m.subject = registered ? "パスワードの登録" : "パスワードの変更";
  std::string b = "利用照会のパスワードが\n";
  b += registered ? "登録されました。\n" : "変更されました。\n";
  b += "日時: " + when + "\n";
  b += "端末: " + device + "\n\n";
  b += "お心当たりのない場合は\n至急図書館へご連絡ください。\n\n";
  b += "利用照会:\n" + site_url + "/account\n\n" + library_name + "\n";
  m.body = std::move(b);
  return m;
}

}  // namespace shiori::pages
