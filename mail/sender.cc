// mail: the sender that drains the outbox (mail.h, SendPending): claims each
// due notice for this run before SMTP is spoken, records every outcome on its
// own commit while the claim is still its own, backs off temporary failures,
// and sends a notice abandoned mid-send once more.
#include <algorithm>
#include <cstdio>
#include <ctime>

#include "db/outbox.h"
#include "mail/mail.h"
#include "mail/mail_internal.h"
#include "pages/pages.h"

namespace shiori::mail {

namespace {

// The back-off after the n-th attempt (n >= 1): 1, 2, 4, ... minutes, at most 30.
int64_t Backoff(int attempts) {
  const int n = std::clamp(attempts, 1, 6);
  return std::min<int64_t>(int64_t{1} << (n - 1), 30) * 60;
}

std::time_t ParseIsoUtc(const std::string& iso) {
  std::tm tm{};
  if (sscanf(iso.c_str(), "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
             &tm.tm_min, &tm.tm_sec) != 6)
    return 0;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return timegm(&tm);
}

// A card number in a log line: its last four digits, as every log shows it.
std::string CardTail(const std::string& card) {
  return "..." + card.substr(card.size() > 4 ? card.size() - 4 : 0);
}

struct Sender {
  db::Connection& c;
  const Settings& mc;
  const std::string& library_name;
  const db::LibraryRules& rules;
  const NowFn& now;
  Random& random;
  std::vector<std::string>* log;
  const MailTransport& transport;
  const std::string token;  // this run's claims
  SenderStats stats;
  bool unreachable = false;
  std::string unreachable_why;  // the SMTP server's silence, or libcurl missing

  void Log(const db::OutboxRow& r, const std::string& what) {
    if (!log) return;
    std::string line = "notice " + std::to_string(r.id) + " (" + r.kind;
    if (r.hold_id) line += ", hold " + std::to_string(r.hold_id);
    line += ", card " + CardTail(r.card) + "): " + what;
    log->push_back(std::move(line));
  }

  Status Fail(const db::OutboxRow& r, const std::string& status, const std::string& reason) {
    SHIORI_RETURN_IF_ERROR(db::MarkNoticeDone(c, r.id, token, status, reason));
    if (status == "failed") ++stats.failed;
    Log(r, status + ": " + reason);
    return Status::Ok();
  }

  // The message for a claimed row, or a reason it cannot be sent (*skip: the
  // notice is no longer wanted, rather than failed).
  Result<Message> Build(const db::NoticeData& d, bool* skip) {
    const db::OutboxRow& r = d.row;
    const std::string to = !r.to_address.empty() ? r.to_address : d.patron_email;
    if (to.empty()) return Status::Invalid("the patron has no e-mail address");
    const std::time_t created = ParseIsoUtc(r.created_at);
    if (r.kind == "hold_ready") {
      if (d.hold_status != "ready") {
        *skip = true;
        return Status::Conflict("the hold is " +
                                (d.hold_status.empty() ? std::string("gone") : d.hold_status) +
                                ", no longer ready");
      }
      auto deadline = db::Date::Parse(d.deadline);
      if (!deadline) return Status::Io("hold " + std::to_string(r.hold_id) + ": bad deadline");
      std::string branch = d.branch_name;
      if (const db::Branch* b = rules.FindBranch(d.branch_code)) branch = b->name;
      return HoldReadyMessage(to, pages::TitleWithVolume(d.title, d.volume), branch, *deadline,
                              library_name, mc.site_url);
    }
    if (r.kind == "hold_cancelled") {
      std::string branch = d.branch_name;
      if (const db::Branch* b = rules.FindBranch(d.branch_code)) branch = b->name;
      return HoldCancelledMessage(to, pages::TitleWithVolume(d.title, d.volume), branch,
                                  library_name, mc.site_url);
    }
    if (r.kind == "email_changed") {
      return EmailChangedMessage(to, r.detail == "old", created, library_name, mc.site_url);
    }
    if (r.kind == "email_confirm") {
      const std::time_t until = created + mc.confirm_valid_s;
      if (now() >= until) {
        *skip = true;
        return Status::Conflict("the confirmation expired before it could be sent");
      }
      if (r.detail.empty()) return Status::Invalid("the confirmation has no code");
      return EmailConfirmMessage(to, r.detail, until, library_name, mc.site_url);
    }
    if (r.kind == "password_registered" || r.kind == "password_changed") {
      return PasswordNoticeMessage(to, r.kind == "password_registered", created, r.detail,
                                   library_name, mc.site_url);
    }
    return Status::Invalid("unknown notice kind " + r.kind);
  }

