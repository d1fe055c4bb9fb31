// SPDX-License-Identifier: Apache-2.0
// The SQL parser's expressions: literals and counts, the operands NEDB
// recognises but does not run, and WHERE conditions (OR, AND, NOT and the
// predicates =, IN, BETWEEN, LIKE, IS NULL). See sql_parser_internal.h.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "query/nql_lexer.h"
#include "sql/sql_lexer.h"
#include "sql/sql_parser_internal.h"

namespace nedb::sql::parser_internal {

// ---- literals ----
bool Parser::AtLiteral() const {
  return tok_.kind == TokenKind::kString || tok_.kind == TokenKind::kNumber || IsKeyword("TRUE") ||
         IsKeyword("FALSE") || IsKeyword("NULL") ||
         ((IsPunct("-") || IsPunct("+")) && Peek().kind == TokenKind::kNumber);
}
nlohmann::json Parser::Literal(std::string_view what) {
  if (!AtLiteral()) {
    CheckUnsupportedOperand();
    Fail("expected " + std::string(what) + " (a 'string', a number, TRUE, FALSE or NULL)" +
         (tok_.kind == TokenKind::kQuoted ? "; strings are single-quoted" : ""));
  }
  nlohmann::json v;
  if (tok_.kind == TokenKind::kString) {
    v = std::move(tok_.str);
  } else if (IsKeyword("TRUE")) {
    v = true;
  } else if (IsKeyword("FALSE")) {
    v = false;
  } else if (IsKeyword("NULL")) {
    v = nullptr;
  } else {
    bool neg = false;
    if (tok_.kind == TokenKind::kPunct) {
      neg = tok_.raw == "-";
      Advance();
    }
    v = neg ? Negate(tok_.num) : tok_.num;
  }
  Advance();
  return v;
}
nlohmann::json Parser::Negate(const nlohmann::json& n) {
  if (n.is_number_unsigned()) {
    const std::uint64_t u = n.get<std::uint64_t>();
    if (u == std::uint64_t{1} << 63) return INT64_MIN;
    return -static_cast<double>(u);
  }
  if (n.is_number_integer()) return -n.get<std::int64_t>();
  return -n.get<double>();
}
std::uint64_t Parser::Count(std::string_view what) {
  if (tok_.kind != TokenKind::kNumber || !tok_.num.is_number_integer()) {
    CheckNoParameter();
    Fail("expected " + std::string(what) + " (a non-negative integer)");
  }
  std::uint64_t v = tok_.num.is_number_unsigned()
                        ? tok_.num.get<std::uint64_t>()
                        : static_cast<std::uint64_t>(tok_.num.get<std::int64_t>());
  Advance();
  return v;
}

void Parser::CheckNoParameter() const {
  if (IsPunct("?") || IsPunct(":") || IsPunct("$")) Unsup("query parameters");
}

// Operands NEDB recognises but does not run.
void Parser::CheckUnsupportedOperand() const {
  CheckNoParameter();
  if (IsPunct("(") && Peek().kind == TokenKind::kWord) {
    Lexer copy = lex_;
    Token t = copy.Next();
    if (nql::EqualsKeyword(t.raw, "SELECT") || nql::EqualsKeyword(t.raw, "WITH")) {
      Unsup("subqueries");
    }
  }
  if (IsKeyword("EXISTS")) Unsup("EXISTS (subqueries)");
  if (IsKeyword("CASE")) Unsup("CASE expressions");
  if (tok_.kind == TokenKind::kWord && !IsReserved(tok_.raw) && AtCall()) {
    for (const auto& [a, kind] : kAggregates) {
      if (nql::EqualsKeyword(tok_.raw, a)) {
        Unsup("aggregate " + std::string(a) + "() here (aggregates belong in the SELECT list)");
      }
    }
    Unsup("function " + std::string(tok_.raw) + "() (NEDB's SQL has no scalar functions)");
  }
}
void Parser::CheckNoArithmetic() const {
  static constexpr std::string_view kArith[] = {"+", "-", "*", "/", "%", "|", "&", "^", "~"};
  for (std::string_view a : kArith) {
    if (IsPunct(a)) Unsup("arithmetic and string operators (" + std::string(a) + ")");
  }
}

// ---- expressions ----
Expr Parser::Operand() {
  CheckUnsupportedOperand();
  Expr e;
  e.pos = tok_.pos;
  if (AtLiteral()) {
    e.kind = ExprKind::kLiteral;
    e.value = Literal("a value");
  } else if (AtName()) {
    e.kind = ExprKind::kColumn;
    e.column = ParseColumn();
  } else {
    Fail("expected a column or a value");
  }
  CheckNoArithmetic();
  return e;
}

void Parser::Enter() {
  if (++depth_ > kMaxNesting) {
    Unsup("expressions nested deeper than " + std::to_string(kMaxNesting) + " levels");
  }
}

Expr Parser::ParseOr() { return Chain(ExprKind::kOr, "OR", &Parser::ParseAnd); }

Expr Parser::ParseAnd() { return Chain(ExprKind::kAnd, "AND", &Parser::ParseNot); }

// operand (keyword operand)*: one n-ary kind node, or the operand alone.
Expr Parser::Chain(ExprKind kind, std::string_view keyword, Expr (Parser::*operand)()) {
  Expr first = (this->*operand)();
  if (!IsKeyword(keyword)) return first;
  Expr e;
  e.kind = kind;
  e.pos = first.pos;
  e.args.push_back(std::move(first));
  while (IsKeyword(keyword)) {
    Advance();
    e.args.push_back((this->*operand)());
  }
  return e;
}

Expr Parser::ParseNot() {
  if (!IsKeyword("NOT")) return ParsePredicate();
  Expr e;
  e.kind = ExprKind::kNot;
  e.pos = tok_.pos;
  Advance();
  Enter();
  e.args.push_back(ParseNot());
  --depth_;
  return e;
}

Expr Parser::ParsePredicate() {
  CheckUnsupportedOperand();
  if (IsPunct("(")) {
    // Each parenthesis (and each NOT) is one level of nesting; the WHERE
    // condition itself is level 0.
    Enter();
    Advance();
    Expr inner = ParseOr();
    ExpectPunct(")");
    --depth_;
    return inner;
  }
  Expr lhs = Operand();
  Expr e;
  e.pos = lhs.pos;
  if (tok_.kind == TokenKind::kOp) {
    e.kind = ExprKind::kCompare;
    e.op = tok_.op;
    Advance();
    if (IsKeyword("ANY") || IsKeyword("ALL") || IsKeyword("SOME")) Unsup("ANY/ALL (subqueries)");
    Expr rhs = Operand();
    CoerceIdValue(lhs, rhs);
    CoerceIdValue(rhs, lhs);
    e.args.push_back(std::move(lhs));
    e.args.push_back(std::move(rhs));
    return e;
  }
  if (IsKeyword("IS")) {
    Advance();
    e.kind = ExprKind::kIsNull;
    if (IsKeyword("NOT")) {
      e.negated = true;
      Advance();
    }
    if (IsKeyword("TRUE") || IsKeyword("FALSE") || IsKeyword("DISTINCT") || IsKeyword("UNKNOWN")) {
      Unsup("IS " + std::string(tok_.raw) + " (use = TRUE, = FALSE)");
    }
    Expect("NULL");
    e.args.push_back(std::move(lhs));
    return e;
  }
  if (IsKeyword("NOT")) {
    e.negated = true;
    Advance();
    if (!IsKeyword("IN") && !IsKeyword("BETWEEN") && !IsKeyword("LIKE")) {
      Fail("expected IN, BETWEEN or LIKE after NOT");
    }
  }
  if (IsKeyword("IN")) {
    e.kind = ExprKind::kIn;
    Advance();
    CheckUnsupportedOperand();
    ExpectPunct("(");
    e.args.push_back(std::move(lhs));
    for (;;) {
      Expr item;
      item.pos = tok_.pos;
      item.value = Literal("a value in the IN list");
      CoerceIdValue(e.args[0], item);
      e.args.push_back(std::move(item));
      if (!IsPunct(",")) break;
      Advance();
    }
    ExpectPunct(")");
    return e;
  }
  if (IsKeyword("BETWEEN")) {
    e.kind = ExprKind::kBetween;
    Advance();
    e.args.push_back(std::move(lhs));
    for (int k = 0; k < 2; ++k) {
      if (k == 1) Expect("AND");
      Expr bound;
      bound.pos = tok_.pos;
      bound.value = Literal("a BETWEEN bound");
      CoerceIdValue(e.args[0], bound);
      e.args.push_back(std::move(bound));
    }
    return e;
  }
  if (IsKeyword("LIKE")) {
    e.kind = ExprKind::kLike;
    Advance();
    if (tok_.kind != TokenKind::kString) {
      CheckUnsupportedOperand();
      Fail("expected a LIKE pattern (a 'string')");
    }
    e.pattern = std::move(tok_.str);
    Advance();
    if (IsKeyword("ESCAPE")) {
      Advance();
      if (tok_.kind != TokenKind::kString || tok_.str.size() != 1) {
        Fail("expected an ESCAPE character (a one-character 'string')");
      }
      e.escape = tok_.str[0];
      Advance();
    }
    e.args.push_back(std::move(lhs));
    return e;
  }
  if (IsKeyword("ILIKE") || IsKeyword("GLOB") || IsKeyword("REGEXP") || IsKeyword("SIMILAR") ||
      IsKeyword("MATCH")) {
    Unsup(std::string(tok_.raw) + " (use LIKE)");
  }
  // A bare operand: a column is tested for TRUE, TRUE/FALSE stand for
  // themselves.
  if (lhs.kind == ExprKind::kColumn) {
    e.kind = ExprKind::kCompare;
    Expr t;
    t.pos = lhs.pos;
    t.value = true;
    e.args.push_back(std::move(lhs));
    e.args.push_back(std::move(t));
    return e;
  }
  if (lhs.value.is_boolean()) return lhs;
  Fail("expected a comparison (=, !=, <>, <, <=, >, >=, IN, BETWEEN, LIKE or IS NULL)");
}

std::optional<Expr> Parser::OptionalWhere() {
  if (!IsKeyword("WHERE")) return std::nullopt;
  Advance();
  return ParseOr();
}

}  // namespace nedb::sql::parser_internal
