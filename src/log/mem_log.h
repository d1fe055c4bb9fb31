// SPDX-License-Identifier: Apache-2.0
// The in-memory database's log: lines kept in fixed-size chunks, so
// appending never copies what is already there (one growing string would
// copy the whole log at every doubling).
#ifndef NEDB_LOG_MEM_LOG_H_
#define NEDB_LOG_MEM_LOG_H_

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "nedb/env.h"

namespace nedb {

class MemLog {
 public:
  static constexpr std::size_t kChunk = 4u << 20;

  void Append(std::string_view line) {
    if (chunks_.empty() || chunks_.back().capacity() - chunks_.back().size() < line.size()) {
      chunks_.emplace_back();
      chunks_.back().reserve(std::max(kChunk, line.size()));
    }
    chunks_.back().append(line);
    size_ += line.size();
  }
  std::uint64_t size() const { return size_; }

  // Reads the log's bytes from the start. The log must not be appended to
  // while a reader is in use (the engine holds its write mutex).
  class Reader final : public SequentialFile {
   public:
    explicit Reader(const MemLog& log) : log_(log) {}
    std::size_t Read(char* buf, std::size_t n) override {
      std::size_t done = 0;
      while (done < n && chunk_ < log_.chunks_.size()) {
        const std::string& c = log_.chunks_[chunk_];
        const std::size_t k = std::min(n - done, c.size() - pos_);
        std::memcpy(buf + done, c.data() + pos_, k);
        done += k;
        pos_ += k;
        if (pos_ == c.size()) {
          ++chunk_;
          pos_ = 0;
        }
      }
      return done;
    }

   private:
    const MemLog& log_;
    std::size_t chunk_ = 0, pos_ = 0;
  };

 private:
  std::vector<std::string> chunks_;
  std::uint64_t size_ = 0;
};

}  // namespace nedb

#endif  // NEDB_LOG_MEM_LOG_H_
