// SPDX-License-Identifier: Apache-2.0
// A progress line on stderr for a long scan (`nedb verify`): ops/s and percent
// of the bytes read. Drawn only when stderr is a terminal and the scan has run
// for more than a second, redrawn at most 10 times a second, and wiped when
// the scan ends, so that it never mixes with a result or with a pipe's output.
#ifndef NEDB_TOOLS_PROGRESS_H_
#define NEDB_TOOLS_PROGRESS_H_

#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace nedb::cli {

class Progress {
 public:
  using Clock = std::chrono::steady_clock;

  explicit Progress(std::uint64_t total_bytes)
      : total_(total_bytes),
        tty_(isatty(STDERR_FILENO) == 1),
        start_(Clock::now()),
        next_draw_(start_ + std::chrono::seconds(1)) {}
  ~Progress() { Finish(); }
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // After each op: ops read so far and bytes read so far. Cheap: looks at the
  // clock once every 1024 calls.
  void Update(std::uint64_t ops, std::uint64_t bytes) {
    if (!tty_ || (++calls_ & 1023) != 0) return;
    const Clock::time_point now = Clock::now();
    if (now < next_draw_) return;
    next_draw_ = now + std::chrono::milliseconds(100);
    const double secs = std::chrono::duration<double>(now - start_).count();
    const double done = total_ ? static_cast<double>(bytes) / static_cast<double>(total_) : 1.0;
    const int width = 30, filled = static_cast<int>(done * width);
    std::fprintf(stderr, "\r[%s%s] %5.1f%%  %llu ops  %.0f ops/s", std::string(filled, '#').c_str(),
                 std::string(width - filled, ' ').c_str(), 100 * done,
                 static_cast<unsigned long long>(ops), static_cast<double>(ops) / secs);
    std::fflush(stderr);
    shown_ = true;
  }

  // Wipes the line if it was drawn.
  void Finish() {
    if (shown_) std::fputs("\r\033[K", stderr);
    shown_ = false;
  }

 private:
  std::uint64_t total_;
  bool tty_;
  Clock::time_point start_, next_draw_;
  std::uint64_t calls_ = 0;
  bool shown_ = false;
};

}  // namespace nedb::cli

#endif  // NEDB_TOOLS_PROGRESS_H_
