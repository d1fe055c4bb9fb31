// SPDX-License-Identifier: Apache-2.0
// The SQL parser's class, shared by its source files (not part of the
// adapter's interface; the entry point is Parse() in sql/sql_parser.h):
//   sql_parser.cc      statement dispatch, reserved words, names, Parse()
//   sql_parse_expr.cc  literals, unsupported-operand checks, WHERE expressions
//   sql_parse_stmt.cc  SELECT, INSERT, UPDATE and DELETE
#ifndef NEDB_SQL_SQL_PARSER_INTERNAL_H_
#define NEDB_SQL_SQL_PARSER_INTERNAL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "query/nql_lexer.h"
#include "sql/sql_ast.h"
#include "sql/sql_lexer.h"
#include "sql/sql_parser.h"

namespace nedb::sql::parser_internal {

bool IsReserved(std::string_view word);

void ResolveId(Column& c);

// The document id is a string: a number compared with it compares as text.
void CoerceIdValue(const Expr& column, Expr& value);

// The aggregate functions of the SELECT list, by name.
inline constexpr std::pair<std::string_view, AggKind> kAggregates[] = {{"COUNT", AggKind::kCount},
                                                                       {"SUM", AggKind::kSum},
                                                                       {"AVG", AggKind::kAvg},
                                                                       {"MIN", AggKind::kMin},
                                                                       {"MAX", AggKind::kMax}};

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text), lex_(text) {}

  Statement Run();  // sql_parser.cc

 private:
  // ---- tokens ----
  void Advance() { tok_ = lex_.Next(); }
  Token Peek() const {
    Lexer copy = lex_;
    return copy.Next();
  }
  bool IsKeyword(std::string_view upper) const {
    return tok_.kind == TokenKind::kWord && nql::EqualsKeyword(tok_.raw, upper);
  }
  bool IsPunct(std::string_view p) const { return tok_.kind == TokenKind::kPunct && tok_.raw == p; }
  // A word followed by '(': a function call.
  bool AtCall() const {
    if (tok_.kind != TokenKind::kWord) return false;
    const Token next = Peek();
    return next.kind == TokenKind::kPunct && next.raw == "(";
  }
  [[noreturn]] void Fail(std::string_view what) const {
    throw SyntaxError(text_, tok_.pos, tok_.raw.size(), what);
  }
  [[noreturn]] void Unsup(std::string_view what) const {
    throw Unsupported(text_, tok_.pos, tok_.raw.size(), what);
  }
  void Expect(std::string_view keyword) {
    if (!IsKeyword(keyword)) Fail("expected " + std::string(keyword));
    Advance();
  }
  void ExpectPunct(std::string_view p) {
    if (!IsPunct(p)) Fail("expected '" + std::string(p) + "'");
    Advance();
  }

  // ---- names (sql_parser.cc) ----
  bool AtName() const;
  std::string Name(std::string_view what);
  std::string Table(std::size_t* pos);
  Column ParseColumn();

  // ---- literals (sql_parse_expr.cc) ----
  bool AtLiteral() const;
  nlohmann::json Literal(std::string_view what);
  static nlohmann::json Negate(const nlohmann::json& n);
  std::uint64_t Count(std::string_view what);

  // Operands NEDB recognises but does not run (sql_parse_expr.cc).
  void CheckNoParameter() const;
  void CheckUnsupportedOperand() const;
  void CheckNoArithmetic() const;

  // ---- expressions (sql_parse_expr.cc) ----
  Expr Operand();
  void Enter();
  Expr ParseOr();
  Expr ParseAnd();
  Expr Chain(ExprKind kind, std::string_view keyword, Expr (Parser::*operand)());
  Expr ParseNot();
  Expr ParsePredicate();
  std::optional<Expr> OptionalWhere();

  // ---- SELECT (sql_parse_stmt.cc) ----
  bool AtAggregateCall() const;
  SelectItem ParseItem();
  Select ParseSelect();
  void CheckJoin();
  void CheckFor();
  static void Unqualify(Column& c, const std::string& table, const std::string& alias);
  void StripQualifiers(Select& s, const std::string& alias);
  template <typename F>
  void StripExpr(Expr& e, const F& strip);

  // ---- writes (sql_parse_stmt.cc) ----
  Insert ParseInsert();
  Update ParseUpdate();
  Delete ParseDelete();

  std::string_view text_;
  Lexer lex_;
  Token tok_;
  int depth_ = 0;
};

}  // namespace nedb::sql::parser_internal

#endif  // NEDB_SQL_SQL_PARSER_INTERNAL_H_
