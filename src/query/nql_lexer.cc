// SPDX-License-Identifier: Apache-2.0
#include "query/nql_lexer.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <system_error>

#include "util/json_text.h"

namespace nedb::nql {
namespace {

constexpr std::size_t kMaxNearBytes = 32;

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlnum(char c) { return IsAlpha(c) || IsDigit(c); }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Length of the well-formed UTF-8 sequence (RFC 3629: no overlongs, no
// surrogates, nothing above U+10FFFF) starting at s[i], or 0.
std::size_t Utf8SeqLen(std::string_view s, std::size_t i) {
  if (i >= s.size()) return 0;
  if (static_cast<unsigned char>(s[i]) < 0x80) return 1;
  return nedb::Utf8SeqLen(s.substr(i));
}

void AppendUtf8(std::uint32_t cp, std::string& out) { nedb::AppendUtf8(cp, &out); }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool IsIdentifier(std::string_view s) {
  if (s.empty() || s.size() > kMaxIdentifierBytes || !IsAlpha(s[0])) return false;
  for (char c : s) {
    if (!IsAlnum(c)) return false;
  }
  return true;
}

bool EqualsKeyword(std::string_view word, std::string_view upper) {
  if (word.size() != upper.size()) return false;
  for (std::size_t k = 0; k < word.size(); ++k) {
    char c = word[k];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c != upper[k]) return false;
  }
  return true;
}

std::string NearText(std::string_view text, std::size_t pos, std::size_t len) {
  if (pos > text.size()) pos = text.size();
  if (len > text.size() - pos) len = text.size() - pos;
  std::size_t end = pos + std::min(len, kMaxNearBytes);
  std::string out;
  std::size_t i = pos;
  while (i < end) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
      ++i;
    } else if (c >= 0x20 && c < 0x7F) {
      out += static_cast<char>(c);
      ++i;
    } else if (std::size_t n = c >= 0x80 ? Utf8SeqLen(text, i) : 0; n > 0 && i + n <= end) {
      out.append(text.substr(i, n));
      i += n;
    } else if (c >= 0x80 && n > 0) {
      break;  // a valid sequence cut by the length limit
    } else {
      static constexpr char kHex[] = "0123456789ABCDEF";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
      ++i;
    }
  }
  if (i < pos + len) out += "...";
  return out;
}

QueryError SyntaxError(std::string_view text, std::size_t pos, std::size_t len,
                       std::string_view what) {
  std::string msg = "NQL syntax error at position " + std::to_string(pos);
  if (pos >= text.size()) {
    msg += " (at end of query): ";
  } else {
    msg += " (near \"" + NearText(text, pos, len == 0 ? 1 : len) + "\"): ";
  }
  msg.append(what);
  return QueryError(msg, pos);
}

Token Lexer::Next() {
  while (i_ < text_.size() && IsSpace(text_[i_])) ++i_;
  Token t;
  t.pos = i_;
  if (i_ >= text_.size()) {
    t.kind = TokenKind::kEnd;
    t.raw = text_.substr(text_.size());
    return t;
  }
  char c = text_[i_];
  char d = i_ + 1 < text_.size() ? text_[i_ + 1] : '\0';
  if (IsAlpha(c)) {
    LexWord(t);
  } else if (c == '"') {
    LexString(t);
  } else if (IsDigit(c) || (c == '-' && IsDigit(d))) {
    LexNumber(t);
  } else if (c == '=' || c == '<' || c == '>' || (c == '!' && d == '=')) {
    t.kind = TokenKind::kOp;
    std::size_t n = d == '=' && c != '=' ? 2 : 1;
    switch (c) {
      case '=': t.op = CmpOp::kEq; break;
      case '!': t.op = CmpOp::kNe; break;
      case '<': t.op = n == 2 ? CmpOp::kLe : CmpOp::kLt; break;
      default: t.op = n == 2 ? CmpOp::kGe : CmpOp::kGt; break;
    }
    i_ += n;
  } else {
    t.kind = TokenKind::kInvalid;
    std::size_t n = static_cast<unsigned char>(c) >= 0x80 ? Utf8SeqLen(text_, i_) : 1;
    i_ += n == 0 ? 1 : n;
  }
  t.raw = text_.substr(t.pos, i_ - t.pos);
  return t;
}

void Lexer::LexWord(Token& t) {
  t.kind = TokenKind::kWord;
  for (;;) {
    std::size_t seg = i_;
    while (i_ < text_.size() && IsAlnum(text_[i_])) ++i_;
    if (i_ - seg > kMaxIdentifierBytes) {
      throw SyntaxError(
          text_, seg, i_ - seg,
          "identifier too long: expected at most 128 bytes, got " + std::to_string(i_ - seg));
    }
    if (i_ >= text_.size() || text_[i_] != '.') return;
    if (i_ + 1 >= text_.size() || !IsAlpha(text_[i_ + 1])) {
      throw SyntaxError(text_, i_, 2, "expected an identifier after '.' in a field path");
    }
    t.dotted = true;
    ++i_;
  }
}

unsigned Lexer::ReadHex4(std::size_t i) const {
  unsigned v = 0;
  for (std::size_t k = 2; k < 6; ++k) {
    int h = i + k < text_.size() ? HexValue(text_[i + k]) : -1;
    if (h < 0) {
      throw SyntaxError(text_, i, 6, "invalid \\u escape: expected 4 hex digits after \\u");
    }
    v = v * 16 + static_cast<unsigned>(h);
  }
  return v;
}

