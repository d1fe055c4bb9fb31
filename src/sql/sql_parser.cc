// SPDX-License-Identifier: Apache-2.0
// The SQL parser's entry point, Parse(), and what every part of the parser
// uses: the reserved words, names and the statement dispatch. Expressions are
// in sql_parse_expr.cc, the statements in sql_parse_stmt.cc; the Parser class
// they share is declared in sql_parser_internal.h.
#include "sql/sql_parser.h"

#include <algorithm>
#include <string>
#include <utility>

#include "db/validate.h"
#include "query/nql_lexer.h"
#include "sql/sql_lexer.h"
#include "sql/sql_parser_internal.h"

namespace nedb::sql {

std::string Column::Path() const {
  std::string out;
  for (std::size_t k = 0; k < parts.size(); ++k) {
    if (k > 0) out += '.';
    out += parts[k];
  }
  return out;
}

namespace parser_internal {

constexpr std::string_view kReserved[] = {
    "ALL",    "AND",      "AS",     "ASC",   "BETWEEN", "BY",     "CASE",    "CROSS",  "DELETE",
    "DESC",   "DISTINCT", "ELSE",   "END",   "ESCAPE",  "EXCEPT", "EXISTS",  "FALSE",  "FETCH",
    "FOR",    "FROM",     "FULL",   "GROUP", "HAVING",  "IN",     "INNER",   "INSERT", "INTERSECT",
    "INTO",   "IS",       "JOIN",   "LEFT",  "LIKE",    "LIMIT",  "NATURAL", "NOT",    "NULL",
    "OFFSET", "ON",       "OR",     "ORDER", "OUTER",   "RIGHT",  "SELECT",  "SET",    "THEN",
    "TRUE",   "UNION",    "UPDATE", "USING", "VALUES",  "WHEN",   "WHERE",   "WINDOW", "WITH"};

bool IsReserved(std::string_view word) {
  return std::any_of(std::begin(kReserved), std::end(kReserved),
                     [&](std::string_view k) { return nql::EqualsKeyword(word, k); });
}

void ResolveId(Column& c) {
  if (c.parts.size() == 1 && c.parts[0] == "id") c.parts[0] = "_id";
}

void CoerceIdValue(const Expr& column, Expr& value) {
  if (column.kind != ExprKind::kColumn || value.kind != ExprKind::kLiteral) return;
  if (column.column.parts != std::vector<std::string>{"_id"} || !value.value.is_number()) return;
  value.value = value.value.dump();
}

Statement Parser::Run() {
  Advance();
  Statement st;
  if (IsKeyword("SELECT")) {
    st = ParseSelect();
  } else if (IsKeyword("INSERT")) {
    st = ParseInsert();
  } else if (IsKeyword("UPDATE")) {
    st = ParseUpdate();
  } else if (IsKeyword("DELETE")) {
    st = ParseDelete();
  } else if (tok_.kind == TokenKind::kWord) {
    static constexpr std::string_view kKnown[] = {
        "WITH",    "CREATE", "DROP",     "ALTER",  "BEGIN", "COMMIT", "ROLLBACK", "EXPLAIN",
        "REPLACE", "MERGE",  "TRUNCATE", "PRAGMA", "GRANT", "VALUES", "UPSERT"};
    for (std::string_view k : kKnown) {
      if (IsKeyword(k)) {
        Unsup(std::string(k) +
              " statements (NEDB runs SELECT, INSERT, UPDATE and DELETE; collections need no "
              "schema)");
      }
    }
    Fail("expected SELECT, INSERT, UPDATE or DELETE");
  } else {
    Fail("expected SELECT, INSERT, UPDATE or DELETE");
  }
  if (IsPunct(";")) {
    Advance();
    if (tok_.kind != TokenKind::kEnd) Unsup("several statements in one call (send one at a time)");
  }
  if (tok_.kind != TokenKind::kEnd) Fail("expected end of statement");
  return st;
}

// ---- names ----
bool Parser::AtName() const {
  return tok_.kind == TokenKind::kQuoted ||
         (tok_.kind == TokenKind::kWord && !IsReserved(tok_.raw));
}
std::string Parser::Name(std::string_view what) {
  if (!AtName()) {
    std::string w = "expected " + std::string(what);
    if (tok_.kind == TokenKind::kWord) w += " (a reserved word must be double-quoted)";
    if (tok_.kind == TokenKind::kString)
      w += " (identifiers are double-quoted, strings single-quoted)";
    Fail(w);
  }
  std::string n = tok_.kind == TokenKind::kQuoted ? std::move(tok_.str) : std::string(tok_.raw);
  Advance();
  return n;
}
std::string Parser::Table(std::size_t* pos) {
  *pos = tok_.pos;
  const std::size_t len = tok_.raw.size();
  std::string t = Name("a table (collection) name");
  if (IsPunct(".")) Unsup("schema-qualified table names");
  if (const char* why = NameProblem(t)) {
    throw StatementError(text_, *pos, len,
                         "a table name must be a collection name, and this one " +
                             std::string(why) + " (a collection name is " + std::string(kNameRule) +
                             ")");
  }
  return t;
}
Column Parser::ParseColumn() {
  Column c;
  c.pos = tok_.pos;
  c.parts.push_back(Name("a column name"));
  while (IsPunct(".")) {
    Advance();
    if (IsPunct("*")) Unsup("table.* (use SELECT *)");
    c.parts.push_back(Name("a column name after '.'"));
  }
  c.name = c.Path();
  ResolveId(c);
  return c;
}

}  // namespace parser_internal

Statement Parse(std::string_view text) {
  if (text.size() > kMaxSqlBytes) {
    throw SQLSyntaxError("SQL statement too long at position " + std::to_string(kMaxSqlBytes) +
                             ": expected at most " + std::to_string(kMaxSqlBytes) + " bytes, got " +
                             std::to_string(text.size()),
                         kMaxSqlBytes);
  }
  return parser_internal::Parser(text).Run();
}

}  // namespace nedb::sql
