// SPDX-License-Identifier: Apache-2.0
// RespParser: Redis's request framing (networking.c, processMultibulkBuffer
// and processInlineBuffer), resumable across reads.
#include <climits>

#include "nedb/redis_compat.h"
#include "redis/internal.h"

namespace nedb {

namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Redis's sdssplitargs over line. Redis reads the line as a C string (an
// inline request with a NUL byte never completes there); here a NUL is an
// ordinary byte of its argument (docs/RESP.md, "Protocol").
bool SplitArgs(std::string_view line, std::vector<std::string>* argv) {
  argv->clear();
  std::size_t i = 0;
  const std::size_t n = line.size();
  constexpr int kEnd = -1;
  auto at = [&](std::size_t k) -> int {
    return k < n ? static_cast<unsigned char>(line[k]) : kEnd;
  };
  auto hex = [&](std::size_t k) { return k < n ? HexDigit(line[k]) : -1; };
  auto space_or_end = [&](std::size_t k) { return k >= n || IsSpace(line[k]); };
  for (;;) {
    while (i < n && IsSpace(line[i])) ++i;
    if (i >= n) return true;
    bool inq = false, insq = false, done = false;
    std::string cur;
    while (!done) {
      const int c = at(i);
      if (inq) {
        if (c == '\\' && at(i + 1) == 'x' && hex(i + 2) >= 0 && hex(i + 3) >= 0) {
          cur.push_back(static_cast<char>(hex(i + 2) * 16 + hex(i + 3)));
          i += 3;
        } else if (c == '\\' && at(i + 1) != kEnd) {
          ++i;
          switch (at(i)) {
            case 'n': cur.push_back('\n'); break;
            case 'r': cur.push_back('\r'); break;
            case 't': cur.push_back('\t'); break;
            case 'b': cur.push_back('\b'); break;
            case 'a': cur.push_back('\a'); break;
            default: cur.push_back(line[i]); break;
          }
        } else if (c == '"') {
          if (!space_or_end(i + 1)) return false;
          done = true;
        } else if (c == kEnd) {
          return false;
        } else {
          cur.push_back(line[i]);
        }
      } else if (insq) {
        if (c == '\\' && at(i + 1) == '\'') {
          ++i;
          cur.push_back('\'');
        } else if (c == '\'') {
          if (!space_or_end(i + 1)) return false;
          done = true;
        } else if (c == kEnd) {
          return false;
        } else {
          cur.push_back(line[i]);
        }
      } else {
        switch (c) {
          case ' ':
          case '\n':
          case '\r':
          case '\t':
          case kEnd: done = true; break;
          case '"': inq = true; break;
          case '\'': insq = true; break;
          default: cur.push_back(line[i]); break;
        }
      }
      if (i < n) ++i;
    }
    argv->push_back(std::move(cur));
  }
}

}  // namespace

RespParser::Status RespParser::Fail(std::string msg) {
  error_ = "Protocol error: " + std::move(msg);
  return Status::kError;
}

std::size_t RespParser::FindCrlf() const {
  // Redis looks for '\r' and assumes '\n' follows.
  const std::size_t r = buf_.find('\r', pos_);
  if (r == std::string::npos || r + 1 >= buf_.size()) return std::string::npos;
  return r;
}

RespParser::Status RespParser::ParseInline(std::vector<std::string>* argv) {
  for (;;) {
    const std::size_t nl = buf_.find('\n', pos_);
    if (nl == std::string::npos) {
      if (buf_.size() - pos_ > kMaxInline) return Fail("too big inline request");
      return Status::kNeedMore;
    }
    std::size_t end = nl;
    if (end > pos_ && buf_[end - 1] == '\r') --end;
    std::string_view line(buf_.data() + pos_, end - pos_);
    if (!SplitArgs(line, argv)) return Fail("unbalanced quotes in request");
    pos_ = nl + 1;
    if (!argv->empty()) return Status::kCommand;
    if (pos_ >= buf_.size() || buf_[pos_] == '*') return Status::kNeedMore;
  }
}

RespParser::Status RespParser::Next(std::vector<std::string>* argv) {
  if (!error_.empty()) return Status::kError;
  // Drop what earlier commands consumed, without moving a large tail often.
  if (pos_ == buf_.size()) {
    if (buf_.capacity() > kMaxInline) {
      std::string().swap(buf_);  // after a large request: do not keep its room
    } else {
      buf_.clear();
    }
    pos_ = 0;
  } else if (pos_ > (256u << 10) && pos_ * 2 > buf_.size()) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  for (;;) {
    if (multibulk_left_ == 0) {
      if (pos_ >= buf_.size()) return Status::kNeedMore;
      if (buf_[pos_] != '*') {
        const Status st = ParseInline(argv);
        if (st != Status::kNeedMore || pos_ >= buf_.size() || buf_[pos_] != '*') return st;
        continue;
      }
      const std::size_t cr = FindCrlf();
      if (cr == std::string::npos) {
        if (buf_.size() - pos_ > kMaxInline) return Fail("too big mbulk count string");
        return Status::kNeedMore;
      }
      std::int64_t n;
      if (!redis::ToInt64(std::string_view(buf_.data() + pos_ + 1, cr - pos_ - 1), &n) ||
          n > INT_MAX) {
        return Fail("invalid multibulk length");
      }
      pos_ = cr + 2;
      if (n <= 0) continue;  // "*0" and "*-1": no command
      multibulk_left_ = n;
      bulk_len_ = -1;
      pending_.clear();
      pending_bytes_ = 0;
      pending_.reserve(static_cast<std::size_t>(std::min<std::int64_t>(n, 1024)));
    }
    while (multibulk_left_ > 0) {
      if (bulk_len_ < 0) {
        const std::size_t cr = FindCrlf();
        if (cr == std::string::npos) {
          if (buf_.size() - pos_ > kMaxInline) return Fail("too big bulk count string");
          return Status::kNeedMore;
        }
        if (buf_[pos_] != '$') {
          return Fail(std::string("expected '$', got '") + buf_[pos_] + "'");
        }
        std::int64_t len;
        if (!redis::ToInt64(std::string_view(buf_.data() + pos_ + 1, cr - pos_ - 1), &len) ||
            len < 0 || static_cast<std::uint64_t>(len) > max_bulk_) {
          return Fail("invalid bulk length");
        }
        pos_ = cr + 2;
        bulk_len_ = len;
        // Room for the whole argument at once: no regrowth while it arrives.
        if (static_cast<std::size_t>(len) > buf_.capacity() - buf_.size()) {
          buf_.reserve(buf_.size() + static_cast<std::size_t>(len) + 2);
        }
      }
      const std::size_t need = static_cast<std::size_t>(bulk_len_) + 2;
      if (buf_.size() - pos_ < need) return Status::kNeedMore;
      pending_.emplace_back(buf_.data() + pos_, static_cast<std::size_t>(bulk_len_));
      pending_bytes_ += static_cast<std::size_t>(bulk_len_);
      pos_ += need;
      bulk_len_ = -1;
      --multibulk_left_;
    }
    argv->swap(pending_);
    pending_.clear();
    pending_bytes_ = 0;
    return Status::kCommand;
  }
}

}  // namespace nedb
