// SPDX-License-Identifier: Apache-2.0
#include "log/log_reader.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "log/log_format.h"
#include "log/op_codec.h"
#include "nedb/errors.h"

namespace nedb {

std::size_t StringSequentialFile::Read(char* buf, std::size_t n) {
  std::size_t k = std::min(n, data_.size() - pos_);
  std::memcpy(buf, data_.data() + pos_, k);
  pos_ += k;
  return k;
}

namespace {

constexpr std::size_t kChunk = 4u << 20;
constexpr std::size_t kPad = 64;

// A growable read buffer that keeps SIMDJSON_PADDING readable bytes after
// its data, as the decoder requires.
class LineBuffer {
 public:
  LineBuffer(SequentialFile& file, std::uint64_t limit) : file_(file), left_(limit) {
    buf_.resize(kChunk + kPad);
  }

  // Next line (without '\n') in *line; false at end. *complete is false for
  // a last line that has no '\n'.
  bool Next(std::string_view* line, bool* complete) {
    for (;;) {
      const char* nl = static_cast<const char*>(std::memchr(buf_.data() + pos_, '\n', end_ - pos_));
      if (nl != nullptr) {
        *line = std::string_view(buf_.data() + pos_, nl - (buf_.data() + pos_));
        *complete = true;
        pos_ = nl - buf_.data() + 1;
        return true;
      }
      if (!Fill()) {
        if (pos_ == end_) return false;
        *line = std::string_view(buf_.data() + pos_, end_ - pos_);
        *complete = false;
        pos_ = end_;
        return true;
      }
    }
  }

  // True if every remaining byte is '\0' or whitespace.
  bool RestIsBlank() {
    for (;;) {
      for (std::size_t i = pos_; i < end_; ++i) {
        char c = buf_[i];
        if (c != '\0' && c != '\n' && c != ' ' && c != '\r' && c != '\t') return false;
      }
      pos_ = end_;
      if (!Fill()) return true;
    }
  }

 private:
  // Reads more bytes, compacting or growing the buffer. False at EOF.
  bool Fill() {
    if (left_ == 0) return false;
    if (pos_ > 0) {
      std::memmove(buf_.data(), buf_.data() + pos_, end_ - pos_);
      end_ -= pos_;
      pos_ = 0;
    }
    std::size_t cap = buf_.size() - kPad;
    if (end_ == cap) {
      if (end_ > logfmt::kMaxLineBytes) {
        throw CorruptionError(
            "log line longer than " + std::to_string(logfmt::kMaxLineBytes) + " bytes", 0, 0);
      }
      buf_.resize(cap * 2 + kPad);
      cap = cap * 2;
    }
    std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(cap - end_, left_));
    std::size_t n = file_.Read(buf_.data() + end_, want);
    if (n == 0) return false;
    end_ += n;
    left_ -= n;
    return true;
  }

  SequentialFile& file_;
  std::uint64_t left_;
  std::vector<char> buf_;
  std::size_t pos_ = 0, end_ = 0;
};

}  // namespace

ScanResult ScanLog(SequentialFile& file, TailPolicy policy,
                   const std::function<void(const OpView&, std::uint64_t)>& fn, std::uint64_t limit,
                   bool chain_only, const ScanStart& start) {
  LineBuffer lines(file, limit);
  DecodeScratch scratch;
  ScanResult r;
  std::string prev_hash(start.prev.empty() ? std::string(logfmt::kZeroHash) : start.prev);
  std::string_view line;
  bool complete = false;
  std::uint64_t offset = start.offset;
  r.valid_bytes = start.offset;
  OpView op;
  std::string why;
  for (;;) {
    bool more;
    try {
      more = lines.Next(&line, &complete);
    } catch (const CorruptionError& e) {  // an over-long line: name where it starts
      throw CorruptionError("log.aof corrupt at seq " + std::to_string(start.seq + r.ops) +
                                ", byte offset " + std::to_string(offset) + ": " + e.what(),
                            start.seq + r.ops, offset);
    }
    if (!more) break;
    const std::uint64_t expect_seq = start.seq + r.ops;
    LineStatus st = !complete    ? LineStatus::kBadSyntax
                    : chain_only ? CheckOpLineChain(line, &op, &why)
                                 : DecodeOpLine(line, &scratch, &op, &why);
    if (!complete) why = "last line has no newline (incomplete write)";
    if (st == LineStatus::kOk) {
      // A line with a valid hash that does not chain is never a torn write.
      std::string chain_err;
      if (op.seq != expect_seq) {
        chain_err = "seq " + std::to_string(op.seq) + " where " + std::to_string(expect_seq) +
                    " was expected";
      } else if (op.prev != prev_hash) {
        chain_err = "prev does not match the hash of op " + std::to_string(expect_seq - 1);
      } else if ((op.kind == OpKind::kGenesis) != (expect_seq == 0)) {
        chain_err = expect_seq == 0 ? "first op is not genesis" : "genesis op after seq 0";
      } else if (op.kind == OpKind::kGenesis && op.format_version > logfmt::kFormatVersion) {
        chain_err = "log format version " + std::to_string(op.format_version) +
                    " is newer than this NEDB supports";
      }
      if (!chain_err.empty()) {
        throw CorruptionError("log.aof corrupt at seq " + std::to_string(expect_seq) +
                                  ", byte offset " + std::to_string(offset) + ": " + chain_err,
                              expect_seq, offset);
      }
      fn(op, offset);
      prev_hash.assign(op.hash);
      offset += line.size() + 1;
      r.ops++;
      r.valid_bytes = offset;
      r.last_seq = op.seq;
      continue;
    }
    // A damaged line: a torn tail if nothing but blank bytes follows it.
    if (policy == TailPolicy::kRecover && lines.RestIsBlank()) {
      r.torn_tail = true;
      r.torn_reason = why;
      break;
    }
    throw CorruptionError("log.aof corrupt at seq " + std::to_string(expect_seq) +
                              ", byte offset " + std::to_string(offset) + ": " + why,
                          expect_seq, offset);
  }
  if (r.ops > 0) r.last_hash = prev_hash;
  return r;
}

}  // namespace nedb
