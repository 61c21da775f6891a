// The access log's per-thread buffers and flusher, and LogText (see
// access_log.h).
#include "gateway/access_log.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <string>

#include "charset/charset.h"

namespace shiori::gateway {

namespace {

void WriteAll(int fd, std::string_view s) {
  while (!s.empty()) {
    const ssize_t n = ::write(fd, s.data(), s.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // nowhere to log to: the lines are dropped, serving goes on
    s.remove_prefix(static_cast<size_t>(n));
  }
}

std::atomic<uint64_t> g_serial{0};  // AccessLog::serial_

// Characters of valid UTF-8 that a terminal acts on or that make text read
// in another order or on another line.
bool Invisible(char32_t c) {
  return (c >= 0x80 && c <= 0x9F) || c == 0x200E || c == 0x200F || c == 0x2028 || c == 0x2029 ||
         (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

void AppendEscaped(std::string& out, std::string_view bytes) {
  static const char kHex[] = "0123456789abcdef";
  for (unsigned char b : bytes) {
    out += '\\';
    out += 'x';
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
}

}  // namespace

std::string LogText(std::string_view s, size_t max_bytes) {
  std::string out;
  out.reserve(std::min(s.size(), max_bytes) + 8);
  std::string piece;
  size_t i = 0;
  while (i < s.size()) {
    const size_t at = i;
    const unsigned char b = static_cast<unsigned char>(s[i]);
    piece.clear();
    if (b < 0x80) {
      ++i;
      if (b < 0x20 || b == 0x7F || b == '\\') {
        AppendEscaped(piece, s.substr(at, 1));
      } else {
        piece += static_cast<char>(b);
      }
    } else {
      const char32_t c = charset::NextCodePoint(s, &i);
      const std::string_view bytes = s.substr(at, i - at);
      // U+FFFD stands for an ill-formed sequence unless it was sent as itself.
      const bool ill_formed = c == 0xFFFD && bytes != "\xEF\xBF\xBD";
      if (ill_formed || Invisible(c)) {
        AppendEscaped(piece, bytes);
      } else {
        piece.append(bytes);
      }
    }
    if (out.size() + piece.size() > max_bytes) {
      out += "...(+" + std::to_string(s.size() - at) + " bytes)";
      return out;
    }
    out += piece;
  }
  return out;
}

AccessLog::AccessLog(int fd) : fd_(fd), serial_(++g_serial), flusher_([this] { Run(); }) {}

AccessLog::~AccessLog() { Stop(); }

AccessLog::Buffer& AccessLog::Mine() {
  // One buffer per thread and log; a thread keeps the one it was given. The
  // log is told by its serial number, not its address: a new log may be
  // built where an old one was.
  thread_local uint64_t owner = 0;
  thread_local Buffer* mine = nullptr;
  if (owner != serial_ || !mine) {
    std::lock_guard<std::mutex> lock(mu_);
    buffers_.push_back(std::make_unique<Buffer>());
    mine = buffers_.back().get();
    owner = serial_;
  }
  return *mine;
}

void AccessLog::Append(std::string_view line) {
  Buffer& b = Mine();
  std::lock_guard<std::mutex> lock(b.mu);
  b.lines.append(line);
  if (b.lines.size() >= kFlushBytes || stopping_.load(std::memory_order_relaxed)) {
    WriteAll(fd_, b.lines);
    b.lines.clear();
  }
}

void AccessLog::Flush(Buffer& b) {
  std::lock_guard<std::mutex> lock(b.mu);
  if (b.lines.empty()) return;
  WriteAll(fd_, b.lines);
  b.lines.clear();
}

void AccessLog::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_.store(true);
  }
  stop_.notify_all();
  if (flusher_.joinable()) flusher_.join();
}

void AccessLog::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    const bool last =
        stop_.wait_for(lock, std::chrono::milliseconds(kFlushMs), [&] { return stopping_.load(); });
    std::vector<Buffer*> all;
    for (const auto& b : buffers_) all.push_back(b.get());
    lock.unlock();
    for (Buffer* b : all) Flush(*b);
    lock.lock();
    if (last) return;
  }
}

}  // namespace shiori::gateway
