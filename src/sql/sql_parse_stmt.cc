// SPDX-License-Identifier: Apache-2.0
// The SQL parser's statements: SELECT (columns and aggregates, FROM, AS OF,
// WHERE, GROUP BY, ORDER BY, LIMIT/OFFSET), INSERT, UPDATE and DELETE. See
// sql_parser_internal.h.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "query/nql_lexer.h"
#include "sql/sql_lexer.h"
#include "sql/sql_parser_internal.h"

namespace nedb::sql::parser_internal {

// ---- SELECT ----
bool Parser::AtAggregateCall() const {
  if (!AtCall()) return false;
  for (const auto& [name, kind] : kAggregates) {
    if (nql::EqualsKeyword(tok_.raw, name)) return true;
  }
  return false;
}

SelectItem Parser::ParseItem() {
  SelectItem it;
  it.pos = tok_.pos;
  if (AtCall()) {
    for (const auto& [name, kind] : kAggregates) {
      if (nql::EqualsKeyword(tok_.raw, name)) it.agg = kind;
    }
    if (it.agg == AggKind::kNone) CheckUnsupportedOperand();
    Advance();
    Advance();
    if (IsKeyword("DISTINCT")) Unsup("DISTINCT in an aggregate");
    if (IsPunct("*")) {
      if (it.agg != AggKind::kCount) Fail("expected a column ('*' only in COUNT(*))");
      Advance();
    } else {
      if (IsKeyword("ALL")) Advance();
      CheckUnsupportedOperand();
      it.column = ParseColumn();
      CheckNoArithmetic();
    }
    ExpectPunct(")");
    if (IsKeyword("OVER") || IsKeyword("FILTER")) Unsup("window functions and FILTER");
  } else {
    if (AtLiteral()) Unsup("values and expressions in the SELECT list (select columns)");
    CheckUnsupportedOperand();
    if (IsPunct("*")) Fail("expected a column ('*' must stand alone)");
    it.column = ParseColumn();
    if (IsPunct("*")) Unsup("table.* (use SELECT *)");
    CheckNoArithmetic();
  }
  if (IsKeyword("AS")) {
    Advance();
    it.alias = Name("an alias after AS");
  } else if (AtName()) {
    it.alias = Name("an alias");
  }
  return it;
}

Select Parser::ParseSelect() {
  Select s;
  Advance();
  if (IsKeyword("DISTINCT")) Unsup("SELECT DISTINCT (use GROUP BY)");
  if (IsKeyword("ALL")) Advance();
  if (IsPunct("*")) {
    s.star = true;
    Advance();
  } else {
    for (;;) {
      s.items.push_back(ParseItem());
      if (!IsPunct(",")) break;
      Advance();
    }
  }
  if (!IsKeyword("FROM")) {
    if (IsPunct(",") && s.star) Unsup("* with other columns");
    Fail(s.star || !s.items.empty() ? "expected FROM or ','" : "expected FROM");
  }
  Advance();
  CheckUnsupportedOperand();
  if (IsPunct("(")) Fail("expected a table name");
  s.table = Table(&s.table_pos);
  // table [AS OF n] [[AS] alias] [AS OF n], with at most one AS OF.
  std::string alias;
  auto at_as_of = [&] {
    return IsKeyword("AS") && Peek().kind == TokenKind::kWord &&
           nql::EqualsKeyword(Peek().raw, "OF");
  };
  auto as_of = [&] {
    if (s.as_of) Fail("expected one AS OF");
    Advance();
    Advance();
    s.as_of = Count("a sequence number after AS OF");
  };
  if (at_as_of()) as_of();
  if (IsKeyword("AS") && !at_as_of()) {
    Advance();
    alias = Name("a table alias");
  } else if (AtName()) {
    alias = Name("a table alias");
  }
  if (at_as_of()) as_of();
  CheckJoin();
  CheckFor();
  s.where = OptionalWhere();
  if (IsKeyword("GROUP")) {
    Advance();
    Expect("BY");
    for (;;) {
      CheckUnsupportedOperand();
      s.group_by.push_back(ParseColumn());
      CheckNoArithmetic();
      if (!IsPunct(",")) break;
      Advance();
    }
  }
  if (IsKeyword("HAVING")) Unsup("HAVING (filter the grouped rows in your code)");
  if (IsKeyword("WINDOW")) Unsup("WINDOW");
  if (IsKeyword("ORDER")) {
    Advance();
    Expect("BY");
    for (;;) {
      OrderKey k;
      if (tok_.kind == TokenKind::kNumber) Unsup("ORDER BY a column number (name the column)");
      if (AtAggregateCall()) {
        SelectItem it = ParseItem();
        if (!it.alias.empty()) Fail("expected ASC, DESC, ',' or the end of ORDER BY");
        k.agg = it.agg;
        if (it.column) k.column = std::move(*it.column);
        k.column.pos = it.pos;
        k.column.name = std::string(text_.substr(it.pos, tok_.pos - it.pos));
        while (!k.column.name.empty() && k.column.name.back() == ' ') k.column.name.pop_back();
      } else {
        CheckUnsupportedOperand();
        k.column = ParseColumn();
        CheckNoArithmetic();
      }
      if (IsKeyword("ASC")) {
        Advance();
      } else if (IsKeyword("DESC")) {
        k.desc = true;
        Advance();
      }
      if (IsKeyword("NULLS")) Unsup("NULLS FIRST/LAST (missing and null sort lowest)");
      s.order_by.push_back(std::move(k));
      if (!IsPunct(",")) break;
      Advance();
    }
  }
  if (IsKeyword("LIMIT")) {
    Advance();
    std::uint64_t first = Count("a row count after LIMIT");
    if (IsPunct(",")) {
      Advance();
      s.offset = first;
      s.limit = Count("a row count after LIMIT offset,");
    } else {
      s.limit = first;
    }
  }
  if (IsKeyword("OFFSET")) {
    if (s.offset) Fail("expected one OFFSET");
    Advance();
    s.offset = Count("a row count after OFFSET");
    if (IsKeyword("ROWS") || IsKeyword("ROW")) Advance();
  }
  if (IsKeyword("FETCH")) Unsup("FETCH FIRST (use LIMIT)");
  if (IsKeyword("UNION") || IsKeyword("INTERSECT") || IsKeyword("EXCEPT")) {
    Unsup(std::string(tok_.raw) + " (run the SELECTs separately)");
  }
  CheckFor();
  StripQualifiers(s, alias);
  return s;
}

// FOR SYSTEM_TIME (SQL:2011 time travel) and the locking clauses.
void Parser::CheckFor() {
  if (!IsKeyword("FOR")) return;
  const Token next = Peek();
  if (next.kind == TokenKind::kWord && nql::EqualsKeyword(next.raw, "SYSTEM_TIME")) {
    Unsup("FOR SYSTEM_TIME (use AS OF <seq>)");
  }
  Unsup("FOR UPDATE / FOR SHARE (NEDB has no row locks; each write is one atomic op)");
}

void Parser::CheckJoin() {
  static constexpr std::string_view kJoin[] = {"JOIN", "INNER", "LEFT",    "RIGHT",
                                               "FULL", "CROSS", "NATURAL", "OUTER"};
  for (std::string_view k : kJoin) {
    if (IsKeyword(k)) Unsup("JOIN (NEDB collections are queried one at a time)");
  }
  if (IsPunct(",")) Unsup("JOIN (several tables in FROM)");
}

// table.col and alias.col name col.
void Parser::Unqualify(Column& c, const std::string& table, const std::string& alias) {
  if (c.parts.size() > 1 && (c.parts[0] == table || (!alias.empty() && c.parts[0] == alias))) {
    c.parts.erase(c.parts.begin());
    c.name = c.Path();
    ResolveId(c);
  }
}
void Parser::StripQualifiers(Select& s, const std::string& alias) {
  auto strip = [&](Column& c) { Unqualify(c, s.table, alias); };
  for (SelectItem& it : s.items) {
    if (it.column) strip(*it.column);
  }
  for (Column& c : s.group_by) strip(c);
  for (OrderKey& k : s.order_by) strip(k.column);
  if (s.where) StripExpr(*s.where, strip);
}
template <typename F>
void Parser::StripExpr(Expr& e, const F& strip) {
  if (e.kind == ExprKind::kColumn) strip(e.column);
  for (Expr& a : e.args) StripExpr(a, strip);
  // Coercion of id literals again, now that a qualified id is resolved.
  if (e.kind == ExprKind::kCompare) {
    CoerceIdValue(e.args[0], e.args[1]);
    CoerceIdValue(e.args[1], e.args[0]);
  } else if (e.kind == ExprKind::kIn || e.kind == ExprKind::kBetween) {
    for (std::size_t k = 1; k < e.args.size(); ++k) CoerceIdValue(e.args[0], e.args[k]);
  }
}

// ---- writes ----
Insert Parser::ParseInsert() {
  Insert ins;
  Advance();
  if (IsKeyword("OR")) Unsup("INSERT OR ... (INSERT already replaces a row with the same id)");
  Expect("INTO");
  ins.table = Table(&ins.table_pos);
  if (!IsPunct("(")) {
    if (IsKeyword("VALUES")) {
      Unsup("INSERT without a column list (NEDB collections have no schema: name the columns)");
    }
    if (IsKeyword("SELECT")) Unsup("INSERT ... SELECT");
    if (IsKeyword("DEFAULT")) Unsup("DEFAULT VALUES");
    Fail("expected '(' and a column list");
  }
  const std::size_t cols_pos = tok_.pos;
  Advance();
  int id_col = -1;
  for (;;) {
    const std::size_t pos = tok_.pos;
    Column c = ParseColumn();
    Unqualify(c, ins.table, "");
    for (const Column& prev : ins.columns) {
      if (prev.parts == c.parts)
        throw StatementError(text_, pos, c.name.size(), "duplicate column");
    }
    if (c.parts == std::vector<std::string>{"_id"}) id_col = static_cast<int>(ins.columns.size());
    ins.columns.push_back(std::move(c));
    if (!IsPunct(",")) break;
    Advance();
  }
  ExpectPunct(")");
  if (id_col < 0) {
    throw StatementError(text_, cols_pos, 1, "INSERT needs an id or _id column (the document id)");
  }
  if (IsKeyword("SELECT")) Unsup("INSERT ... SELECT");
  Expect("VALUES");
  for (;;) {
    const std::size_t row_pos = tok_.pos;
    ExpectPunct("(");
    std::vector<nlohmann::json> row;
    for (;;) {
      if (IsKeyword("DEFAULT")) Unsup("DEFAULT values");
      row.push_back(Literal("a value"));
      CheckNoArithmetic();
      if (!IsPunct(",")) break;
      Advance();
    }
    if (row.size() != ins.columns.size()) {
      throw StatementError(text_, row_pos, 1,
                           "a row has " + std::to_string(row.size()) + " values for " +
                               std::to_string(ins.columns.size()) + " columns");
    }
    const nlohmann::json& id = row[static_cast<std::size_t>(id_col)];
    if (!(id.is_string() && !id.get_ref<const std::string&>().empty()) && !id.is_number_integer()) {
      throw StatementError(text_, row_pos, 1, "the id must be a non-empty string or an integer");
    }
    ExpectPunct(")");
    ins.rows.push_back(std::move(row));
    ins.row_pos.push_back(row_pos);
    if (!IsPunct(",")) break;
    Advance();
  }
  if (IsKeyword("ON"))
    Unsup("ON CONFLICT / ON DUPLICATE KEY (INSERT replaces a row with the same id)");
  if (IsKeyword("RETURNING")) Unsup("RETURNING");
  return ins;
}

Update Parser::ParseUpdate() {
  Update up;
  Advance();
  up.table = Table(&up.table_pos);
  Expect("SET");
  for (;;) {
    if (IsPunct("(")) Unsup("SET (a, b) = (...) (assign each column)");
    const std::size_t pos = tok_.pos;
    Assignment a;
    a.column = ParseColumn();
    Unqualify(a.column, up.table, "");
    if (a.column.parts == std::vector<std::string>{"_id"}) {
      throw Unsupported(text_, pos, a.column.name.size(), "changing a row's id (insert a new row)");
    }
    if (tok_.kind != TokenKind::kOp || tok_.op != nql::CmpOp::kEq || tok_.raw != "=") {
      Fail("expected '='");
    }
    Advance();
    if (AtName() && !AtLiteral()) Unsup("expressions in SET (assign a value)");
    a.value = Literal("a value");
    CheckNoArithmetic();
    up.sets.push_back(std::move(a));
    if (!IsPunct(",")) break;
    Advance();
  }
  if (IsKeyword("FROM")) Unsup("UPDATE ... FROM (joins)");
  up.where = OptionalWhere();
  if (up.where) StripExpr(*up.where, [&](Column& c) { Unqualify(c, up.table, ""); });
  if (IsKeyword("ORDER") || IsKeyword("LIMIT")) Unsup("ORDER BY / LIMIT in UPDATE");
  if (IsKeyword("RETURNING")) Unsup("RETURNING");
  return up;
}

Delete Parser::ParseDelete() {
  Delete del;
  Advance();
  Expect("FROM");
  del.table = Table(&del.table_pos);
  if (IsKeyword("USING")) Unsup("DELETE ... USING (joins)");
  del.where = OptionalWhere();
  if (del.where) StripExpr(*del.where, [&](Column& c) { Unqualify(c, del.table, ""); });
  if (IsKeyword("ORDER") || IsKeyword("LIMIT")) Unsup("ORDER BY / LIMIT in DELETE");
  if (IsKeyword("RETURNING")) Unsup("RETURNING");
  return del;
}

}  // namespace nedb::sql::parser_internal
