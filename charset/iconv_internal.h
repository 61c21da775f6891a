// Internal to charset/: the glibc iconv handling both encoders share (Shift_JIS in charset.cc,
// ISO-2022-JP in iso2022jp.cc): the owner of an iconv_t, the one errno -> Status converter, and
// an output buffer iconv writes into directly.
#ifndef SHIORI_CHARSET_ICONV_INTERNAL_H_
#define SHIORI_CHARSET_ICONV_INTERNAL_H_

#include <errno.h>
#include <iconv.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>

#include "base/status.h"

namespace shiori::charset::detail {

// iconv reads code points from a wchar_t string, which glibc holds as UCS-4 (its internal
// form), so UCS-4 -> X is one conversion step: an unconvertible character costs one iconv
// call (~15 ns). From UTF-8 (two steps) glibc re-converts its whole intermediate buffer to
// find the failing character, ~20 µs per failure, superlinear in the length.
static_assert(sizeof(wchar_t) == 4, "glibc's WCHAR_T is UCS-4");
inline constexpr const char* kUcs4 = "WCHAR_T";

// Owns one iconv_t. An iconv_t holds conversion state, so one handle serves one call on
// one thread; opening costs about 0.2 µs, cheaper than any pool's locking.
class Iconv {
 public:
  Iconv(const char* to, const char* from) : cd_(iconv_open(to, from)) {}
  ~Iconv() {
    if (ok()) iconv_close(cd_);
  }
  Iconv(const Iconv&) = delete;
  Iconv& operator=(const Iconv&) = delete;

  bool ok() const { return cd_ != reinterpret_cast<iconv_t>(-1); }
  iconv_t get() const { return cd_; }

 private:
  iconv_t cd_;
};

// The one converter from an iconv errno to a Status (for the failures that are not the
// caller's bytes: those get their own messages).
inline Status IconvStatus(std::string_view what, int err) {
  const char* desc = strerrordesc_np(err);
  return Status::Io(std::string(what) + ": " + (desc != nullptr ? desc : "unknown error") +
                    " (errno " + std::to_string(err) + ")");
}

// Output that iconv writes into directly: the string is sized ahead and only used() bytes are
// real, so stopping and restarting iconv (once per 〓) neither shrinks nor zero-fills again.
class OutBuffer {
 public:
  explicit OutBuffer(std::string* s) : s_(s), used_(s->size()) {}
  // Makes room for at least n more bytes; grows by doubling, so appending stays linear.
  void Reserve(size_t n) {
    if (room() < n) s_->resize(std::max(s_->size() * 2, used_ + n));
  }
  char* end() { return s_->data() + used_; }
  size_t room() const { return s_->size() - used_; }
  void MoveEnd(const char* new_end) { used_ = static_cast<size_t>(new_end - s_->data()); }
  void Append(std::string_view bytes) {
    Reserve(bytes.size());
    std::memcpy(end(), bytes.data(), bytes.size());
    used_ += bytes.size();
  }
  // Trims the string to the bytes written. REQUIRES: called once, last.
  void Finish() { s_->resize(used_); }

 private:
  std::string* s_;
  size_t used_;
};

// Runs iconv over [*in, *in + *in_left) appending to *out (`room`: output bytes that are always
// enough, so the buffer grows once). Returns 0 when all input is converted, else the errno of
// the stop (EILSEQ, EINVAL, ...) with *in at the character iconv refused; what was converted
// before the stop is in *out. With *in null, writes the sequence that returns a stateful
// encoding to its initial state (ISO-2022-JP: ESC ( B when not in ASCII mode).
inline int IconvAppend(const Iconv& cd, char** in, size_t* in_left, size_t room, OutBuffer* out) {
  out->Reserve(room);
  while (true) {
    char* o = out->end();
    size_t o_left = out->room();
    const size_t r = iconv(cd.get(), in, in_left, &o, &o_left);
    const int err = errno;
    out->MoveEnd(o);
    if (r != static_cast<size_t>(-1)) return 0;
    if (err != E2BIG) return err;
    out->Reserve(out->room() * 2 + 16);
  }
}

}  // namespace shiori::charset::detail

#endif  // SHIORI_CHARSET_ICONV_INTERNAL_H_
