// SPDX-License-Identifier: Apache-2.0
#include "sql/sql_lexer.h"

#include <charconv>
#include <cmath>
#include <cstdint>

#include "query/nql_lexer.h"
#include "util/json_text.h"

namespace nedb::sql {

namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsWordStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsWordChar(char c) { return IsWordStart(c) || IsDigit(c) || c == '$'; }

std::string Located(std::string_view kind, std::string_view text, std::size_t pos, std::size_t len,
                    std::string_view what) {
  std::string m(kind);
  m += " at position " + std::to_string(pos);
  if (pos >= text.size()) {
    m += " (at end of statement)";
  } else {
    m += " (near \"" + nql::NearText(text, pos, len == 0 ? 1 : len) + "\")";
  }
  m += ": ";
  m.append(what);
  return m;
}

}  // namespace

SQLSyntaxError SyntaxError(std::string_view text, std::size_t pos, std::size_t len,
                           std::string_view what) {
  return SQLSyntaxError(Located("SQL syntax error", text, pos, len, what), pos);
}

SQLUnsupportedError Unsupported(std::string_view text, std::size_t pos, std::size_t len,
                                std::string_view what) {
  return SQLUnsupportedError(Located("SQL not supported", text, pos, len, what), pos);
}

SQLError StatementError(std::string_view text, std::size_t pos, std::size_t len,
                        std::string_view what) {
  return SQLError(Located("SQL error", text, pos, len, what), pos);
}

void Lexer::SkipSpaceAndComments() {
  for (;;) {
    while (i_ < text_.size() && IsSpace(text_[i_])) ++i_;
    if (text_.substr(i_, 2) == "--") {
      while (i_ < text_.size() && text_[i_] != '\n') ++i_;
    } else if (text_.substr(i_, 2) == "/*") {
      std::size_t end = text_.find("*/", i_ + 2);
      if (end == std::string_view::npos) {
        throw SyntaxError(text_, i_, 2, "unterminated /* comment");
      }
      i_ = end + 2;
    } else {
      return;
    }
  }
}

Token Lexer::Next() {
  SkipSpaceAndComments();
  Token t;
  t.pos = i_;
  if (i_ >= text_.size()) {
    t.kind = TokenKind::kEnd;
    return t;
  }
  const char c = text_[i_];
  if (IsWordStart(c)) {
    std::size_t j = i_;
    while (j < text_.size() && IsWordChar(text_[j])) ++j;
    t.kind = TokenKind::kWord;
    t.raw = text_.substr(i_, j - i_);
    i_ = j;
  } else if (c == '\'' || c == '"') {
    LexQuoted(t, c);
  } else if (IsDigit(c) || (c == '.' && i_ + 1 < text_.size() && IsDigit(text_[i_ + 1]))) {
    LexNumber(t);
  } else {
    static constexpr std::pair<std::string_view, nql::CmpOp> kOps[] = {
        {"<=", nql::CmpOp::kLe}, {">=", nql::CmpOp::kGe}, {"<>", nql::CmpOp::kNe},
        {"!=", nql::CmpOp::kNe}, {"==", nql::CmpOp::kEq}, {"=", nql::CmpOp::kEq},
        {"<", nql::CmpOp::kLt},  {">", nql::CmpOp::kGt}};
    for (const auto& [text, op] : kOps) {
      if (text_.substr(i_, text.size()) == text) {
        t.kind = TokenKind::kOp;
        t.op = op;
        t.raw = text_.substr(i_, text.size());
        i_ += text.size();
        return t;
      }
    }
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x21 || u > 0x7e) {
      throw SyntaxError(text_, i_, 1, "unexpected character");
    }
    t.kind = TokenKind::kPunct;
    t.raw = text_.substr(i_, 1);
    ++i_;
  }
  return t;
}

void Lexer::LexQuoted(Token& t, char quote) {
  t.kind = quote == '\'' ? TokenKind::kString : TokenKind::kQuoted;
  std::size_t j = i_ + 1;
  for (;;) {
    if (j >= text_.size()) {
      throw SyntaxError(text_, i_, 1,
                        quote == '\'' ? "unterminated string (missing closing ')"
                                      : "unterminated quoted identifier (missing closing \")");
    }
    const char c = text_[j];
    if (c == quote) {
      if (j + 1 < text_.size() && text_[j + 1] == quote) {
        t.str += quote;
        j += 2;
        continue;
      }
      ++j;
      break;
    }
    if (static_cast<unsigned char>(c) >= 0x80) {
      const std::size_t n = Utf8SeqLen(text_.substr(j));
      if (n == 0) throw SyntaxError(text_, j, 1, "invalid UTF-8 in a quoted literal");
      t.str.append(text_.substr(j, n));
      j += n;
      continue;
    }
    t.str += c;
    ++j;
  }
  if (t.kind == TokenKind::kQuoted && t.str.empty()) {
    throw SyntaxError(text_, i_, j - i_, "empty quoted identifier");
  }
  t.raw = text_.substr(i_, j - i_);
  i_ = j;
}

void Lexer::LexNumber(Token& t) {
  std::size_t j = i_;
  bool integral = true;
  while (j < text_.size() && IsDigit(text_[j])) ++j;
  if (j < text_.size() && text_[j] == '.') {
    integral = false;
    ++j;
    while (j < text_.size() && IsDigit(text_[j])) ++j;
  }
  if (j < text_.size() && (text_[j] == 'e' || text_[j] == 'E')) {
    std::size_t k = j + 1;
    if (k < text_.size() && (text_[k] == '+' || text_[k] == '-')) ++k;
    if (k < text_.size() && IsDigit(text_[k])) {
      integral = false;
      j = k;
      while (j < text_.size() && IsDigit(text_[j])) ++j;
    }
  }
  t.kind = TokenKind::kNumber;
  t.raw = text_.substr(i_, j - i_);
  if (j < text_.size() && (IsWordChar(text_[j]) || text_[j] == '.')) {
    throw SyntaxError(text_, i_, j - i_ + 1, "malformed number");
  }
  const char* b = t.raw.data();
  const char* e = b + t.raw.size();
  if (integral) {
    std::int64_t v;
    auto r = std::from_chars(b, e, v);
    if (r.ec == std::errc() && r.ptr == e) {
      t.num = v;
      i_ = j;
      return;
    }
    std::uint64_t u;
    r = std::from_chars(b, e, u);
    if (r.ec == std::errc() && r.ptr == e) {
      t.num = u;
      i_ = j;
      return;
    }
  }
  double d = 0;
  auto r = std::from_chars(b, e, d);
  if (r.ec != std::errc() || r.ptr != e || !std::isfinite(d) ||
      (d == 0 && t.raw.find_first_of("123456789") < t.raw.find_first_of("eE"))) {
    throw SyntaxError(text_, i_, j - i_, "number out of range");
  }
  t.num = d;
  i_ = j;
}

}  // namespace nedb::sql
