// Errors as values: Status says whether an operation worked and why not;
// Result<T> carries either a T or a non-OK Status. Used by every layer.
#ifndef SHIORI_BASE_STATUS_H_
#define SHIORI_BASE_STATUS_H_

#include <string>
#include <utility>
#include <variant>

namespace shiori {

class [[nodiscard]] Status {
 public:
  enum class Code {
    kOk,
    kInvalid,   // the caller's input is wrong; the message says how
    kNotFound,  // the thing asked for does not exist
    kConflict,  // the input is fine but the current state forbids it
    kLocked,    // refused for a while: too many failed attempts
    kIo,        // the OS or a library failed
    kBusy,      // try again later (locked database, full queue)
  };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status Invalid(std::string m) { return Status(Code::kInvalid, std::move(m)); }
  static Status NotFound(std::string m) { return Status(Code::kNotFound, std::move(m)); }
  static Status Conflict(std::string m) { return Status(Code::kConflict, std::move(m)); }
  static Status Locked(std::string m) { return Status(Code::kLocked, std::move(m)); }
  static Status Io(std::string m) { return Status(Code::kIo, std::move(m)); }
  static Status Busy(std::string m) { return Status(Code::kBusy, std::move(m)); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  // One line, no trailing newline; empty when ok().
  const std::string& message() const { return message_; }
  // Two kinds of failure. A refusal (kInvalid, kNotFound, kConflict, kLocked)
  // is the expected answer to what someone asked: its message is written for
  // the person who asked (Japanese where a patron asked) and may be shown to
  // them. Any other failure (kIo, kBusy) is the system's: its message is for
  // the operator's log and never reaches a page.
  bool refusal() const {
    return code_ == Code::kInvalid || code_ == Code::kNotFound || code_ == Code::kConflict ||
           code_ == Code::kLocked;
  }

 private:
  Status(Code c, std::string m) : code_(c), message_(std::move(m)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status s) : v_(std::move(s)) {}     // NOLINT; REQUIRES: !s.ok()

  bool ok() const { return std::holds_alternative<T>(v_); }
  // REQUIRES: ok()
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  // OK when ok(), else the error.
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(v_); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace shiori

// Returns early from the enclosing function when `expr` yields a non-OK Status.
#define SHIORI_RETURN_IF_ERROR(expr) \
  do {                               \
    ::shiori::Status _st = (expr);   \
    if (!_st.ok()) return _st;       \
  } while (0)

#endif  // SHIORI_BASE_STATUS_H_