std::size_t Lexer::CopyUtf8(std::size_t i, std::string& out) const {
  std::size_t n = Utf8SeqLen(text_, i);
  if (n == 0) throw SyntaxError(text_, i, 1, "invalid UTF-8 in string: expected valid UTF-8");
  out.append(text_.substr(i, n));
  return n;
}

void Lexer::LexString(Token& t) {
  t.kind = TokenKind::kString;
  std::size_t i = i_ + 1;
  std::string& out = t.str;
  for (;;) {
    if (i >= text_.size()) {
      throw SyntaxError(text_, t.pos, text_.size() - t.pos,
                        "unterminated string: expected a closing '\"'");
    }
    unsigned char c = static_cast<unsigned char>(text_[i]);
    if (c == '"') {
      ++i;
      break;
    }
    if (c == '\\') {
      char e = i + 1 < text_.size() ? text_[i + 1] : '\0';
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          std::uint32_t cp = ReadHex4(i);
          if (cp >= 0xDC00 && cp <= 0xDFFF) {
            throw SyntaxError(text_, i, 6,
                              "invalid \\u escape: unpaired low surrogate (expected a high "
                              "surrogate \\uD800-\\uDBFF before it)");
          }
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            std::size_t j = i + 6;
            bool pair = j + 1 < text_.size() && text_[j] == '\\' && text_[j + 1] == 'u';
            std::uint32_t low = pair ? ReadHex4(j) : 0;
            if (low < 0xDC00 || low > 0xDFFF) {
              throw SyntaxError(text_, i, 6,
                                "invalid \\u escape: unpaired high surrogate (expected a low "
                                "surrogate \\uDC00-\\uDFFF after it)");
            }
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            i += 6;
          }
          AppendUtf8(cp, out);
          i += 6;
          continue;
        }
        default:
          if (i + 1 >= text_.size()) {
            throw SyntaxError(text_, t.pos, text_.size() - t.pos,
                              "unterminated string: expected a closing '\"'");
          }
          throw SyntaxError(text_, i, 2,
                            "invalid escape sequence: expected one of \\\" \\\\ \\/ \\b \\f \\n "
                            "\\r \\t \\uXXXX");
      }
      i += 2;
    } else if (c < 0x20) {
      throw SyntaxError(text_, i, 1,
                        "control character in string: expected it escaped (\\n, \\t, \\uXXXX, "
                        "...)");
    } else if (c >= 0x80) {
      i += CopyUtf8(i, out);
    } else {
      // Copy the run of plain characters at once.
      std::size_t j = i + 1;
      while (j < text_.size()) {
        unsigned char cj = static_cast<unsigned char>(text_[j]);
        if (cj == '"' || cj == '\\' || cj < 0x20 || cj >= 0x80) break;
        ++j;
      }
      out.append(text_.substr(i, j - i));
      i = j;
    }
  }
  i_ = i;
}

void Lexer::LexNumber(Token& t) {
  t.kind = TokenKind::kNumber;
  const std::size_t start = i_;
  std::size_t i = i_;
  auto digit_at = [&](std::size_t k) { return k < text_.size() && IsDigit(text_[k]); };
  auto junk_end = [&](std::size_t k) {
    while (k < text_.size() &&
           (IsAlnum(text_[k]) || text_[k] == '.' || text_[k] == '+' || text_[k] == '-')) {
      ++k;
    }
    return k;
  };
  bool neg = text_[i] == '-';
  if (neg) ++i;
  if (text_[i] == '0' && digit_at(i + 1)) {
    throw SyntaxError(text_, start, junk_end(i) - start,
                      "invalid number: expected no leading zeros");
  }
  while (digit_at(i)) ++i;
  bool is_float = false;
  if (i < text_.size() && text_[i] == '.') {
    if (!digit_at(i + 1)) {
      throw SyntaxError(text_, start, junk_end(i) - start,
                        "invalid number: expected a digit after '.'");
    }
    is_float = true;
    ++i;
    while (digit_at(i)) ++i;
  }
  if (i < text_.size() && (text_[i] == 'e' || text_[i] == 'E')) {
    std::size_t k = i + 1;
    if (k < text_.size() && (text_[k] == '+' || text_[k] == '-')) ++k;
    if (!digit_at(k)) {
      throw SyntaxError(text_, start, junk_end(i) - start,
                        "invalid number: expected a digit in the exponent");
    }
    is_float = true;
    i = k;
    while (digit_at(i)) ++i;
  }
  if (i < text_.size() && (IsAlpha(text_[i]) || text_[i] == '.')) {
    throw SyntaxError(text_, start, junk_end(i) - start,
                      "invalid number: expected a space or an operator after the number");
  }
  const char* first = text_.data() + start;
  const char* last = text_.data() + i;
  i_ = i;
  t.plain_digits = !neg && !is_float;
  if (!is_float) {
    std::int64_t s = 0;
    auto r = std::from_chars(first, last, s);
    if (r.ec == std::errc() && r.ptr == last) {
      t.num = s;
      return;
    }
    if (!neg) {
      std::uint64_t u = 0;
      r = std::from_chars(first, last, u);
      if (r.ec == std::errc() && r.ptr == last) {
        t.num = u;
        return;
      }
    }
  }
  double d = 0;
  auto r = std::from_chars(first, last, d);
  if (r.ec != std::errc() || r.ptr != last || !std::isfinite(d)) {
    throw SyntaxError(text_, start, i - start,
                      "number out of range: expected a value a 64-bit float can hold (0, or a "
                      "magnitude between about 4.9e-324 and 1.8e308)");
  }
  t.num = d;
}

}  // namespace nedb::nql
