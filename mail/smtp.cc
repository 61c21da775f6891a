// mail: sending a composed message over SMTP with libcurl (opened on the first
// send, curl_lib_internal.h). libcurl's debug callback shows the dialogue, so a
// refusal is told apart from a server that was never reached, and a 250 after
// the data counts as delivered whatever happens next.
#include <algorithm>
#include <cstring>
#include <memory>

#include "mail/curl_lib_internal.h"
#include "mail/mail.h"
#include "mail/mail_internal.h"

namespace shiori::mail {

namespace {

using detail::AddrSpec;
using detail::CurlApi;
using detail::Lower;

struct CurlDeleter {
  const CurlApi* curl;
  void operator()(CURL* h) const { curl->curl_easy_cleanup(h); }
};
struct SlistDeleter {
  const CurlApi* curl;
  void operator()(curl_slist* l) const { curl->curl_slist_free_all(l); }
};

struct Upload {
  const std::string* bytes;
  size_t pos = 0;
};

size_t ReadUpload(char* buf, size_t size, size_t n, void* user) {
  auto* u = static_cast<Upload*>(user);
  const size_t len = std::min(size * n, u->bytes->size() - u->pos);
  std::memcpy(buf, u->bytes->data() + u->pos, len);
  u->pos += len;
  return len;
}

// What the dialogue showed: the first 4xx or 5xx reply and the command it
// answered (libcurl says QUIT after it, so the last reply is "221 Bye"), the
// last reply, and whether the server said 250 to the end of the message.
struct Dialogue {
  std::string command;        // the last command sent: its verb, lower case
  std::string error_command;  // the command the first error answered
  std::string error_reply;    // the first 4xx or 5xx reply line
  std::string last_reply;
  bool answered = false;
  bool data_sent = false;
  bool error_after_data = false;
  bool accepted = false;
};

int OnDebug(CURL*, curl_infotype type, char* data, size_t size, void* user) {
  auto* d = static_cast<Dialogue*>(user);
  std::string_view s(data, size);
  if (type == CURLINFO_HEADER_OUT) {
    const size_t sp = s.find_first_of(" \r\n:");
    d->command = Lower(s.substr(0, sp));
  } else if (type == CURLINFO_DATA_OUT) {
    d->data_sent = true;
  } else if (type == CURLINFO_HEADER_IN) {
    while (!s.empty() && (s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
    if (s.empty()) return 0;
    d->answered = true;
    d->last_reply = std::string(s.substr(0, 300));
    const bool error = s.size() >= 3 && (s[0] == '4' || s[0] == '5');
    if (error && d->error_reply.empty()) {
      d->error_reply = d->last_reply;
      d->error_command = d->command;
      d->error_after_data = d->data_sent;
    }
    if (d->data_sent && d->error_reply.empty() && s.compare(0, 3, "250") == 0) d->accepted = true;
  }
  return 0;
}

}  // namespace

SendResult SendMail(const Settings& s, const std::string& to, const std::string& bytes) {
  SendResult res;
  auto loaded = detail::LoadCurl();
  if (!loaded.ok()) {  // like a server that cannot be reached: kept and tried again later
    res.detail = loaded.status().message();
    return res;
  }
  const CurlApi& curl = **loaded;
  std::unique_ptr<CURL, CurlDeleter> h(curl.curl_easy_init(), CurlDeleter{&curl});
  if (!h) {
    res.detail = "curl_easy_init failed";
    return res;
  }
  const bool tls = s.security == "tls";
  std::string host = s.host;
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  const std::string url = std::string(tls ? "smtps://" : "smtp://") + host + ":" +
                          std::to_string(s.port) + "/" + s.helo;
  const std::string from = "<" + AddrSpec(s.from) + ">";
  std::unique_ptr<curl_slist, SlistDeleter> rcpt(
      curl.curl_slist_append(nullptr, ("<" + AddrSpec(to) + ">").c_str()), SlistDeleter{&curl});
  Upload up{&bytes};
  Dialogue dialogue;
  char error[CURL_ERROR_SIZE] = "";
  CURL* e = h.get();
  curl.curl_easy_setopt(e, CURLOPT_URL, url.c_str());
  curl.curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl.curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl.curl_easy_setopt(e, CURLOPT_USE_SSL,
                        s.security == "starttls" ? static_cast<long>(CURLUSESSL_ALL)
                                                 : static_cast<long>(CURLUSESSL_NONE));
  if (!s.user.empty()) {
    curl.curl_easy_setopt(e, CURLOPT_USERNAME, s.user.c_str());
    curl.curl_easy_setopt(e, CURLOPT_PASSWORD, s.password.c_str());
  }
  curl.curl_easy_setopt(e, CURLOPT_MAIL_FROM, from.c_str());
  curl.curl_easy_setopt(e, CURLOPT_MAIL_RCPT, rcpt.get());
  curl.curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
  curl.curl_easy_setopt(e, CURLOPT_READFUNCTION, ReadUpload);
  curl.curl_easy_setopt(e, CURLOPT_READDATA, &up);
  curl.curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(bytes.size()));
  curl.curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, static_cast<long>(s.timeout_s));
  curl.curl_easy_setopt(e, CURLOPT_TIMEOUT, static_cast<long>(s.timeout_s) * 3);
  curl.curl_easy_setopt(e, CURLOPT_ERRORBUFFER, error);
  curl.curl_easy_setopt(e, CURLOPT_VERBOSE, 1L);  // feeds OnDebug; nothing is printed
  curl.curl_easy_setopt(e, CURLOPT_DEBUGFUNCTION, OnDebug);
  curl.curl_easy_setopt(e, CURLOPT_DEBUGDATA, &dialogue);

  const CURLcode rc = curl.curl_easy_perform(e);
  res.server_answered = dialogue.answered;
  if (rc == CURLE_OK || dialogue.accepted) {  // 250 after the data: delivered, whatever QUIT did
    res.outcome = SendOutcome::kSent;
    res.detail = dialogue.last_reply;
    return res;
  }
  res.detail = !dialogue.error_reply.empty()  ? dialogue.error_reply
               : !dialogue.last_reply.empty() ? dialogue.last_reply
               : error[0] != '\0'             ? std::string(error)
                                              : std::string(curl.curl_easy_strerror(rc));
  // A 5xx refusing the sender, the recipient or the message is final; one to
  // the greeting, EHLO, STARTTLS or AUTH is about this server or our settings.
  const std::string& cmd = dialogue.error_command;
  const bool about_message =
      dialogue.error_after_data || cmd == "mail" || cmd == "rcpt" || cmd == "data";
  res.outcome = !dialogue.error_reply.empty() && dialogue.error_reply[0] == '5' && about_message
                    ? SendOutcome::kPermanent
                    : SendOutcome::kTemporary;
  return res;
}

}  // namespace shiori::mail
