// SPDX-License-Identifier: Apache-2.0
// The SQL lexer (docs/SQL.md, "Lexical rules"). Internal to the SQL adapter.
#ifndef NEDB_SQL_SQL_LEXER_H_
#define NEDB_SQL_SQL_LEXER_H_

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "nedb/sql.h"
#include "query/ast.h"

namespace nedb::sql {

inline constexpr std::size_t kMaxSqlBytes = std::size_t{1} << 20;  // 1 MiB

enum class TokenKind {
  kEnd,     // end of the text
  kWord,    // unquoted identifier or keyword: [A-Za-z_][A-Za-z0-9_$]*
  kQuoted,  // "identifier" (str: decoded, "" -> ")
  kString,  // 'text' (str: decoded, '' -> ')
  kNumber,  // unsigned number (num: int64, uint64 or finite double)
  kOp,      // = == != <> < <= > >= (op)
  kPunct,   // ( ) , . * ; + - / % | ? : $ and other ASCII punctuation
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::size_t pos = 0;
  std::string_view raw;
  std::string str;
  nlohmann::json num;
  nql::CmpOp op = nql::CmpOp::kEq;
};

// "SQL syntax error at position P (near "X"): what".
SQLSyntaxError SyntaxError(std::string_view text, std::size_t pos, std::size_t len,
                           std::string_view what);
// "SQL not supported at position P (near "X"): what".
SQLUnsupportedError Unsupported(std::string_view text, std::size_t pos, std::size_t len,
                                std::string_view what);
// "SQL error at position P (near "X"): what".
SQLError StatementError(std::string_view text, std::size_t pos, std::size_t len,
                        std::string_view what);

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}
  // The next token; kEnd forever at the end. Throws SQLSyntaxError.
  Token Next();

 private:
  void SkipSpaceAndComments();
  // A quoted literal at i_ (quote is ' or "): decodes into t.str.
  void LexQuoted(Token& t, char quote);
  void LexNumber(Token& t);

  std::string_view text_;
  std::size_t i_ = 0;
};

}  // namespace nedb::sql

#endif  // NEDB_SQL_SQL_LEXER_H_
