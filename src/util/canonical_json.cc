// SPDX-License-Identifier: Apache-2.0
#include "util/canonical_json.h"

#include <cerrno>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "util/json_text.h"

namespace nedb {

namespace {

class Checker {
 public:
  explicit Checker(std::string_view s) : s_(s) {}

  bool Run(std::string* why) {
    if (s_.empty() || s_[0] != '{') return Fail("not a JSON object", why);
    if (!Value(0) || pos_ != s_.size()) {
      if (error_.empty()) error_ = "trailing bytes";
      return Fail(error_, why);
    }
    return true;
  }

 private:
  bool Fail(const std::string& what, std::string* why) {
    if (why) *why = what + " at byte " + std::to_string(pos_);
    return false;
  }
  bool Err(const char* what) {
    if (error_.empty()) error_ = what;
    return false;
  }
  bool Lit(std::string_view lit) {
    if (s_.substr(pos_, lit.size()) != lit) return Err("invalid literal");
    pos_ += lit.size();
    return true;
  }

  bool Value(int depth) {
    if (pos_ >= s_.size()) return Err("unexpected end");
    switch (s_[pos_]) {
      case '{': return Object(depth + 1);
      case '[': return Array(depth + 1);
      case '"': return String(nullptr);
      case 't': return Lit("true");
      case 'f': return Lit("false");
      case 'n': return Lit("null");
      default: return Number();
    }
  }

  bool Object(int depth) {
    if (depth > kMaxCanonicalDepth) return Err("nested too deep");
    ++pos_;  // '{'
    if (pos_ < s_.size() && s_[pos_] == '}') return ++pos_, true;
    std::string prev, key;
    for (bool first = true;; first = false) {
      if (pos_ >= s_.size() || s_[pos_] != '"') return Err("expected a key");
      key.clear();
      if (!String(&key)) return false;
      if (!first && !(prev < key)) return Err("keys not sorted or not unique");
      prev.swap(key);
      if (pos_ >= s_.size() || s_[pos_] != ':') return Err("expected ':'");
      ++pos_;
      if (!Value(depth)) return false;
      if (pos_ >= s_.size()) return Err("unexpected end");
      if (s_[pos_] == '}') return ++pos_, true;
      if (s_[pos_] != ',') return Err("expected ',' or '}'");
      ++pos_;
    }
  }

  bool Array(int depth) {
    if (depth > kMaxCanonicalDepth) return Err("nested too deep");
    ++pos_;  // '['
    if (pos_ < s_.size() && s_[pos_] == ']') return ++pos_, true;
    for (;;) {
      if (!Value(depth)) return false;
      if (pos_ >= s_.size()) return Err("unexpected end");
      if (s_[pos_] == ']') return ++pos_, true;
      if (s_[pos_] != ',') return Err("expected ',' or ']'");
      ++pos_;
    }
  }

  // A string in dump()'s escaping; its decoded bytes are appended to *out.
  bool String(std::string* out) {
    ++pos_;  // '"'
    std::size_t run = pos_;
    auto flush = [&] {
      if (out) out->append(s_.data() + run, pos_ - run);
    };
    while (pos_ < s_.size()) {
      const auto c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') {
        flush();
        ++pos_;
        return true;
      }
      if (c < 0x20) return Err("unescaped control character");
      if (c >= 0x80) {
        const std::size_t n = Utf8SeqLen(s_.substr(pos_));
        if (n == 0) return Err("invalid UTF-8");
        pos_ += n;
        continue;
      }
      if (c != '\\') {
        ++pos_;
        continue;
      }
      flush();
      if (pos_ + 1 >= s_.size()) return Err("unexpected end");
      char decoded;
      switch (s_[pos_ + 1]) {
        case '"': decoded = '"'; break;
        case '\\': decoded = '\\'; break;
        case 'b': decoded = '\b'; break;
        case 'f': decoded = '\f'; break;
        case 'n': decoded = '\n'; break;
        case 'r': decoded = '\r'; break;
        case 't': decoded = '\t'; break;
        case 'u': {
          // Only control characters without a short escape, lower-case hex.
          static constexpr char kHex[] = "0123456789abcdef";
          const std::string_view u = s_.substr(pos_, 6);
          if (u.size() < 6 || u[2] != '0' || u[3] != '0' || (u[4] != '0' && u[4] != '1')) {
            return Err("non-canonical \\u escape");
          }
          const char* h = std::char_traits<char>::find(kHex, 16, u[5]);
          if (h == nullptr) return Err("non-canonical \\u escape");
          decoded = static_cast<char>((u[4] - '0') * 16 + (h - kHex));
          if (decoded == '\b' || decoded == '\f' || decoded == '\n' || decoded == '\r' ||
              decoded == '\t') {
            return Err("non-canonical \\u escape");
          }
          pos_ += 4;
          break;
        }
        default: return Err("invalid escape");
      }
      if (out) out->push_back(decoded);
      pos_ += 2;
      run = pos_;
    }
    return Err("unterminated string");
  }

  bool Number() {
    const std::size_t start = pos_;
    auto digit = [&](std::size_t i) { return i < s_.size() && s_[i] >= '0' && s_[i] <= '9'; };
    const bool neg = pos_ < s_.size() && s_[pos_] == '-';
    if (neg) ++pos_;
    if (!digit(pos_)) return Err("invalid value");
    if (s_[pos_] == '0' && digit(pos_ + 1)) return Err("leading zero");
    while (digit(pos_)) ++pos_;
    bool is_float = false;
    if (pos_ < s_.size() && s_[pos_] == '.') {
      is_float = true;
      ++pos_;
      if (!digit(pos_)) return Err("invalid number");
      while (digit(pos_)) ++pos_;
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      is_float = true;
      ++pos_;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      if (!digit(pos_)) return Err("invalid number");
      while (digit(pos_)) ++pos_;
    }
    const std::string literal(s_.substr(start, pos_ - start));
    if (!is_float) {
      // dump() writes int64 / uint64 values; "-0" parses as 0, and an
      // integer past their range parses as a double (printed differently).
      if (literal == "-0") return Err("non-canonical number");
      errno = 0;
      if (neg) {
        (void)std::strtoll(literal.c_str(), nullptr, 10);
      } else {
        (void)std::strtoull(literal.c_str(), nullptr, 10);
      }
      if (errno == ERANGE) return Err("non-canonical number");
      return true;
    }
    // A double: canonical iff dump() prints it back byte for byte.
    const double d = std::strtod(literal.c_str(), nullptr);
    if (nlohmann::json(d).dump() != literal) {
      return Err("non-canonical number");
    }
    return true;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  std::string error_;
};

}  // namespace

bool IsCanonicalJsonObject(std::string_view text, std::string* why) {
  return Checker(text).Run(why);
}

}  // namespace nedb
