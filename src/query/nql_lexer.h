// SPDX-License-Identifier: Apache-2.0
// The NQL lexer: turns query text into tokens on demand (so the first error
// in text order is the one reported). Internal to the NQL front end.
#ifndef NEDB_QUERY_NQL_LEXER_H_
#define NEDB_QUERY_NQL_LEXER_H_

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "nedb/errors.h"
#include "query/ast.h"

namespace nedb::nql {

inline constexpr std::size_t kMaxQueryBytes = std::size_t{1} << 20;  // 1 MiB
inline constexpr std::size_t kMaxIdentifierBytes = 128;

enum class TokenKind {
  kEnd,      // end of the query text
  kWord,     // identifier ('.' identifier)*: keywords, names, fields, true/false/null
  kString,   // "..." (str holds the decoded UTF-8 text)
  kNumber,   // JSON number (num holds the value)
  kOp,       // = != < <= > >=
  kInvalid,  // one character that starts no token (e.g. ';', '(', a non-ASCII letter)
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::size_t pos = 0;        // byte offset of the first byte in the query text
  std::string_view raw;       // the token's source text
  bool dotted = false;        // kWord: contains '.'
  std::string str;            // kString: decoded value
  nlohmann::json num;         // kNumber: int64, uint64 (> INT64_MAX) or finite double
  bool plain_digits = false;  // kNumber: only [0-9] (no sign, fraction or exponent)
  CmpOp op = CmpOp::kEq;      // kOp
};

// True for [A-Za-z_][A-Za-z0-9_]* of at most kMaxIdentifierBytes bytes.
bool IsIdentifier(std::string_view s);

// Case-insensitive ASCII comparison; upper must be upper-case.
bool EqualsKeyword(std::string_view word, std::string_view upper);

// Renders up to a few dozen bytes of text[pos...pos+len) for an error
// message: printable ASCII and valid UTF-8 as is, '"' and '\' escaped, other
// bytes as \xHH, "..." appended when cut.
std::string NearText(std::string_view text, std::size_t pos, std::size_t len);

// "NQL syntax error at position P (near "X"): what", or "(at end of query)"
// when pos == text.size().
QueryError SyntaxError(std::string_view text, std::size_t pos, std::size_t len,
                       std::string_view what);

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  // The next token; kEnd forever once the text is exhausted. Throws
  // QueryError for malformed strings, numbers and identifiers.
  Token Next();

 private:
  void LexWord(Token& t);
  void LexString(Token& t);
  void LexNumber(Token& t);
  // Decodes the UTF-8 sequence at i inside a string literal (text_[i] >=
  // 0x80), appends it to out and returns its length; throws if invalid.
  std::size_t CopyUtf8(std::size_t i, std::string& out) const;
  // Decodes \uXXXX at i (the backslash); returns the code unit.
  unsigned ReadHex4(std::size_t i) const;

  std::string_view text_;
  std::size_t i_ = 0;
};

}  // namespace nedb::nql

#endif  // NEDB_QUERY_NQL_LEXER_H_