  // Sends row `id`, claimed by this run, and records the outcome.
  Status Deliver(int64_t id, const std::string& message_id) {
    auto data = db::LoadNotice(c, id);
    if (!data.ok()) return data.status();
    if (!data->has_value()) return Status::Ok();
    const db::NoticeData& d = **data;
    const db::OutboxRow& r = d.row;
    if (r.status != "sending" || r.claim_token != token) {
      return Status::Conflict("another sender took the notice over");
    }
    bool skip = false;
    auto msg = Build(d, &skip);
    if (!msg.ok()) {
      if (msg.status().code() == Status::Code::kIo) return msg.status();
      return Fail(r, skip ? "skipped" : "failed", msg.status().message());
    }
    auto bytes = ComposeMessage(mc, *msg, message_id, static_cast<std::time_t>(now()));
    if (!bytes.ok()) return Fail(r, "failed", bytes.status().message());
    const SendResult sent = transport(msg->to, *bytes);
    const std::string domain(detail::DomainOf(msg->to));
    switch (sent.outcome) {
      case SendOutcome::kSent:
        SHIORI_RETURN_IF_ERROR(db::MarkNoticeSent(c, id, token, now()));
        ++stats.sent;
        Log(r, "sent to ...@" + domain);
        return Status::Ok();
      case SendOutcome::kPermanent:
        return Fail(r, "failed", "refused: " + sent.detail);
      case SendOutcome::kTemporary:
        break;
    }
    if (!sent.server_answered) {
      unreachable = true;
      unreachable_why = sent.detail;
    }
    const int64_t t = now();
    const int64_t first = r.first_try_at ? r.first_try_at : t;
    if (t - first >= mc.give_up_after_s) {
      return Fail(r, "failed",
                  "gave up after " + std::to_string(r.attempts) + " attempts: " + sent.detail);
    }
    const int64_t wait = Backoff(r.attempts);
    SHIORI_RETURN_IF_ERROR(db::MarkNoticeRetry(c, id, token, t + wait, sent.detail));
    ++stats.retried;
    Log(r, "will retry in " + std::to_string(wait / 60) + " min: " + sent.detail);
    return Status::Ok();
  }

  // A row whose outcome could not be recorded: logged, counted, the run goes on.
  void RowFailed(int64_t id, const std::string& card, const Status& s) {
    ++stats.errors;
    if (log) {
      log->push_back("notice " + std::to_string(id) +
                     (card.empty() ? "" : " (card " + CardTail(card) + ")") +
                     ": not recorded: " + s.message());
    }
  }

  Status Run() {
    // 1. Rows a sender left in 'sending' (it stopped mid-send).
    auto abandoned = db::AbandonedNotices(c, now() - mc.lease_s);
    if (!abandoned.ok()) return abandoned.status();
    for (const db::OutboxRow& r : *abandoned) {
      auto claimed = db::ReclaimNotice(c, r, token, now());
      if (!claimed.ok()) {
        RowFailed(r.id, r.card, claimed.status());
        continue;
      }
      if (!*claimed) continue;  // another sender took it over first
      Status s;
      if (r.resent_uncertain) {
        s = Fail(r, "failed",
                 "outcome uncertain twice (the sender stopped mid-send); not sent again");
      } else {
        Log(r, "outcome uncertain, sending once more");
        s = Deliver(r.id, r.message_id.empty() ? NewMessageId(mc, random) : r.message_id);
      }
      if (!s.ok()) RowFailed(r.id, r.card, s);
      if (unreachable) return Status::Ok();
    }
    // 2. Pending rows that are due.
    auto due = db::DueNotices(c, now());
    if (!due.ok()) return due.status();
    for (int64_t id : *due) {
      auto mid = db::ClaimNotice(c, id, token, now(), NewMessageId(mc, random));
      if (!mid.ok()) {
        RowFailed(id, "", mid.status());
        continue;
      }
      if (!mid->has_value()) continue;  // another sender took it
      Status s = Deliver(id, **mid);
      if (!s.ok()) RowFailed(id, "", s);
      if (unreachable) {
        if (log) log->push_back("mail: cannot send (" + unreachable_why + "); the rest wait");
        return Status::Ok();
      }
    }
    return Status::Ok();
  }
};

}  // namespace

Result<SenderStats> SendPending(db::Connection& c, const Settings& mc,
                                const std::string& library_name, const db::LibraryRules& rules,
                                const NowFn& now, Random& random, std::vector<std::string>* log,
                                const MailTransport& transport) {
  Sender s{c,   mc,        library_name,     rules, now,   random,
           log, transport, NewToken(random), {},    false, {}};
  SHIORI_RETURN_IF_ERROR(s.Run());
  return s.stats;
}

Result<SenderStats> SendPending(db::Connection& c, const Settings& mc,
                                const std::string& library_name, const db::LibraryRules& rules,
                                const NowFn& now, Random& random, std::vector<std::string>* log) {
  const MailTransport smtp = [&mc](const std::string& to, const std::string& bytes) {
    return SendMail(mc, to, bytes);
  };
  return SendPending(c, mc, library_name, rules, now, random, log, smtp);
}

}  // namespace shiori::mail
