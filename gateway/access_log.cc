// The access log's per-thread buffers and flusher (see access_log.h).
#include "gateway/access_log.h"

#include <unistd.h>

#include <cerrno>
#include <chrono>

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

}  // namespace

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
